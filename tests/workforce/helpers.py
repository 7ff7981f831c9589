"""Cases held by workers, written straight to the tables: capacity tests need many open
cases of each type without taking each family through the journey."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from earlyhelp.cases.models import Case, Status
from earlyhelp.configuration.models import CaseType
from earlyhelp.people.models import Family
from earlyhelp.referrals.models import RequestForSupport
from earlyhelp.referrals.models import Status as RequestStatus


def held_case(
    worker,
    *,
    case_type: str | None = None,
    status: str | None = None,
    initial_visit_due_by: dt.date | None = None,
    initial_visit_on: dt.date | None = None,
    next_review_due_by: dt.date | None = None,
) -> Case:
    """An allocated case held by the worker (a User with a team), of the given type
    (None: still in assessment)."""
    team = worker.staff.team
    now = timezone.now()
    family = Family.objects.create(
        name="Heldcase", district=team.district, team=team, key_worker=worker
    )
    request = RequestForSupport.objects.create(
        family=family,
        team=team,
        status=RequestStatus.ALLOCATED,
        route="agency",
        received_at=now,
        first_received_at=now,
        referrer_name="Pat Referrer",
        presenting_needs="Routines",
        created_by=worker,
    )
    if status is None:
        status = Status.ASSESSMENT if case_type is None else Status.PLANNING
    return Case.objects.create(
        request=request,
        family=family,
        urn=f"TST-{request.pk:06d}",
        status=status,
        key_worker=worker,
        team=team,
        allocated_at=now,
        allocated_by=worker,
        initial_visit_due_by=initial_visit_due_by or timezone.localdate() + dt.timedelta(days=9),
        initial_visit_on=initial_visit_on,
        case_type=CaseType.objects.get(code=case_type) if case_type else None,
        next_review_due_by=next_review_due_by,
        closed_on=timezone.localdate() if status == Status.CLOSED else None,
    )


def hold(worker, profile: dict[str | None, int]) -> None:
    """Give the worker open cases by type: {"L2A": 3, None: 1}."""
    for case_type, count in profile.items():
        for _ in range(count):
            held_case(worker, case_type=case_type)
