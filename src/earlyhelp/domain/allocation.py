"""Who should take a Request for Support: explained recommendations for one request, and
an optimal proposal for a whole waiting queue. No Django here.

A worker's score for a request is the sum of its factors, each with a reason in plain
English: continuity (already works with this family: one family, one worker, one plan),
headroom, matching specialisms, a shared language and distance. A worker without headroom
(or absent) is never recommended first. The default weights make continuity worth more
than every other factor together, so a worker who already knows the family comes first
whenever they have room.

The bulk proposal is a min-cost flow (OR-Tools): each request sends one unit of flow to
a worker of its own district (capacity: their headroom in cases) or to "unplaced". The
cost of placing a request is minus (an urgency bonus + its score); the urgency bonus of
a request due sooner is larger than every score in the queue put together, so when
capacity is short the requests nearest their deadline are placed first, and only then
is the total score maximised. Requests that score alike with every worker (same needs,
languages and place) share one node on the way to the workers, so the network has
kinds x workers arcs rather than requests x workers, plus one direct arc for each
worker who already knows a family.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

EARTH_RADIUS_KM = 6371.0088
SCORE_SCALE = 100  # scores are solved as whole hundredths


@dataclass(frozen=True)
class Weights:
    """How much each factor counts. Defaults: continuity 120 outweighs the others together
    (headroom up to 40, specialisms up to 30, language 20, distance up to 10)."""

    continuity: float = 120.0
    per_headroom_case: float = 4.0
    headroom_cases_counted: int = 10  # more headroom than this earns nothing more
    per_specialism: float = 15.0
    specialisms_counted: int = 2
    language: float = 20.0
    distance: float = 10.0  # points for a worker based 0 km away
    distance_none_km: float = 50.0  # no points from this distance on

    def __post_init__(self) -> None:
        for name in (
            "continuity",
            "per_headroom_case",
            "per_specialism",
            "language",
            "distance",
        ):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a number of 0 or more (got {value})")
        if self.headroom_cases_counted < 0 or self.specialisms_counted < 0:
            raise ValueError("the counted headroom and specialisms cannot be negative")
        if not self.distance_none_km > 0:
            raise ValueError(f"distance_none_km must be more than 0 (got {self.distance_none_km})")

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class Need:
    """A specialism a request calls for (a configured skill)."""

    code: str
    name: str


@dataclass(frozen=True)
class SpecialismRule:
    """A configured specialism and what about a request it matches."""

    code: str
    name: str
    min_age: int | None = None
    max_age: int | None = None
    target_groups: frozenset[str] = frozenset()
    matches_send: bool = False


def needs_for(
    rules: Iterable[SpecialismRule],
    *,
    child_ages: Iterable[int],
    has_send: bool,
    target_groups: Iterable[str],
) -> tuple[Need, ...]:
    """The specialisms a request calls for: a child's age in the range, a target group in
    common, or SEND; in the configured order."""
    ages = list(child_ages)
    groups = set(target_groups)
    found = []
    for rule in rules:
        by_age = (rule.min_age is not None or rule.max_age is not None) and any(
            (rule.min_age is None or age >= rule.min_age)
            and (rule.max_age is None or age <= rule.max_age)
            for age in ages
        )
        if by_age or bool(rule.target_groups & groups) or (rule.matches_send and has_send):
            found.append(Need(rule.code, rule.name))
    return tuple(found)


@dataclass(frozen=True)
class WaitingRequest:
    """A Request for Support waiting for allocation, as the allocation rules see it."""

    id: int
    family_id: int
    family_name: str
    district_id: int
    district_name: str
    due_by: dt.date | None
    needs: tuple[Need, ...] = ()
    languages: tuple[str, ...] = ()  # lower-case, other than English
    member_ids: frozenset[int] = frozenset()
    location: tuple[float, float] | None = None  # the family's district centre


@dataclass(frozen=True)
class CandidateWorker:
    """A key worker who could take it."""

    id: int
    name: str
    district_id: int | None
    headroom_cases: int
    absent: bool = False
    specialisms: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    family_ids: frozenset[int] = frozenset()  # families of their open cases
    person_ids: frozenset[int] = frozenset()  # members of those families
    location: tuple[float, float] | None = None  # their base

    @property
    def available(self) -> bool:
        """Can take another case now: headroom, and not absent."""
        return self.headroom_cases > 0 and not self.absent


@dataclass(frozen=True)
class Reason:
    factor: str  # continuity, headroom, specialism, language, distance, absent
    text: str
    points: float

    def as_dict(self) -> dict[str, object]:
        return {"factor": self.factor, "text": self.text, "points": self.points}


@dataclass(frozen=True)
class Recommendation:
    worker: CandidateWorker
    score: float
    reasons: tuple[Reason, ...]
    rank: int

    @property
    def available(self) -> bool:
        return self.worker.available


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _continuity(request: WaitingRequest, worker: CandidateWorker) -> str | None:
    if request.family_id in worker.family_ids:
        return (
            f"Already key worker for the {request.family_name} family: "
            "one family, one worker, one plan"
        )
    if request.member_ids & worker.person_ids:
        return "Already works with a member of this family: one family, one worker, one plan"
    return None


def _headroom_points(worker: CandidateWorker, weights: Weights) -> float:
    counted = min(max(worker.headroom_cases, 0), weights.headroom_cases_counted)
    return weights.per_headroom_case * counted


def _distance_points(km: float, weights: Weights) -> float:
    return weights.distance * max(0.0, 1 - km / weights.distance_none_km)


def explain(request: WaitingRequest, worker: CandidateWorker, weights: Weights) -> list[Reason]:
    """Each factor of a worker's score for a request, with its reason."""
    reasons: list[Reason] = []
    continuity = _continuity(request, worker)
    if continuity:
        reasons.append(Reason("continuity", continuity, weights.continuity))
    if worker.absent:
        reasons.append(Reason("absent", "Absent today", 0.0))
    if worker.headroom_cases > 0:
        reasons.append(
            Reason(
                "headroom",
                f"Headroom: {_plural(worker.headroom_cases, 'case')}",
                _headroom_points(worker, weights),
            )
        )
    else:
        reasons.append(Reason("headroom", "No headroom: at or over the caseload limit", 0.0))
    matched = [n for n in request.needs if n.code in worker.specialisms]
    if matched:
        reasons.append(
            Reason(
                "specialism",
                "Specialisms: " + ", ".join(n.name for n in matched),
                weights.per_specialism * min(len(matched), weights.specialisms_counted),
            )
        )
    spoken = [lang for lang in request.languages if lang in worker.languages]
    if spoken:
        names = " and ".join(lang.title() for lang in spoken)
        reasons.append(Reason("language", f"Speaks {names}", weights.language))
    if request.location is not None and worker.location is not None:
        km = haversine_km(worker.location, request.location)
        reasons.append(
            Reason(
                "distance",
                f"{round(km)} km from the family's district centre",
                _distance_points(km, weights),
            )
        )
    return reasons


