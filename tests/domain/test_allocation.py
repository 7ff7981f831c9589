"""Recommendations and the bulk proposal: weights, reasons, ranking, and the solver's
guarantees as properties."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from earlyhelp.domain.allocation import (
    CandidateWorker,
    Need,
    SpecialismRule,
    WaitingRequest,
    Weights,
    haversine_km,
    needs_for,
    propose,
    reason_needed,
    recommend,
    score,
)

TODAY = dt.date(2026, 11, 30)
PRESTON = (53.7632, -2.7031)
LANCASTER = (54.0466, -2.8007)


def request(**fields) -> WaitingRequest:
    values = {
        "id": 1,
        "family_id": 10,
        "family_name": "Smith",
        "district_id": 1,
        "district_name": "Preston",
        "due_by": TODAY,
    }
    return WaitingRequest(**{**values, **fields})


def worker(id: int, headroom: int = 5, **fields) -> CandidateWorker:
    return CandidateWorker(
        **{"id": id, "name": f"Worker {id}", "district_id": 1, "headroom_cases": headroom, **fields}
    )


def test_reasons_name_each_factor_in_plain_english():
    rfs = request(
        needs=(Need("0-5", "0-5"), Need("domestic-abuse", "domestic abuse")),
        languages=("urdu",),
        location=PRESTON,
    )
    best = worker(
        1,
        headroom=4,
        family_ids=frozenset({10}),
        specialisms=frozenset({"0-5", "domestic-abuse"}),
        languages=frozenset({"urdu"}),
        location=LANCASTER,
    )

    [recommendation] = recommend(rfs, [best])

    texts = [r.text for r in recommendation.reasons]
    assert texts == [
        "Already key worker for the Smith family: one family, one worker, one plan",
        "Headroom: 4 cases",
        "Specialisms: 0-5, domestic abuse",
        "Speaks Urdu",
        "32 km from the family's district centre",
    ]
    distance_points = 10 * (1 - haversine_km(LANCASTER, PRESTON) / 50)
    assert recommendation.score == pytest.approx(120 + 16 + 30 + 20 + distance_points)


def test_default_weights_count_headroom_up_to_ten_cases_and_two_specialisms():
    rfs = request(needs=(Need("a", "A"), Need("b", "B"), Need("c", "C")))
    many = worker(1, headroom=15, specialisms=frozenset({"a", "b", "c"}))

    [recommendation] = recommend(rfs, [many])

    assert recommendation.score == 4 * 10 + 15 * 2


def test_weights_are_an_input():
    rfs = request(languages=("polish",))
    speaker = worker(1, headroom=1, languages=frozenset({"polish"}))
    roomy = worker(2, headroom=9)

    default = recommend(rfs, [speaker, roomy])
    language_first = recommend(rfs, [speaker, roomy], Weights(language=100))

    assert [r.worker.id for r in default] == [2, 1]
    assert [r.worker.id for r in language_first] == [1, 2]


def test_negative_weights_are_refused():
    with pytest.raises(ValueError, match="language"):
        Weights(language=-1)


def test_a_worker_without_headroom_is_never_first_even_with_continuity():
    rfs = request()
    full = worker(1, headroom=0, family_ids=frozenset({10}))
    absent = worker(2, headroom=9, absent=True, family_ids=frozenset({10}))
    roomy = worker(3, headroom=1)

    ranked = recommend(rfs, [full, absent, roomy])

    assert ranked[0].worker.id == 3
    assert not ranked[1].available
    assert not ranked[2].available
    texts = {r.text for rec in ranked[1:] for r in rec.reasons}
    assert "No headroom: at or over the caseload limit" in texts
    assert "Absent today" in texts


def test_only_workers_of_the_requests_district_are_ranked():
    ranked = recommend(request(), [worker(1), worker(2, district_id=2)])

    assert [r.worker.id for r in ranked] == [1]


def test_a_reason_is_needed_off_the_top_recommendation_or_without_headroom():
    ranked = recommend(request(), [worker(1, headroom=9), worker(2, headroom=1), worker(3, 0)])

    assert reason_needed(ranked, 1) is None
    assert "not the top recommendation" in reason_needed(ranked, 2)
    assert "has no headroom" in reason_needed(ranked, 3)


def test_workers_tied_at_the_top_need_no_reason():
    ranked = recommend(request(), [worker(1), worker(2)])

    assert reason_needed(ranked, 1) is None
    assert reason_needed(ranked, 2) is None


def test_needs_come_from_ages_target_groups_and_send():
    rules = [
        SpecialismRule("0-5", "0-5", min_age=0, max_age=5),
        SpecialismRule("12-19", "12-19", min_age=12, max_age=19),
        SpecialismRule("send", "SEND", matches_send=True),
        SpecialismRule("da", "domestic abuse", target_groups=frozenset({"domestic-abuse"})),
    ]

    needs = needs_for(rules, child_ages=[3], has_send=True, target_groups=["domestic-abuse"])

    assert [n.code for n in needs] == ["0-5", "send", "da"]


def test_haversine_preston_to_lancaster_is_about_32_km():
    assert haversine_km(PRESTON, LANCASTER) == pytest.approx(32.1, abs=0.3)


def test_continuity_places_the_family_with_its_worker():
    rfs = request()
    proposal = propose([rfs], [worker(1, headroom=1, family_ids=frozenset({10})), worker(2, 9)])

    assert [(line.request_id, line.worker_id) for line in proposal.lines] == [(1, 1)]


def test_when_headroom_is_short_the_requests_due_soonest_are_placed():
    later = request(id=1, due_by=TODAY + dt.timedelta(days=4))
    sooner = request(id=2, family_id=11, due_by=TODAY + dt.timedelta(days=1))
    # The later request would score more with this worker; urgency still wins.
    known = worker(1, headroom=1, family_ids=frozenset({10}))

    proposal = propose([later, sooner], [known], today=TODAY)

    assert [line.request_id for line in proposal.lines] == [2]
    assert proposal.unplaced[0].request_id == 1
    assert proposal.unplaced[0].reason == (
        "Every worker in Preston district with headroom is taken by requests due as soon or sooner"
    )


def test_unplaced_requests_say_why():
    no_one = request(id=1, district_id=7, district_name="Chorley")
    full = request(id=2)

    proposal = propose([no_one, full], [worker(1, headroom=0)])

    assert {u.request_id: u.reason for u in proposal.unplaced} == {
        1: "No eligible worker in Chorley district",
        2: "No worker in Preston district has headroom",
    }


# ---------------------------------------------------------------- properties

DISTRICTS = (1, 2, 3)
NEEDS = (Need("0-5", "0-5"), Need("send", "SEND"), Need("da", "domestic abuse"))


@st.composite
def queues(draw):
    n_workers = draw(st.integers(0, 8))
    workers = [
        CandidateWorker(
            id=100 + i,
            name=f"Worker {i}",
            district_id=draw(st.sampled_from(DISTRICTS)),
            headroom_cases=draw(st.integers(-2, 4)),
            absent=draw(st.booleans()) and draw(st.booleans()),
            specialisms=frozenset(draw(st.sets(st.sampled_from([n.code for n in NEEDS])))),
            languages=frozenset(draw(st.sets(st.sampled_from(["urdu", "polish"])))),
            family_ids=frozenset(draw(st.sets(st.integers(0, 12), max_size=3))),
            person_ids=frozenset(draw(st.sets(st.integers(0, 30), max_size=4))),
        )
        for i in range(n_workers)
    ]
    n_requests = draw(st.integers(0, 14))
    requests = [
        WaitingRequest(
            id=i + 1,
            family_id=draw(st.integers(0, 12)),
            family_name="Family",
            district_id=draw(st.sampled_from(DISTRICTS)),
            district_name=f"District {i}",
            due_by=TODAY + dt.timedelta(days=draw(st.integers(-3, 6))),
            needs=tuple(draw(st.sets(st.sampled_from(NEEDS)))),
            languages=tuple(draw(st.sets(st.sampled_from(["urdu", "polish"])))),
            member_ids=frozenset(draw(st.sets(st.integers(0, 30), max_size=3))),
        )
        for i in range(n_requests)
    ]
    return requests, workers


@given(queues())
def test_a_proposal_never_exceeds_any_workers_headroom(queue):
    requests, workers = queue
    proposal = propose(requests, workers, today=TODAY)

    taken = Counter(line.worker_id for line in proposal.lines)
    for w in workers:
        limit = w.headroom_cases if w.available else 0
        assert taken[w.id] <= max(limit, 0)


@given(queues())
def test_a_proposal_never_assigns_outside_the_permitted_district(queue):
    requests, workers = queue
    proposal = propose(requests, workers, today=TODAY)

    district_of_request = {r.id: r.district_id for r in requests}
    district_of_worker = {w.id: w.district_id for w in workers}
    for line in proposal.lines:
        assert district_of_worker[line.worker_id] == district_of_request[line.request_id]
    assert len(proposal.lines) + len(proposal.unplaced) == len(requests)


@given(queues(), st.randoms(use_true_random=False))
def test_a_proposal_is_the_same_for_the_same_input_in_any_order(queue, random):
    requests, workers = queue
    first = propose(requests, workers, today=TODAY)
    shuffled_requests, shuffled_workers = list(requests), list(workers)
    random.shuffle(shuffled_requests)
    random.shuffle(shuffled_workers)

    assert propose(requests, workers, today=TODAY) == first
    assert propose(shuffled_requests, shuffled_workers, today=TODAY) == first


@given(queues())
def test_with_spare_capacity_every_request_is_placed(queue):
    requests, workers = queue
    room = Counter()
    for w in workers:
        if w.available:
            room[w.district_id] += w.headroom_cases
    demand = Counter(r.district_id for r in requests)

    proposal = propose(requests, workers, today=TODAY)

    for district, wanted in demand.items():
        placed = sum(
            1
            for line in proposal.lines
            if next(r for r in requests if r.id == line.request_id).district_id == district
        )
        assert placed == min(wanted, room[district])
    if all(room[d] >= n for d, n in demand.items()):
        assert proposal.unplaced == ()


@given(
    st.integers(1, 30),
    st.integers(1, 30),
    st.sets(st.sampled_from([n.code for n in NEEDS])),
    st.sets(st.sampled_from(["urdu", "polish"])),
    st.booleans(),
)
def test_continuity_wins_over_headroom_when_both_are_possible(
    known_headroom, other_headroom, other_skills, other_languages, member_only
):
    rfs = request(needs=NEEDS, languages=("urdu", "polish"), member_ids=frozenset({5}))
    link = {"person_ids": frozenset({5})} if member_only else {"family_ids": frozenset({10})}
    known = worker(1, headroom=known_headroom, **link)
    other = worker(
        2,
        headroom=other_headroom,
        specialisms=frozenset(other_skills),
        languages=frozenset(other_languages),
    )

    assert recommend(rfs, [other, known])[0].worker.id == 1
    assert propose([rfs], [other, known]).lines[0].worker_id == 1


def _best_by_brute_force(requests, workers, weights) -> tuple[tuple[int, ...], float]:
    """The best (placed per urgency level, nearest first; then total score) over every
    assignment of requests to workers of their district within headroom."""
    import itertools

    due_dates = sorted({r.due_by for r in requests})
    best = None
    options = [
        [None] + [w for w in workers if w.available and w.district_id == r.district_id]
        for r in requests
    ]
    for choice in itertools.product(*options):
        taken = Counter(w.id for w in choice if w is not None)
        if any(taken[w.id] > w.headroom_cases for w in workers if taken[w.id]):
            continue
        levels = tuple(
            sum(1 for r, w in zip(requests, choice, strict=True) if w and r.due_by == day)
            for day in due_dates
        )
        total = sum(
            score(r, w, weights) for r, w in zip(requests, choice, strict=True) if w is not None
        )
        key = (levels, round(total, 2))
        if best is None or key > best:
            best = key
    return best


@given(queues())
def test_a_proposal_is_as_good_as_the_best_assignment_found_by_brute_force(queue):
    requests, workers = queue
    requests, workers = requests[:5], workers[:4]
    weights = Weights()
    proposal = propose(requests, workers, weights, today=TODAY)

    due_dates = sorted({r.due_by for r in requests})
    due_of = {r.id: r.due_by for r in requests}
    levels = tuple(
        sum(1 for line in proposal.lines if due_of[line.request_id] == day) for day in due_dates
    )
    best_levels, best_total = _best_by_brute_force(requests, workers, weights)
    assert levels == best_levels
    assert proposal.total_score == pytest.approx(best_total, abs=0.05)
