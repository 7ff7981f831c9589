"""The outcomes rules: distance travelled, improving or declining, targeted against
achieved, and the cohort shares, against hand-worked answers."""

from __future__ import annotations

import datetime as dt

import pytest

from earlyhelp.domain import outcomes as rules
from earlyhelp.domain.outcomes import Action, Direction, Reading

D = dt.date


def reading(kind: str, day: int, star_id: int = 1, order: int = 0, **scores: int) -> Reading:
    return Reading(kind=kind, taken_on=D(2026, 3, day), scores=scores, star_id=star_id, order=order)


def test_threshold_is_the_start_of_the_top_two_fifths_of_the_scale():
    assert rules.target_threshold(1, 10) == 7
    assert rules.target_threshold(1, 5) == 4
    assert rules.target_threshold(0, 9) == 6


def test_distance_travelled_is_latest_minus_baseline_for_areas_scored_in_both():
    assert rules.distance_travelled({"a": 3, "b": 6, "c": 5}, {"a": 7, "b": 4}) == {
        "a": 4,
        "b": -2,
    }


def test_directions_per_area():
    assert rules.area_directions({"a": 3, "b": 6, "c": 5}, {"a": 7, "b": 4, "c": 5}) == {
        "a": Direction.IMPROVING,
        "b": Direction.DECLINING,
        "c": Direction.UNCHANGED,
    }


def test_latest_reading_after_the_baseline_counts_and_a_reading_before_it_does_not():
    early_review = reading("review", 1, a=9)
    baseline = reading("baseline", 2, a=3)
    review = reading("review", 10, a=5)
    closure = reading("closure", 20, a=6)
    assert rules.baseline_and_latest([closure, early_review, review, baseline]) == (
        baseline,
        closure,
    )


def test_without_a_baseline_there_is_no_distance_travelled():
    assert rules.baseline_and_latest([reading("review", 3, a=5)]) == (None, None)


def test_a_later_reading_of_another_star_is_not_compared_with_the_baseline():
    baseline = reading("baseline", 2, star_id=1, a=3)
    other = reading("review", 9, star_id=2, a=8)
    assert rules.baseline_and_latest([baseline, other]) == (baseline, None)


def test_same_day_readings_are_ordered_by_when_recorded():
    baseline = reading("baseline", 2, order=1, a=3)
    first = reading("review", 9, order=2, a=4)
    second = reading("review", 9, order=3, a=6)
    assert rules.baseline_and_latest([second, first, baseline])[1] is second


def test_outcome_targeted_by_action_or_low_baseline_area_and_achieved_by_either():
    results = rules.case_outcomes(
        outcomes=[1, 2, 3, 4, 5],
        actions=[
            Action(outcome=2, status="achieved"),
            Action(outcome=2, status="in_progress"),
            Action(outcome=3, status="not_achieved"),
            Action(outcome=None, status="achieved"),
        ],
        area_outcomes={"safe": 1, "health": 3, "money": 5, "routines": 4},
        threshold=7,
        baseline={"safe": 4, "health": 8, "money": 6, "routines": 5},
        latest={"safe": 6, "health": 9, "money": 6, "routines": 3},
    )
    assert results[1].targeted
    assert results[1].achieved
    assert results[1].targeted_areas == ("safe",)
    assert results[1].improved_areas == ("safe",)
    assert results[2].targeting_actions == 2
    assert results[2].achieved_actions == 1
    assert results[2].achieved
    # Health scored 8 at baseline: not a need; the action was not achieved.
    assert results[3].targeted
    assert not results[3].achieved
    assert results[3].targeted_areas == ()
    assert results[4].targeted
    assert not results[4].achieved
    assert results[5].targeted
    assert not results[5].achieved


def test_an_area_at_the_threshold_is_not_targeted():
    results = rules.case_outcomes(
        outcomes=[1],
        actions=[],
        area_outcomes={"safe": 1},
        threshold=7,
        baseline={"safe": 7},
        latest={"safe": 9},
    )
    assert not results[1].targeted
    assert not results[1].achieved


def test_tally_outcomes_counts_cases_targeting_and_achieving():
    def result(number, targeted, achieved):
        return rules.OutcomeResult(
            number=number,
            targeting_actions=1 if targeted else 0,
            achieved_actions=1 if achieved else 0,
        )

    tallies = rules.tally_outcomes(
        {
            10: {1: result(1, True, True), 2: result(2, True, False)},
            11: {1: result(1, True, False), 2: result(2, False, False)},
            12: {1: result(1, False, False), 2: result(2, True, True)},
        },
        [1, 2],
    )
    assert tallies[1].targeted == [10, 11]
    assert tallies[1].achieved == [10]
    assert tallies[1].achieved_share == pytest.approx(0.5)
    assert tallies[2].targeted == [10, 12]
    assert tallies[2].achieved == [12]


def test_a_family_counts_once_through_its_latest_case():
    cases = [(1, 100, D(2026, 1, 1)), (2, 100, D(2026, 5, 1)), (3, 200, D(2026, 2, 1))]
    assert rules.latest_case_per_family(cases) == [2, 3]


def test_tally_star_shares_and_mean_distance():
    tallies = rules.tally_star(
        {
            1: ({"a": 3, "b": 5}, {"a": 6, "b": 5}),
            2: ({"a": 4, "b": 6}, {"a": 3, "b": 8}),
            3: ({"a": 2}, {"a": 4}),
        },
        ["a", "b", "c"],
    )
    a, b, c = tallies["a"], tallies["b"], tallies["c"]
    assert a.measured == [1, 2, 3]
    assert a.improving == [1, 3]
    assert a.declining == [2]
    assert a.improving_share == pytest.approx(2 / 3)
    assert a.mean_distance == pytest.approx((3 - 1 + 2) / 3)
    assert b.measured == [1, 2]
    assert b.improving == [2]
    assert b.mean_distance == pytest.approx(1.0)
    assert c.measured == []
    assert c.improving_share is None
    assert c.mean_distance is None


def test_share_of_nothing_is_none():
    assert rules.share(0, 0) is None
    assert rules.share(1, 4) == 0.25


def test_targeted_areas_follow_the_stars_area_order_not_the_stored_order():
    results = rules.case_outcomes(
        outcomes=[2],
        actions=[],
        area_outcomes={"routines": 2, "progress": 2},
        threshold=7,
        baseline={"progress": 3, "routines": 3},
        latest={"progress": 4, "routines": 5},
    )
    assert results[2].targeted_areas == ("routines", "progress")
    assert results[2].improved_areas == ("routines", "progress")