def score(request: WaitingRequest, worker: CandidateWorker, weights: Weights) -> float:
    """A worker's score for a request: the sum of its factors' points."""
    return sum(r.points for r in explain(request, worker, weights))


def recommend(
    request: WaitingRequest, workers: Iterable[CandidateWorker], weights: Weights | None = None
) -> list[Recommendation]:
    """The workers of the request's district ranked: those who can take a case now first,
    then by score; a worker with no headroom or absent is listed after them (never
    first). Ties go to the lower worker id, so the order is the same every time."""
    weights = weights or Weights()
    scored = []
    for worker in workers:
        if worker.district_id != request.district_id:
            continue
        reasons = explain(request, worker, weights)
        scored.append((worker, round(sum(r.points for r in reasons), 6), tuple(reasons)))
    scored.sort(key=lambda item: (not item[0].available, -item[1], item[0].id))
    return [
        Recommendation(worker=w, score=s, reasons=r, rank=rank)
        for rank, (w, s, r) in enumerate(scored, start=1)
    ]


def reason_needed(recommendations: Sequence[Recommendation], worker_id: int) -> str | None:
    """Why choosing this worker needs a recorded reason, or None: a worker with no headroom
    (or absent), or one who is not a top recommendation (ties at the top all count)."""
    chosen = next((r for r in recommendations if r.worker.id == worker_id), None)
    if chosen is None:
        return None
    if not chosen.available:
        why = "is absent today" if chosen.worker.absent else "has no headroom"
        return f"{chosen.worker.name} {why}: give the reason for choosing them"
    top = recommendations[0]
    if chosen.score < top.score:
        return (
            f"{chosen.worker.name} is not the top recommendation ({top.worker.name} is): "
            "give the reason for choosing them"
        )
    return None


# ---------------------------------------------------------------- the bulk proposal


@dataclass(frozen=True)
class ProposedLine:
    request_id: int
    worker_id: int
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Unplaced:
    request_id: int
    reason: str


@dataclass(frozen=True)
class Proposal:
    lines: tuple[ProposedLine, ...]
    unplaced: tuple[Unplaced, ...]
    total_score: float = 0.0
    per_worker: dict[int, int] = field(default_factory=dict)  # worker id: requests proposed


