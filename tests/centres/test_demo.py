"""The demo programme on top of the demo service: the full 452-session week, named staff
on the rota never on two sessions at once, recent weeks delivered, and group runs whose
registers keep to the rules. Deterministic for a seed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command

from earlyhelp.centres import rules_spec, selectors
from earlyhelp.centres.demo import seed_centres_demo
from earlyhelp.centres.models import (
    Attendance,
    GroupRun,
    GroupSession,
    ProgrammeSession,
    RotaEntry,
    SessionOccurrence,
)

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 3, 11)


@pytest.fixture
def demo_service(lancashire):
    call_command("seed_demo", families=40, staff=60, seed=7, stdout=StringIO())


def _rota_signature():
    return sorted(
        RotaEntry.objects.values_list(
            "session__centre__code", "session__weekday", "session__starts_at", "staff__user__email"
        )
    )


def test_the_demo_programme_keeps_to_the_rules(demo_service):
    summary = seed_centres_demo(seed=7, as_of=AS_OF)

    assert summary.sessions == 452 == ProgrammeSession.objects.count()
    assert summary.rota > 0
    busy = defaultdict(list)
    for entry in RotaEntry.objects.select_related("session"):
        s = entry.session
        for start, end in busy[(entry.staff_id, s.weekday)]:
            assert not rules_spec.overlaps(s.starts_at, s.ends_at, start, end)
        busy[(entry.staff_id, s.weekday)].append((s.starts_at, s.ends_at))
    for session in ProgrammeSession.objects.select_related("centre", "room"):
        opening = session.centre.opening_times.get(weekday=session.weekday)
        assert rules_spec.within(
            session.starts_at, session.ends_at, opening.opens_at, opening.closes_at
        )
        if session.room:
            assert session.expected_attendance <= session.room.capacity
    assert SessionOccurrence.objects.filter(date__gte=AS_OF).count() == 0
    assert GroupRun.objects.count() == summary.runs > 0
    for session in GroupSession.objects.filter(register_taken_at__isnull=False):
        assert session.date < AS_OF
        named = session.attendances.count()
        assert sum(session.head_counts.values_list("count", flat=True)) >= named
    assert Attendance.objects.count() == summary.attendances
    check = selectors.specification_check(week_starting=AS_OF - dt.timedelta(weeks=1))
    assert check.county.tally.sessions_planned == 452
    assert check.county.tally.sessions_delivered + check.county.tally.sessions_cancelled == 452


def test_the_demo_is_the_same_for_the_same_seed(demo_service):
    seed_centres_demo(seed=7, as_of=AS_OF)
    first = _rota_signature()
    cancelled = sorted(
        SessionOccurrence.objects.filter(status="cancelled").values_list(
            "session__centre__code", "session__weekday", "session__starts_at", "date"
        )
    )
    GroupSession.objects.all().delete()
    GroupRun.objects.all().delete()
    SessionOccurrence.objects.all().delete()
    RotaEntry.objects.all().delete()
    ProgrammeSession.objects.all().delete()

    seed_centres_demo(seed=7, as_of=AS_OF)

    assert _rota_signature() == first
    assert (
        sorted(
            SessionOccurrence.objects.filter(status="cancelled").values_list(
                "session__centre__code", "session__weekday", "session__starts_at", "date"
            )
        )
        == cancelled
    )
