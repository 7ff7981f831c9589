"""The selectors the reach report and the case page read: named attendance once per
person and centre, head counts summed by age band."""

from __future__ import annotations

import datetime as dt

import pytest

from earlyhelp.centres import selectors
from earlyhelp.centres.models import (
    AgeBand,
    Attendance,
    Centre,
    GroupProgramme,
    GroupRun,
    GroupSession,
    HeadCount,
    Offer,
    ProgrammeKind,
)
from tests.factories import DistrictFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def _session(centre, number, date, *, run=None):
    if run is None:
        programme = GroupProgramme.objects.create(
            code=f"p-{centre.pk}-{number}", name="Positive parenting", kind=ProgrammeKind.TARGETED,
            theme="Parenting", number_of_sessions=6, completion_sessions=4,
        )  # fmt: skip
        run = GroupRun.objects.create(
            programme=programme, centre=centre, starts_on=date, starts_at=dt.time(10),
            ends_at=dt.time(12), created_by=UserFactory(),
        )  # fmt: skip
    return GroupSession.objects.create(
        run=run, number=number, date=date, starts_at=dt.time(10), ends_at=dt.time(12)
    )


def _centre(code, district):
    offer, _ = Offer.objects.get_or_create(code="core", defaults={"name": "Core"})
    return Centre.objects.create(
        code=code, name=code.title(), address_line_1="1 Church Street", town="Preston",
        postcode="PR1 2AB", district=district, offer=offer,
    )  # fmt: skip


def test_group_reach_lists_each_person_once_per_centre_in_the_period():
    north, south = DistrictFactory(), DistrictFactory()
    a, b = _centre("alpha", north), _centre("beta", south)
    first = _session(a, 1, dt.date(2026, 3, 2))
    second = _session(a, 2, dt.date(2026, 3, 9), run=first.run)
    elsewhere = _session(b, 1, dt.date(2026, 3, 10))
    too_late = _session(b, 2, dt.date(2026, 5, 1), run=elsewhere.run)
    amy, ben = PersonFactory(), PersonFactory()
    for session in (first, second, elsewhere):
        Attendance.objects.create(session=session, person=amy)
    Attendance.objects.create(session=too_late, person=ben)

    rows = set(selectors.group_reach(since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 31)))

    assert rows == {(amy.pk, a.pk, north.pk), (amy.pk, b.pk, south.pk)}
    assert set(
        selectors.group_reach(
            since=dt.date(2026, 3, 1), until=dt.date(2026, 5, 31), district_ids=[south.pk]
        )
    ) == {(amy.pk, b.pk, south.pk), (ben.pk, b.pk, south.pk)}
    assert list(
        selectors.group_reach(
            since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 31), centre_ids=[b.pk]
        )
    ) == [(amy.pk, b.pk, south.pk)]


def test_head_counts_are_summed_per_centre_and_age_band():
    district = DistrictFactory()
    centre = _centre("gamma", district)
    under_5 = AgeBand.objects.create(code="0-4", name="0 to 4", min_age=0, max_age=4)
    adults = AgeBand.objects.create(code="adult", name="Adults", min_age=20, sort_order=9)
    one = _session(centre, 1, dt.date(2026, 3, 2))
    two = _session(centre, 2, dt.date(2026, 3, 9), run=one.run)
    HeadCount.objects.create(session=one, age_band=under_5, count=4)
    HeadCount.objects.create(session=two, age_band=under_5, count=6)
    HeadCount.objects.create(session=two, age_band=adults, count=5)

    rows = selectors.group_head_counts(since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 31))

    assert [(r.centre_id, r.district_id, r.age_band, r.count) for r in rows] == [
        (centre.pk, district.pk, "0-4", 10),
        (centre.pk, district.pk, "adult", 5),
    ]


def test_attendance_for_people_lists_their_sessions_latest_first():
    centre = _centre("delta", DistrictFactory())
    one = _session(centre, 1, dt.date(2026, 3, 2))
    two = _session(centre, 2, dt.date(2026, 3, 9), run=one.run)
    amy, other = PersonFactory(), PersonFactory()
    Attendance.objects.create(session=one, person=amy)
    Attendance.objects.create(session=two, person=amy)
    Attendance.objects.create(session=two, person=other)

    rows = selectors.attendance_for_people([amy.pk])

    assert [(r.person_id, r.date, r.session_number) for r in rows] == [
        (amy.pk, dt.date(2026, 3, 9), 2),
        (amy.pk, dt.date(2026, 3, 2), 1),
    ]
    assert rows[0].programme == "Positive parenting"
    assert rows[0].venue == "Delta"