class SolverFailed(RuntimeError):
    """The flow solver did not find an optimum (it always should for this network)."""


def _sort_key(request: WaitingRequest) -> tuple:
    return (request.due_by or dt.date.max, request.id)


def _kind(request: WaitingRequest) -> tuple:
    """What a worker's score for a request depends on, continuity apart."""
    return (tuple(n.code for n in request.needs), request.languages, request.location)


def _base_scores(
    request: WaitingRequest, workers: list[CandidateWorker], weights: Weights
) -> np.ndarray:
    """Each worker's score for requests of this request's kind, continuity apart."""
    base = np.array([_headroom_points(w, weights) for w in workers], dtype=float)
    for column, worker in enumerate(workers):
        matched = sum(1 for n in request.needs if n.code in worker.specialisms)
        base[column] += weights.per_specialism * min(matched, weights.specialisms_counted)
        if any(lang in worker.languages for lang in request.languages):
            base[column] += weights.language
        if request.location is not None and worker.location is not None:
            km = haversine_km(worker.location, request.location)
            base[column] += _distance_points(km, weights)
    return base


def _who_knows(workers: list[CandidateWorker]) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """Columns of the workers who hold each family, and who work with each person."""
    by_family: dict[int, set[int]] = defaultdict(set)
    by_person: dict[int, set[int]] = defaultdict(set)
    for column, worker in enumerate(workers):
        for family in worker.family_ids:
            by_family[family].add(column)
        for person in worker.person_ids:
            by_person[person].add(column)
    return by_family, by_person


@dataclass
class _Network:
    """The flow network's arcs as parallel lists, and what each arc stands for."""

    tails: list[int] = field(default_factory=list)
    heads: list[int] = field(default_factory=list)
    capacities: list[int] = field(default_factory=list)
    costs: list[int] = field(default_factory=list)

    def add(self, tail: int, head: int, capacity: int, cost: int) -> int:
        self.tails.append(tail)
        self.heads.append(head)
        self.capacities.append(capacity)
        self.costs.append(cost)
        return len(self.tails) - 1

    def add_many(self, tails, heads, capacities, costs) -> range:
        first = len(self.tails)
        self.tails.extend(int(t) for t in tails)
        self.heads.extend(int(h) for h in heads)
        self.capacities.extend(int(c) for c in capacities)
        self.costs.extend(int(c) for c in costs)
        return range(first, len(self.tails))


