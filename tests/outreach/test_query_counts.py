"""The outreach list, Talkzone log, rota and reach pages and their API lists cost the same
number of queries for 2 rows as for 12: no query per row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from earlyhelp.outreach import services
from tests.factories import FamilyFactory, FamilyMemberFactory, PersonFactory
from tests.outreach.conftest import contact_input, session_input
from tests.outreach.test_reach import attend_group

FEW, MANY = 2, 12

PAGES = [
    "/outreach/",
    "/outreach/areas/",
    "/outreach/reach/",
    "/talkzone/",
    "/talkzone/rota/",
    "/api/v1/outreach/sessions",
    "/api/v1/outreach/areas",
    "/api/v1/outreach/reach",
    "/api/v1/talkzone/contacts",
    "/api/v1/talkzone/rota",
]


def queries(user, path: str) -> int:
    """Queries of one GET, after a first call has warmed the per-process caches."""
    client = Client()
    client.force_login(user)
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured)


def add_rows(ow, start: int, count: int) -> None:
    """``count`` sessions (each meeting a new young person), linked Talkzone contacts,
    group attendances and rota shifts this week."""
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    for n in range(start, start + count):
        day = today - dt.timedelta(days=1 + n)
        person = PersonFactory(date_of_birth=dt.date(2010, 1, 1))
        FamilyMemberFactory(
            family=FamilyFactory(district=ow.world.district, team=ow.world.team), person=person
        )
        starts_at = timezone.make_aware(dt.datetime.combine(day, dt.time(18)))
        services.record_outreach_session(
            actor=ow.outreach_worker,
            data=session_input(
                ow,
                area=f"Area {n}",
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(hours=2),
                people_met_ids=(person.pk,),
            ),
        )
        services.record_talkzone_contact(
            actor=ow.world.manager,
            data=contact_input(occurred_at=starts_at, person_id=person.pk),
        )
        attend_group(ow, person, on=day)
        shift_day = monday + dt.timedelta(days=n % 7)
        hour = 14 + (n // 7) % 8
        services.add_talkzone_shift(
            actor=ow.world.head,
            worker_id=ow.talkzone_worker.staff.pk,
            starts_at=timezone.make_aware(dt.datetime.combine(shift_day, dt.time(hour))),
            ends_at=timezone.make_aware(dt.datetime.combine(shift_day, dt.time(hour, 30))),
        )


@pytest.mark.parametrize("path", PAGES)
def test_queries_do_not_grow_with_rows(ow, path):
    add_rows(ow, 0, FEW)
    few = queries(ow.world.head, path)

    add_rows(ow, FEW, MANY - FEW)
    many = queries(ow.world.head, path)

    assert many == few, f"{path}: {few} queries for {FEW} rows, {many} for {MANY}"
