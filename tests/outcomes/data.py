"""A small hand-built data set with known outcomes answers.

Star areas map to outcomes: physical-health 3, wellbeing 4, boundaries 1, routines 2,
home 5, progress 2 (scale 1-10, so an area below 7 at baseline is a targeted need).

- A: key worker's case (Preston team). Baseline all 3; review physical-health 5,
  wellbeing 3, boundaries 2, routines 8, home 3, progress 4. Actions: outcome 2
  achieved, outcome 3 in progress. Family FA.
- A0: an earlier, closed case of family FA (second worker), baseline 2 and review 9
  everywhere: it must not count in the Star cohort, where FA counts once through A.
- B: second worker's case (Preston). Baseline all 8 (no need), closure all 9. Action:
  outcome 1 not achieved. Target group "workless".
- C: other worker's case (Lancaster team). Baseline all 4, no later reading.
- D: key worker's case (Preston). A review reading only: no baseline, no distance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from earlyhelp.cases.models import ActionStatus, Case, PlanAction, StarReading, Status
from earlyhelp.configuration.models import ServiceOutcome, StarArea, TargetGroup
from earlyhelp.referrals import services as rfs
from tests.casework import STAR_AREAS, World, open_case, submit

AREA_OUTCOMES = {
    "physical-health": 3,
    "wellbeing": 4,
    "boundaries": 1,
    "routines": 2,
    "home": 5,
    "progress": 2,
}


@dataclass
class OutcomesData:
    a: Case
    a0: Case
    b: Case
    c: Case
    d: Case


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def _star(world: World, case: Case, kind: str, day: dt.date, scores: dict[str, int]):
    return StarReading.objects.create(
        case=case,
        star=world.star,
        kind=kind,
        taken_on=day,
        scores=scores,
        recorded_by=case.key_worker,
    )


def _action(case: Case, outcome: int | None, status: str) -> PlanAction:
    return PlanAction.objects.create(
        case=case,
        what=f"Action for outcome {outcome} ({status})",
        who="Parent",
        by_when=dt.date(2026, 4, 1),
        success_measure="Seen to happen",
        status=status,
        outcome=ServiceOutcome.objects.get(number=outcome) if outcome else None,
    )


def _dated(case: Case, allocated: dt.date, closed: dt.date | None = None) -> Case:
    fields = {"allocated_at": _at(allocated)}
    if closed:
        fields |= {"closed_on": closed, "status": Status.CLOSED}
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case


def other_district_case(world: World) -> Case:
    """A case in the other district, held by the other team's worker."""
    request = submit(world, postcode="LA1 1AA")
    return rfs.allocate_request(
        actor=world.other_manager,
        request_id=request.pk,
        key_worker_id=world.other_worker.pk,
        reason="Has capacity",
    )


def build_outcomes_data(world: World) -> OutcomesData:
    for code, number in AREA_OUTCOMES.items():
        StarArea.objects.filter(star=world.star, code=code).update(
            outcome=ServiceOutcome.objects.get(number=number)
        )
    a = _dated(open_case(world), dt.date(2026, 2, 2))
    _star(world, a, "baseline", dt.date(2026, 2, 9), dict.fromkeys(STAR_AREAS, 3))
    _star(
        world,
        a,
        "review",
        dt.date(2026, 5, 4),
        {
            "physical-health": 5,
            "wellbeing": 3,
            "boundaries": 2,
            "routines": 8,
            "home": 3,
            "progress": 4,
        },
    )
    _action(a, 2, ActionStatus.ACHIEVED)
    _action(a, 3, ActionStatus.IN_PROGRESS)

    a0 = _dated(
        open_case(world, worker=world.second_worker), dt.date(2025, 6, 2), dt.date(2025, 9, 30)
    )
    Case.objects.filter(pk=a0.pk).update(family=a.family)
    a0.refresh_from_db()
    _star(world, a0, "baseline", dt.date(2025, 6, 9), dict.fromkeys(STAR_AREAS, 2))
    _star(world, a0, "review", dt.date(2025, 9, 1), dict.fromkeys(STAR_AREAS, 9))

    b = _dated(
        open_case(world, worker=world.second_worker), dt.date(2026, 1, 5), dt.date(2026, 6, 30)
    )
    b.request.target_groups.set([TargetGroup.objects.get(code="workless")])
    _star(world, b, "baseline", dt.date(2026, 1, 12), dict.fromkeys(STAR_AREAS, 8))
    _star(world, b, "closure", dt.date(2026, 6, 29), dict.fromkeys(STAR_AREAS, 9))
    _action(b, 1, ActionStatus.NOT_ACHIEVED)

    c = _dated(other_district_case(world), dt.date(2026, 3, 2))
    _star(world, c, "baseline", dt.date(2026, 3, 9), dict.fromkeys(STAR_AREAS, 4))

    d = _dated(open_case(world), dt.date(2026, 3, 16))
    _star(world, d, "review", dt.date(2026, 4, 20), dict.fromkeys(STAR_AREAS, 5))
    return OutcomesData(a=a, a0=a0, b=b, c=c, d=d)
