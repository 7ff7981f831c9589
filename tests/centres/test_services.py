"""The programme's rules, each refusal with a clear message naming its field: a session
outside the centre's opening, a worker on two sessions at once, a room over capacity, a
register before the session has happened, a head count below the named attendees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from earlyhelp.audit.models import AuditEvent
from earlyhelp.centres import selectors, services
from earlyhelp.centres.models import (
    AgeBand,
    Attendance,
    OpeningTime,
    ProgrammeSession,
    RotaEntry,
    SessionOccurrence,
)
from earlyhelp.centres.services import ProgrammeRuleBroken
from tests.centres.conftest import make_run
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
T = dt.time


def _add(p, **kwargs):
    values = {
        "centre_id": p.enhanced.pk, "weekday": 1, "starts_at": T(10), "ends_at": T(12),
        "title": "Stay and play",
    }  # fmt: skip
    values.update(kwargs)
    return services.add_programme_session(actor=p.manager, **values)


@pytest.mark.parametrize(
    ("weekday", "start", "kind"),
    [
        (0, T(9, 30), "weekday_daytime"),
        (2, T(15, 29), "weekday_daytime"),
        (3, T(15, 30), "twilight"),
        (4, T(18), "evening_weekend"),
        (5, T(10), "evening_weekend"),
    ],
)
def test_a_sessions_type_follows_from_its_day_and_start_time(programme, weekday, start, kind):
    OpeningTime.objects.create(centre=programme.enhanced, weekday=5, opens_at=T(9), closes_at=T(17))

    session = _add(
        programme,
        weekday=weekday,
        starts_at=start,
        ends_at=T(20, 30) if start >= T(18) else T(16, 30) if start > T(12) else T(11, 45),
    )

    assert session.session_type == kind


def test_a_session_outside_the_centres_opening_is_refused(programme):
    with pytest.raises(ProgrammeRuleBroken) as refused:
        _add(programme, centre_id=programme.core.pk, starts_at=T(16), ends_at=T(18))

    assert refused.value.field == "starts_at"
    assert refused.value.message == (
        "The session must be within the centre's opening on Tuesdays, 09:00 to 17:00"
    )
    assert not ProgrammeSession.objects.exists()


def test_a_session_on_a_day_the_centre_is_closed_is_refused(programme):
    with pytest.raises(ProgrammeRuleBroken) as refused:
        _add(programme, weekday=6)

    assert refused.value.field == "weekday"
    assert "is not open on Sundays" in refused.value.message


def test_a_room_over_capacity_is_refused(programme):
    with pytest.raises(ProgrammeRuleBroken) as refused:
        _add(programme, room_id=programme.small_room.pk, expected_attendance=7)

    assert refused.value.field == "expected_attendance"
    assert refused.value.message == "Quiet room holds 6 people: 7 expected is over its capacity"


def test_a_room_cannot_hold_two_sessions_at_once(programme):
    _add(programme, room_id=programme.hall.pk)

    with pytest.raises(ProgrammeRuleBroken) as refused:
        _add(programme, room_id=programme.hall.pk, starts_at=T(11), ends_at=T(13))

    assert refused.value.field == "room"
    assert "Main hall is already booked on Tuesdays 10:00 to 12:00" in refused.value.message
    # Back to back is fine.
    assert _add(programme, room_id=programme.hall.pk, starts_at=T(12), ends_at=T(13)).pk


def test_the_end_must_be_after_the_start(programme):
    with pytest.raises(ProgrammeRuleBroken) as refused:
        _add(programme, starts_at=T(12), ends_at=T(11))

    assert refused.value.field == "ends_at"


def test_a_worker_cannot_be_on_two_sessions_at_once(programme):
    here = _add(programme)
    there = _add(programme, centre_id=programme.core.pk, starts_at=T(11), ends_at=T(13))
    later = _add(programme, starts_at=T(13), ends_at=T(14))
    staff = programme.outreach.staff
    services.add_to_rota(
        actor=programme.manager, session_id=here.pk, staff_id=staff.pk, post="outreach_a"
    )

    with pytest.raises(ProgrammeRuleBroken) as refused:
        services.add_to_rota(
            actor=programme.manager, session_id=there.pk, staff_id=staff.pk, post="outreach_a"
        )

    assert refused.value.field == "staff"
    assert refused.value.message == (
        f"{programme.outreach} is already on Stay and play at Ribbleton Neighbourhood Centre, "
        "Tuesdays 10:00 to 12:00"
    )
    assert RotaEntry.objects.filter(staff=staff).count() == 1
    services.add_to_rota(
        actor=programme.manager, session_id=later.pk, staff_id=staff.pk, post="outreach_a"
    )
    assert RotaEntry.objects.filter(staff=staff).count() == 2


def test_a_withdrawn_session_frees_its_workers(programme):
    here = _add(programme)
    staff = programme.outreach.staff
    services.add_to_rota(
        actor=programme.manager, session_id=here.pk, staff_id=staff.pk, post="grade_6"
    )

    services.withdraw_programme_session(actor=programme.manager, session_id=here.pk)
    other = _add(programme, starts_at=T(10), ends_at=T(11))
    services.add_to_rota(
        actor=programme.manager, session_id=other.pk, staff_id=staff.pk, post="grade_6"
    )

    assert not ProgrammeSession.objects.get(pk=here.pk).is_active
    assert list(RotaEntry.objects.values_list("session_id", flat=True)) == [other.pk]


def _last_tuesday() -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=(today.weekday() - 1) % 7 or 7)


def test_delivered_and_cancelled_sessions_are_recorded_and_counted(programme):
    session = _add(programme, room_id=programme.hall.pk, expected_attendance=10)
    tuesday = _last_tuesday()

    services.record_session_occurrence(
        actor=programme.outreach, session_id=session.pk, date=tuesday, status="delivered",
        staff_present=4, attendance=12,
    )  # fmt: skip
    services.record_session_occurrence(
        actor=programme.outreach, session_id=session.pk, date=tuesday - dt.timedelta(weeks=1),
        status="cancelled", cancellation_reason="Snow",
    )  # fmt: skip

    check = selectors.specification_check(week_starting=tuesday)
    row = next(r for r in check.centres if r.object_id == programme.enhanced.pk)
    assert (row.tally.sessions_delivered, row.tally.sessions_cancelled) == (1, 0)
    assert row.weeks_open == 1
    assert AuditEvent.objects.filter(code="programme_session.cancelled").count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"date_shift": 1}, "date", "This session runs on Tuesdays"),
        ({"status": "cancelled"}, "cancellation_reason", "Enter why the session was cancelled"),
        ({"attendance": 31}, "attendance", "Main hall holds 30 people: 31 is over its capacity"),
        ({"future": True}, "date", "once it has happened"),
    ],
)
def test_bad_delivery_records_are_refused(programme, change, field, message):
    session = _add(programme, room_id=programme.hall.pk)
    date = _last_tuesday() + dt.timedelta(days=change.get("date_shift", 0))
    if change.get("future"):
        date = _last_tuesday() + dt.timedelta(weeks=2)

    with pytest.raises(ProgrammeRuleBroken) as refused:
        services.record_session_occurrence(
            actor=programme.outreach, session_id=session.pk, date=date,
            status=change.get("status", "delivered"), attendance=change.get("attendance", 0),
        )  # fmt: skip

    assert refused.value.field == field
    assert message in refused.value.message
    assert not SessionOccurrence.objects.exists()


def test_a_session_cannot_be_recorded_twice_on_one_date(programme):
    session = _add(programme)
    tuesday = _last_tuesday()
    services.record_session_occurrence(
        actor=programme.outreach, session_id=session.pk, date=tuesday, status="delivered"
    )

    with pytest.raises(ProgrammeRuleBroken, match="already recorded"):
        services.record_session_occurrence(
            actor=programme.outreach, session_id=session.pk, date=tuesday, status="delivered"
        )


# ---------------------------------------------------------------- group programmes


@pytest.fixture
def bands(db):
    return [
        AgeBand.objects.create(code="0-4", name="0 to 4", min_age=0, max_age=4, sort_order=0),
        AgeBand.objects.create(code="adult", name="Adults", min_age=18, sort_order=1),
    ]


def _run_with_people(programme, *, weeks_ago: int = 3, people: int = 3):
    start = timezone.localdate() - dt.timedelta(weeks=weeks_ago)
    start -= dt.timedelta(days=start.weekday())
    run = make_run(programme, starts_on=start)
    persons = [PersonFactory() for _ in range(people)]
    for person in persons:
        services.enrol_participant(
            actor=programme.outreach, run_id=run.pk, person_id=person.pk, consent_given=True
        )
    return run, persons


def test_a_run_makes_its_dated_sessions_a_week_apart(programme):
    run = make_run(programme, starts_on=dt.date(2026, 3, 2))

    assert [(s.number, s.date) for s in run.sessions.all()] == [
        (1, dt.date(2026, 3, 2)), (2, dt.date(2026, 3, 9)),
        (3, dt.date(2026, 3, 16)), (4, dt.date(2026, 3, 23)),
    ]  # fmt: skip


def test_named_attendance_needs_consent(programme):
    run, _ = _run_with_people(programme, people=0)
    person = PersonFactory()

    with pytest.raises(ProgrammeRuleBroken) as refused:
        services.enrol_participant(
            actor=programme.outreach, run_id=run.pk, person_id=person.pk, consent_given=False
        )

    assert refused.value.field == "consent_given"
    assert not run.participants.exists()


def test_a_register_is_taken_and_completion_follows(programme, bands):
    run, (amy, ben, cal) = _run_with_people(programme, weeks_ago=4)
    sessions = list(run.sessions.all())
    for session in sessions[:3]:
        services.record_register(
            actor=programme.outreach, session_id=session.pk,
            present_person_ids=[amy.pk, ben.pk] if session.number < 3 else [amy.pk],
            head_counts={"adult": 5, "0-4": 3},
        )  # fmt: skip

    completion = {c.participant.person_id: c for c in selectors.run_completion(run=run)}
    assert (completion[amy.pk].attended, completion[amy.pk].completed) == (3, True)
    assert (completion[ben.pk].attended, completion[ben.pk].completed) == (2, False)
    assert (completion[cal.pk].attended, completion[cal.pk].completed) == (0, False)
    event = AuditEvent.objects.filter(code="group_register.taken").order_by("pk").first()
    assert event.details["named"] == 2
    assert event.details["head_count"] == 8


def test_a_register_for_a_session_that_has_not_happened_is_refused(programme, bands):
    run, (amy, *_) = _run_with_people(programme, weeks_ago=1)
    future = run.sessions.get(number=4)

    with pytest.raises(ProgrammeRuleBroken) as refused:
        services.record_register(
            actor=programme.outreach, session_id=future.pk, present_person_ids=[amy.pk],
            head_counts={"adult": 1},
        )  # fmt: skip

    assert refused.value.field == "present"
    assert "its register can be taken once it has happened" in refused.value.message
    assert not Attendance.objects.exists()


def test_a_head_count_below_the_named_attendees_is_refused(programme, bands):
    run, (amy, ben, cal) = _run_with_people(programme)
    first = run.sessions.get(number=1)

    with pytest.raises(ProgrammeRuleBroken) as refused:
        services.record_register(
            actor=programme.outreach, session_id=first.pk,
            present_person_ids=[amy.pk, ben.pk, cal.pk], head_counts={"adult": 1, "0-4": 1},
        )  # fmt: skip

    assert refused.value.field == "head_counts"
    assert refused.value.message.startswith(
        "The head count (2) is below the number of named attendees (3)"
    )
    assert not Attendance.objects.exists()


def test_only_consenting_participants_are_named(programme, bands):
    run, _ = _run_with_people(programme)
    stranger = PersonFactory()

    with pytest.raises(ProgrammeRuleBroken, match="Only participants who consented"):
        services.record_register(
            actor=programme.outreach, session_id=run.sessions.get(number=1).pk,
            present_person_ids=[stranger.pk], head_counts={"adult": 4},
        )  # fmt: skip


def test_taking_a_register_again_corrects_it(programme, bands):
    run, (amy, ben, _) = _run_with_people(programme)
    first = run.sessions.get(number=1)
    services.record_register(
        actor=programme.outreach, session_id=first.pk, present_person_ids=[amy.pk, ben.pk],
        head_counts={"adult": 2},
    )  # fmt: skip

    services.record_register(
        actor=programme.outreach, session_id=first.pk, present_person_ids=[ben.pk],
        head_counts={"adult": 3},
    )  # fmt: skip

    assert list(first.attendances.values_list("person_id", flat=True)) == [ben.pk]
    assert list(first.head_counts.values_list("count", flat=True)) == [3]
    corrected = AuditEvent.objects.get(code="group_register.corrected")
    assert corrected.changes["present"] == [sorted([amy.pk, ben.pk]), [ben.pk]]
