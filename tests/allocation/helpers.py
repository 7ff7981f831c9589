"""Waiting requests and loaded workers written straight to the tables: allocation tests
need queues of many requests without taking each through intake."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from earlyhelp.people.models import Family, FamilyMember, Person
from earlyhelp.referrals.models import RequestForSupport, RequestMember, Status
from tests.workforce.helpers import held_case


def waiting(
    world,
    *,
    family: Family | None = None,
    due_by: dt.date | None = None,
    team=None,
    language: str = "English",
    born: dt.date = dt.date(2022, 5, 1),
    name: str = "Waiting",
) -> RequestForSupport:
    """A request awaiting allocation about a child (a new family unless one is given)."""
    team = team or world.team
    if family is None:
        family = Family.objects.create(name=name, district=team.district, team=team)
        child = Person.objects.create(
            first_name="Kit", last_name=name, date_of_birth=born, preferred_language=language
        )
        FamilyMember.objects.create(family=family, person=child, relationship="child")
    now = timezone.now()
    request = RequestForSupport.objects.create(
        family=family,
        team=team,
        status=Status.AWAITING_ALLOCATION,
        route="agency",
        received_at=now,
        first_received_at=now,
        allocation_due_by=due_by or timezone.localdate() + dt.timedelta(days=5),
        referrer_name="Pat Referrer",
        presenting_needs="Routines",
        created_by=world.business_support,
    )
    request.caf_urn = f"TST-W-{request.pk:06d}"
    request.save(update_fields=["caf_urn"])
    for membership in family.memberships.all():
        RequestMember.objects.create(request=request, person_id=membership.person_id)
    return request


def load(worker, cases: int) -> list:
    """Give a worker this many open L2B cases (fortnightly visits: 18 of them fill the
    caseload limit before the week's slots)."""
    return [held_case(worker, case_type="L2B") for _ in range(cases)]
