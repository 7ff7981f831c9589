"""Query counts do not grow with rows: the programme (centre) page, the register, the
run, the specification check, the API lists and the selectors the reach report and the
case page read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.centres import selectors
from earlyhelp.centres.models import (
    AgeBand,
    Attendance,
    Centre,
    HeadCount,
    OpeningTime,
    Participant,
    ProgrammeSession,
    RotaEntry,
)
from tests.centres.conftest import make_run
from tests.factories import PersonFactory, make_staff

pytestmark = pytest.mark.django_db


def _queries(fn) -> int:
    fn()  # once first: the sign-in's session and caches settle on the first request
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def _add_sessions(p, count: int, start: int) -> None:
    for n in range(start, start + count):
        session = ProgrammeSession.objects.create(
            centre=p.enhanced, weekday=n % 5, starts_at=dt.time(9 + n // 5),
            ends_at=dt.time(10 + n // 5), session_type="weekday_daytime", title=f"Session {n}",
            room=p.hall, grade_6=1, outreach_a=2,
        )  # fmt: skip
        staff = make_staff(Role.OUTREACH_WORKER, team=p.team).staff
        RotaEntry.objects.create(session=session, staff=staff, post="outreach_a")


def test_the_programme_page_does_not_grow_with_sessions(client, programme):
    client.force_login(programme.manager)
    url = reverse("centres:detail", args=[programme.enhanced.pk])
    _add_sessions(programme, 2, 0)
    small = _queries(lambda: client.get(url))
    _add_sessions(programme, 10, 2)

    large = _queries(lambda: client.get(url))

    assert large == small
    assert b"Session 11" in client.get(url).content


def test_the_session_page_does_not_grow_with_its_rota(client, programme):
    client.force_login(programme.manager)
    _add_sessions(programme, 1, 0)
    session = ProgrammeSession.objects.get()
    url = reverse("centres:session", args=[session.pk])
    small = _queries(lambda: client.get(url))
    for _ in range(5):
        RotaEntry.objects.create(
            session=session, staff=make_staff(Role.KEY_WORKER, team=programme.team).staff,
            post="grade_6",
        )  # fmt: skip

    assert _queries(lambda: client.get(url)) == small


def _register_data(p, run, people: int) -> None:
    session = run.sessions.get(number=1)
    for _ in range(people):
        person = PersonFactory()
        Participant.objects.create(
            run=run, person=person, consent_recorded_at=timezone.now(), enrolled_by=p.manager
        )
        Attendance.objects.create(session=session, person=person)


def test_the_register_and_run_pages_do_not_grow_with_participants(client, programme):
    AgeBand.objects.create(code="0-4", name="0 to 4", min_age=0, max_age=4)
    AgeBand.objects.create(code="adult", name="Adults", min_age=18)
    run = make_run(programme, starts_on=timezone.localdate() - dt.timedelta(weeks=1))
    register = reverse("centres:register", args=[run.sessions.get(number=1).pk])
    run_page = reverse("centres:run", args=[run.pk])
    client.force_login(programme.outreach)
    _register_data(programme, run, 2)
    small = (_queries(lambda: client.get(register)), _queries(lambda: client.get(run_page)))

    _register_data(programme, run, 12)

    assert (_queries(lambda: client.get(register)), _queries(lambda: client.get(run_page))) == small


def _more_centres(p, count: int, start: int) -> None:
    for n in range(start, start + count):
        centre = Centre.objects.create(
            code=f"extra-{n}", name=f"Extra {n}", address_line_1="1 Hope Street", town="Preston",
            postcode="PR1 3AB", district=p.other_district if n % 2 else p.district,
            offer=p.core.offer,
        )  # fmt: skip
        OpeningTime.objects.create(
            centre=centre, weekday=0, opens_at=dt.time(9), closes_at=dt.time(17)
        )
        ProgrammeSession.objects.create(
            centre=centre, weekday=0, starts_at=dt.time(10), ends_at=dt.time(12),
            session_type="weekday_daytime", title="Drop-in",
        )  # fmt: skip


def test_the_check_and_centre_list_do_not_grow_with_centres(client, programme):
    client.force_login(programme.head)
    _more_centres(programme, 2, 0)
    pages = [
        reverse("centres:check"),
        reverse("centres:list"),
        "/api/v1/centres",
        "/api/v1/centres/check",
        "/api/v1/centres/programmes",
    ]
    small = [_queries(lambda url=url: client.get(url)) for url in pages]

    _more_centres(programme, 10, 2)

    assert [_queries(lambda url=url: client.get(url)) for url in pages] == small


def test_the_reach_and_case_selectors_do_not_grow_with_attendance(programme):
    run = make_run(programme, starts_on=dt.date(2026, 3, 2))
    band = AgeBand.objects.create(code="adult", name="Adults", min_age=18)
    since, until = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    people = []

    def grow(n: int) -> None:
        for session in run.sessions.all():
            HeadCount.objects.update_or_create(
                session=session, age_band=band, defaults={"count": 9}
            )
            for _ in range(n):
                person = PersonFactory()
                people.append(person.pk)
                Attendance.objects.create(session=session, person=person)

    def read() -> None:
        list(selectors.group_reach(since=since, until=until))
        selectors.group_head_counts(since=since, until=until)
        selectors.attendance_for_people(people)

    grow(1)
    small = _queries(read)
    grow(6)

    assert _queries(read) == small
    assert len(list(selectors.group_reach(since=since, until=until))) == len(people)
