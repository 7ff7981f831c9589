"""The outcomes framework (Appendix A) and Outcomes Star analytics as plain rules: what a
case targeted and achieved, distance travelled per Star area, improving or declining,
and the shares over a cohort. No Django here."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

ACHIEVED = "achieved"  # the plan action status that counts an outcome achieved


class Direction(StrEnum):
    IMPROVING = "improving"
    UNCHANGED = "unchanged"
    DECLINING = "declining"


class ReadingKind(StrEnum):
    BASELINE = "baseline"
    REVIEW = "review"
    CLOSURE = "closure"


# Plain slotted dataclasses, not frozen ones: a cohort makes tens of thousands of these
# and a frozen dataclass's __init__ is several times slower. Nothing here changes them.
@dataclass(slots=True)
class Reading:
    """One Outcomes Star reading: when, at which point, and the score of each area."""

    kind: str
    taken_on: dt.date | str  # a date, or the date as ISO text (which sorts the same)
    scores: Mapping[str, int]
    star_id: int | None = None
    order: int = 0  # the record's id: ties on one day go to the one recorded later


@dataclass(slots=True)
class Action:
    """A plan action as far as outcomes go: the outcome it serves and its status."""

    outcome: int | None
    status: str


def target_threshold(scale_min: int, scale_max: int) -> int:
    """The score an area must reach at baseline not to be a need the plan targets: the
    start of the top two fifths of the scale (7 on a 1-10 Star, where 7-8 is "finding
    what works" and 9-10 "managing well"). Below it, the family is still struggling,
    accepting help or making changes in that area."""
    steps = scale_max - scale_min + 1
    return scale_min + math.ceil(steps * 3 / 5)


def baseline_and_latest(readings: Iterable[Reading]) -> tuple[Reading | None, Reading | None]:
    """The first baseline, and the latest later reading of the same Star (a review or
    the closure) after it; a reading before the baseline does not count."""
    ordered = sorted(readings, key=lambda r: (r.taken_on, r.order))
    baseline = next((r for r in ordered if r.kind == ReadingKind.BASELINE), None)
    if baseline is None:
        return None, None
    later = [
        r
        for r in ordered
        if r is not baseline
        and r.kind != ReadingKind.BASELINE
        and r.star_id == baseline.star_id
        and (r.taken_on, r.order) >= (baseline.taken_on, baseline.order)
    ]
    return baseline, (later[-1] if later else None)


def distance_travelled(baseline: Mapping[str, int], latest: Mapping[str, int]) -> dict[str, int]:
    """Latest score minus baseline score, for each area scored in both."""
    return {area: latest[area] - baseline[area] for area in baseline if area in latest}


def direction(change: int) -> Direction:
    if change > 0:
        return Direction.IMPROVING
    if change < 0:
        return Direction.DECLINING
    return Direction.UNCHANGED


def area_directions(baseline: Mapping[str, int], latest: Mapping[str, int]) -> dict[str, Direction]:
    """Improving, unchanged or declining in each area scored at both readings."""
    return {
        area: direction(change) for area, change in distance_travelled(baseline, latest).items()
    }


@dataclass(slots=True)
class OutcomeResult:
    """One service outcome for one case: why it was targeted and why achieved."""

    number: int
    targeting_actions: int = 0
    achieved_actions: int = 0
    targeted_areas: tuple[str, ...] = ()
    improved_areas: tuple[str, ...] = ()

    @property
    def targeted(self) -> bool:
        return self.targeting_actions > 0 or bool(self.targeted_areas)

    @property
    def achieved(self) -> bool:
        return self.achieved_actions > 0 or bool(self.improved_areas)


def case_outcomes(
    *,
    outcomes: Sequence[int],
    actions: Iterable[Action],
    area_outcomes: Mapping[str, int | None],
    threshold: int,
    baseline: Mapping[str, int] | None,
    latest: Mapping[str, int] | None,
) -> dict[int, OutcomeResult]:
    """Per service outcome: targeted when a plan action serves it or a Star area that
    maps to it scored below the threshold at baseline; achieved when such an action was
    achieved or such a targeted area improved by the latest reading."""
    targeting = dict.fromkeys(outcomes, 0)
    achieved = dict.fromkeys(outcomes, 0)
    for action in actions:
        if action.outcome in targeting:
            targeting[action.outcome] += 1
            if action.status == ACHIEVED:
                achieved[action.outcome] += 1
    targeted_areas: dict[int, list[str]] = {n: [] for n in outcomes}
    improved_areas: dict[int, list[str]] = {n: [] for n in outcomes}
    # In the Star's own area order (``area_outcomes``), not the order scores were stored.
    for area, number in area_outcomes.items():
        score = (baseline or {}).get(area)
        if score is None or number not in targeted_areas or score >= threshold:
            continue
        targeted_areas[number].append(area)
        if latest is not None and area in latest and latest[area] > score:
            improved_areas[number].append(area)
    return {
        n: OutcomeResult(
            number=n,
            targeting_actions=targeting[n],
            achieved_actions=achieved[n],
            targeted_areas=tuple(targeted_areas[n]),
            improved_areas=tuple(improved_areas[n]),
        )
        for n in outcomes
    }


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to share out."""
    return part / whole if whole else None


@dataclass
class OutcomeTally:
    number: int
    targeted: list[int] = field(default_factory=list)  # case ids
    achieved: list[int] = field(default_factory=list)  # case ids: targeted and achieved

    @property
    def achieved_share(self) -> float | None:
        """The share of the cases targeting the outcome that achieved it."""
        return share(len(self.achieved), len(self.targeted))


def tally_outcomes(
    results: Mapping[int, Mapping[int, OutcomeResult]], outcomes: Sequence[int]
) -> dict[int, OutcomeTally]:
    """Over a cohort (case id -> per-outcome results): the cases targeting each outcome
    and those of them achieving it."""
    tallies = {n: OutcomeTally(number=n) for n in outcomes}
    for case_id, per_outcome in results.items():
        for n, result in per_outcome.items():
            if n not in tallies or not result.targeted:
                continue
            tallies[n].targeted.append(case_id)
            if result.achieved:
                tallies[n].achieved.append(case_id)
    return tallies


def latest_case_per_family(cases: Iterable[tuple[int, int, Any]]) -> list[int]:
    """Families counted once: of (case id, family id, sort key) the case with the latest
    sort key (then the highest id) for each family, in case id order."""
    best: dict[int, tuple[Any, int]] = {}
    for case_id, family_id, key in cases:
        current = best.get(family_id)
        if current is None or (key, case_id) > current:
            best[family_id] = (key, case_id)
    return sorted(case_id for _, case_id in best.values())


@dataclass
class AreaTally:
    """One Star area over a cohort of families with a baseline and a later reading."""

    area: str
    measured: list[int] = field(default_factory=list)  # case ids
    improving: list[int] = field(default_factory=list)
    declining: list[int] = field(default_factory=list)
    total_change: int = 0

    @property
    def improving_share(self) -> float | None:
        return share(len(self.improving), len(self.measured))

    @property
    def declining_share(self) -> float | None:
        return share(len(self.declining), len(self.measured))

    @property
    def mean_distance(self) -> float | None:
        return self.total_change / len(self.measured) if self.measured else None


def tally_star(
    pairs: Mapping[int, tuple[Mapping[str, int], Mapping[str, int]]], areas: Sequence[str]
) -> dict[str, AreaTally]:
    """Per area, over (case id -> (baseline scores, latest scores)): the cases measured,
    improving and declining, and the total change for the mean distance travelled."""
    tallies = {area: AreaTally(area=area) for area in areas}
    for case_id in sorted(pairs):
        baseline, latest = pairs[case_id]
        for area, change in distance_travelled(baseline, latest).items():
            tally = tallies.get(area)
            if tally is None:
                continue
            tally.measured.append(case_id)
            tally.total_change += change
            if change > 0:
                tally.improving.append(case_id)
            elif change < 0:
                tally.declining.append(case_id)
    return tallies