def propose(
    requests: Iterable[WaitingRequest],
    workers: Iterable[CandidateWorker],
    weights: Weights | None = None,
    today: dt.date | None = None,
) -> Proposal:
    """The assignment of waiting requests to workers of their own district that places
    the requests nearest their deadline first when headroom is short, then maximises the
    total score; never more requests to a worker than their headroom in cases. The same
    input always gives the same proposal."""
    weights = weights or Weights()
    ordered = sorted(requests, key=_sort_key)
    if len({r.id for r in ordered}) != len(ordered):
        raise ValueError("each request can appear only once")
    staff = sorted(workers, key=lambda w: w.id)
    if len({w.id for w in staff}) != len(staff):
        raise ValueError("each worker can appear only once")
    if not ordered:
        return Proposal(lines=(), unplaced=())

    # Urgency: the earliest due date gets the largest bonus (a request with no due date
    # comes last); each step of urgency is worth more than all the scores together.
    due_dates = sorted({r.due_by or dt.date.max for r in ordered})
    urgency_of = {day: len(due_dates) - i for i, day in enumerate(due_dates)}

    by_district: dict[int, list[CandidateWorker]] = defaultdict(list)
    for worker in staff:
        if worker.district_id is not None:
            by_district[worker.district_id].append(worker)
    requests_in: dict[int, list[int]] = defaultdict(list)
    for index, request in enumerate(ordered):
        requests_in[request.district_id].append(index)

    # Requests of the same kind score the same with every worker but for continuity, so
    # they reach the workers through one node per kind (kinds x workers arcs rather than
    # requests x workers); a request also has a direct arc to each worker who already
    # works with the family, worth the continuity on top. Both paths carry its urgency.
    continuity = round(weights.continuity * SCORE_SCALE)
    n_requests = len(ordered)
    worker_node = {w.id: n_requests + i for i, w in enumerate(staff)}
    next_node = n_requests + len(staff)
    kind_to_worker: list[tuple[range, list[CandidateWorker], int]] = []
    # Arcs out of each request, costed once the urgency step is known:
    # (request index, head node, score, the worker of a direct arc or None for a kind).
    pieces: list[tuple[int, int, int, CandidateWorker | None]] = []
    best = np.zeros(n_requests, dtype=np.int64)
    network = _Network()
    for district_id in sorted(requests_in):
        able = [w for w in by_district.get(district_id, []) if w.available]
        if not able:
            continue
        columns = np.array([worker_node[w.id] for w in able], dtype=np.int64)
        kinds: dict[tuple, tuple[int, np.ndarray, list[int]]] = {}
        by_family, by_person = _who_knows(able)
        for index in requests_in[district_id]:
            request = ordered[index]
            key = _kind(request)
            if key not in kinds:
                base = np.rint(_base_scores(request, able, weights) * SCORE_SCALE)
                kinds[key] = (next_node, base.astype(np.int64), [])
                next_node += 1
            node, base, members = kinds[key]
            members.append(index)
            best[index] = int(base.max())
            pieces.append((index, node, 0, None))
            known = set(by_family.get(request.family_id, ()))
            for person in request.member_ids:
                known.update(by_person.get(person, ()))
            for column in sorted(known):
                score = int(base[column]) + continuity
                best[index] = max(best[index], score)
                pieces.append((index, int(columns[column]), score, able[column]))
        for node, base, members in kinds.values():
            arcs = network.add_many(
                np.full(len(able), node), columns, np.full(len(able), len(members)), -base
            )
            kind_to_worker.append((arcs, able, node))
    step = int(best.sum()) + 1  # more than any total score the solver could trade away
    request_arc: dict[int, tuple[int, CandidateWorker | None]] = {}
    for index, head, score, worker in pieces:
        urgency = urgency_of[ordered[index].due_by or dt.date.max]
        arc = network.add(index, head, 1, -(urgency * step + score))
        request_arc[arc] = (index, worker)
    unplaced_node, sink = next_node, next_node + 1
    for i, worker in enumerate(staff):
        room = max(worker.headroom_cases, 0) if worker.available else 0
        network.add(n_requests + i, sink, room, 0)
    for index in range(n_requests):
        network.add(index, unplaced_node, 1, 0)
    network.add(unplaced_node, sink, n_requests, 0)

    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        np.array(network.tails, np.int64),
        np.array(network.heads, np.int64),
        np.array(network.capacities, np.int64),
        np.array(network.costs, np.int64),
    )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n_requests] = 1
    supplies[sink] = -n_requests
    solver.set_nodes_supplies(np.arange(sink + 1, dtype=np.int64), supplies)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise SolverFailed(f"the allocation solver stopped with status {status}")
    flows = solver.flows(np.arange(len(network.tails), dtype=np.int64))

    # Direct arcs place a request with a worker it knows; through a kind node, the kind's
    # placed requests (nearest deadline first) go to its workers in worker id order.
    placed: dict[int, CandidateWorker] = {}
    via_kind: dict[int, list[int]] = defaultdict(list)
    for arc, (index, worker) in request_arc.items():
        if flows[arc]:
            if worker is not None:
                placed[index] = worker
            else:
                via_kind[network.heads[arc]].append(index)
    for arcs, able, node in kind_to_worker:
        waiting_here = iter(sorted(via_kind.get(node, [])))
        for arc, worker in zip(arcs, able, strict=True):
            for _ in range(int(flows[arc])):
                placed[next(waiting_here)] = worker

    lines = []
    unplaced = []
    per_worker: dict[int, int] = defaultdict(int)
    for index, request in enumerate(ordered):
        worker = placed.get(index)
        if worker is None:
            unplaced.append(Unplaced(request.id, _unplaced_reason(request, by_district)))
            continue
        reasons = tuple(explain(request, worker, weights))
        lines.append(
            ProposedLine(
                request_id=request.id,
                worker_id=worker.id,
                score=round(sum(r.points for r in reasons), 2),
                reasons=reasons,
            )
        )
        per_worker[worker.id] += 1
    return Proposal(
        lines=tuple(lines),
        unplaced=tuple(unplaced),
        total_score=round(sum(line.score for line in lines), 2),
        per_worker=dict(per_worker),
    )


def _unplaced_reason(request: WaitingRequest, by_district: dict[int, list[CandidateWorker]]) -> str:
    workers = by_district.get(request.district_id, [])
    place = f"{request.district_name} district"
    if not workers:
        return f"No eligible worker in {place}"
    if not any(w.available for w in workers):
        return f"No worker in {place} has headroom"
    return f"Every worker in {place} with headroom is taken by requests due as soon or sooner"
