"""The outreach and Talkzone services: what they record, what they refuse, and the audit
events they leave."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.outreach import services
from earlyhelp.outreach.models import (
    AgeBand,
    ContactOutcome,
    OpeningWindow,
    OutreachIssue,
    OutreachSession,
    TalkzoneContact,
    TalkzoneShift,
)
from tests.casework import submit
from tests.factories import make_staff
from tests.outreach.conftest import contact_input, session_input, yesterday_at

# ---------------------------------------------------------------- outreach sessions


def test_a_detached_session_is_recorded_with_its_counts_issues_and_an_audit_event(ow):
    session = services.record_outreach_session(
        actor=ow.outreach_worker,
        data=session_input(ow, people_met_ids=(ow.young_person.pk,), priority_neighbourhood=True),
    )

    assert list(session.workers.all()) == [ow.outreach_worker.staff]
    assert {c.age_band.code: c.count for c in session.contact_counts.all()} == {
        "11-15": 6,
        "16-19": 3,
    }
    assert {i.code for i in session.issues.all()} == {"anti-social-behaviour", "substance-use"}
    assert list(session.people_met.all()) == [ow.young_person]
    event = AuditEvent.objects.get(code="outreach_session.recorded")
    assert event.actor == ow.outreach_worker
    assert event.details["contacts"] == 9
    assert event.details["people_met"] == [ow.young_person.pk]


def test_a_session_ending_before_it_starts_is_refused(ow):
    with pytest.raises(ValidationError) as error:
        services.record_outreach_session(
            actor=ow.outreach_worker,
            data=session_input(ow, starts_at=yesterday_at(20), ends_at=yesterday_at(18)),
        )

    assert error.value.message_dict["ends_at"] == ["The end time must be after the start time"]
    assert not OutreachSession.objects.exists()


def test_a_session_that_has_not_started_is_refused(ow):
    start = timezone.now() + dt.timedelta(hours=2)

    with pytest.raises(ValidationError) as error:
        services.record_outreach_session(
            actor=ow.outreach_worker,
            data=session_input(ow, starts_at=start, ends_at=start + dt.timedelta(hours=2)),
        )

    assert "starts_at" in error.value.message_dict


def test_a_worker_on_two_sessions_at_once_is_refused_naming_the_other_session(ow):
    services.record_outreach_session(actor=ow.outreach_worker, data=session_input(ow))

    with pytest.raises(services.WorkerDoubleBooked) as error:
        services.record_outreach_session(
            actor=ow.second_outreach_worker,
            data=session_input(
                ow,
                area="Riverside",
                starts_at=yesterday_at(19),
                ends_at=yesterday_at(21),
                worker_ids=(ow.second_outreach_worker.staff.pk, ow.outreach_worker.staff.pk),
            ),
        )

    assert error.value.field == "worker_ids"
    assert ow.outreach_worker.get_full_name() in error.value.message
    assert "Moor Park" in error.value.message
    assert OutreachSession.objects.count() == 1


def test_back_to_back_sessions_for_one_worker_are_allowed(ow):
    services.record_outreach_session(actor=ow.outreach_worker, data=session_input(ow))
    services.record_outreach_session(
        actor=ow.outreach_worker,
        data=session_input(ow, starts_at=yesterday_at(20), ends_at=yesterday_at(21)),
    )

    assert OutreachSession.objects.count() == 2


def test_naming_a_person_the_worker_may_not_see_is_refused_and_audited(ow):
    with pytest.raises(ValidationError) as error:
        services.record_outreach_session(
            actor=ow.outreach_worker,
            data=session_input(ow, people_met_ids=(ow.other_family_person.pk,)),
        )

    assert "people_met_ids" in error.value.message_dict
    assert AuditEvent.objects.filter(
        kind=Kind.DENIED, object_type="people.person", object_id=str(ow.other_family_person.pk)
    ).exists()
    assert not OutreachSession.objects.exists()


def test_a_key_worker_cannot_record_an_outreach_session_and_the_refusal_is_audited(ow):
    with pytest.raises(PermissionDenied):
        services.record_outreach_session(actor=ow.world.key_worker, data=session_input(ow))

    assert AuditEvent.objects.filter(
        kind=Kind.DENIED, actor=ow.world.key_worker, object_type="outreach.outreachsession"
    ).exists()


def test_unknown_age_bands_and_issues_are_refused(ow):
    with pytest.raises(ValidationError) as error:
        services.record_outreach_session(
            actor=ow.outreach_worker,
            data=session_input(ow, contact_counts={"toddlers": 3}, issue_codes=("weather",)),
        )

    assert set(error.value.message_dict) >= {"contact_counts", "issue_codes"}


def test_a_request_for_support_made_from_the_session_is_linked(ow):
    practitioner = make_staff(Role.SENIOR_PRACTITIONER, team=ow.world.team)
    request = submit(ow.world, actor=practitioner)

    session = services.record_outreach_session(
        actor=practitioner,
        data=session_input(ow, worker_ids=(practitioner.staff.pk,), request_ids=(request.pk,)),
    )

    assert list(session.requests_for_support.all()) == [request]


# ---------------------------------------------------------------- Talkzone contacts


@pytest.mark.parametrize(
    ("hour", "in_hours"), [(13, False), (14, True), (21, True), (22, False), (23, False)]
)
def test_a_contact_is_in_hours_between_two_and_ten(ow, hour, in_hours):
    contact = services.record_talkzone_contact(
        actor=ow.talkzone_worker, data=contact_input(occurred_at=yesterday_at(hour, 30))
    )

    assert contact.in_hours is in_hours


def test_in_hours_follows_a_configured_window_that_crosses_midnight(ow):
    OpeningWindow.objects.all().delete()
    OpeningWindow.objects.create(opens_at=dt.time(20), closes_at=dt.time(2))

    after_midnight = services.record_talkzone_contact(
        actor=ow.talkzone_worker, data=contact_input(occurred_at=yesterday_at(1, 15))
    )
    afternoon = services.record_talkzone_contact(
        actor=ow.talkzone_worker, data=contact_input(occurred_at=yesterday_at(15))
    )

    assert after_midnight.in_hours is True
    assert afternoon.in_hours is False


def test_in_hours_is_worked_out_in_london_time_not_utc(ow):
    # 13:30 UTC on a summer day is 14:30 in London: in hours.
    summer = dt.datetime(2026, 7, 1, 13, 30, tzinfo=dt.UTC)

    contact = services.record_talkzone_contact(
        actor=ow.talkzone_worker, data=contact_input(occurred_at=summer)
    )

    assert contact.in_hours is True


def test_a_contact_in_the_future_is_refused(ow):
    with pytest.raises(ValidationError) as error:
        services.record_talkzone_contact(
            actor=ow.talkzone_worker,
            data=contact_input(occurred_at=timezone.now() + dt.timedelta(minutes=5)),
        )

    assert error.value.message_dict["occurred_at"] == [
        "The time of the contact must be in the past"
    ]
    assert not TalkzoneContact.objects.exists()


def test_a_contact_cannot_be_given_the_request_outcome_directly(ow):
    with pytest.raises(ValidationError) as error:
        services.record_talkzone_contact(
            actor=ow.talkzone_worker, data=contact_input(outcome=ContactOutcome.RFS_CREATED)
        )

    assert "outcome" in error.value.message_dict


def test_a_talkzone_worker_cannot_link_a_person_they_may_not_see(ow):
    with pytest.raises(ValidationError) as error:
        services.record_talkzone_contact(
            actor=ow.talkzone_worker, data=contact_input(person_id=ow.young_person.pk)
        )

    assert "person_id" in error.value.message_dict


def test_a_manager_links_a_contact_to_a_person_of_their_team(ow):
    contact = services.record_talkzone_contact(
        actor=ow.world.manager, data=contact_input(person_id=ow.young_person.pk)
    )

    assert contact.person == ow.young_person
    event = AuditEvent.objects.get(code="talkzone_contact.recorded")
    assert event.subject_person_id == ow.young_person.pk
    assert event.details["anonymous"] is False


def test_a_key_worker_cannot_record_a_talkzone_contact(ow):
    with pytest.raises(PermissionDenied):
        services.record_talkzone_contact(actor=ow.world.key_worker, data=contact_input())


def test_linking_a_request_records_the_outcome_once(ow):
    contact = services.record_talkzone_contact(actor=ow.talkzone_worker, data=contact_input())
    request = submit(ow.world, actor=ow.talkzone_worker)

    services.link_contact_request(
        actor=ow.talkzone_worker, contact_id=contact.pk, request_id=request.pk
    )
    contact.refresh_from_db()

    assert contact.outcome == ContactOutcome.RFS_CREATED
    assert contact.request_for_support == request
    assert AuditEvent.objects.filter(code="talkzone_contact.request_linked").count() == 1
    with pytest.raises(services.ContactAlreadyLinked):
        services.link_contact_request(
            actor=ow.talkzone_worker, contact_id=contact.pk, request_id=request.pk
        )


def test_a_request_the_worker_neither_made_nor_can_see_cannot_be_linked(ow):
    contact = services.record_talkzone_contact(actor=ow.talkzone_worker, data=contact_input())
    request = submit(ow.world)  # by business support, not the Talkzone worker

    with pytest.raises(ValidationError):
        services.link_contact_request(
            actor=ow.talkzone_worker, contact_id=contact.pk, request_id=request.pk
        )
    contact.refresh_from_db()
    assert contact.request_for_support is None


# ---------------------------------------------------------------- rota


def _shift(ow, worker, start: int, end: int, day_offset: int = 1):
    day = timezone.localdate() + dt.timedelta(days=day_offset)
    return services.add_talkzone_shift(
        actor=ow.world.head,
        worker_id=worker.staff.pk,
        starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(start))),
        ends_at=timezone.make_aware(dt.datetime.combine(day, dt.time(end))),
    )


def test_a_shift_is_added_and_removed_with_audit_events(ow):
    shift = _shift(ow, ow.talkzone_worker, 14, 18)

    services.remove_talkzone_shift(actor=ow.world.head, shift_id=shift.pk)

    assert not TalkzoneShift.objects.exists()
    codes = list(
        AuditEvent.objects.filter(code__startswith="talkzone_shift").values_list("code", flat=True)
    )
    assert sorted(codes) == ["talkzone_shift.added", "talkzone_shift.removed"]


def test_overlapping_shifts_for_one_worker_are_refused(ow):
    _shift(ow, ow.talkzone_worker, 14, 18)

    with pytest.raises(services.WorkerDoubleBooked):
        _shift(ow, ow.talkzone_worker, 17, 22)
    _shift(ow, ow.second_talkzone_worker, 17, 22)

    assert TalkzoneShift.objects.count() == 2


def test_only_talkzone_workers_go_on_the_rota(ow):
    with pytest.raises(ValidationError) as error:
        _shift(ow, ow.outreach_worker, 14, 18)

    assert "worker_id" in error.value.message_dict


def test_a_shift_ending_before_it_starts_is_refused(ow):
    with pytest.raises(ValidationError) as error:
        _shift(ow, ow.talkzone_worker, 18, 14)

    assert "ends_at" in error.value.message_dict


def test_a_talkzone_worker_cannot_change_the_rota(ow):
    day = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.add_talkzone_shift(
            actor=ow.talkzone_worker,
            worker_id=ow.talkzone_worker.staff.pk,
            starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(14))),
            ends_at=timezone.make_aware(dt.datetime.combine(day, dt.time(18))),
        )


# ---------------------------------------------------------------- configured lists


def test_loading_the_lists_again_keeps_codes_and_stops_offering_dropped_entries(ow):
    services.load_outreach_lists(
        data={
            "issues": [{"code": "bullying", "name": "Bullying and harassment"}],
            "talkzone_topics": [{"code": "family", "name": "Family"}],
            "age_bands": [{"code": "11-15", "name": "11 to 15", "min_age": 11, "max_age": 15}],
            "talkzone_opening": [{"opens": "15:00", "closes": "23:00"}],
        }
    )

    assert OutreachIssue.objects.get(code="bullying").name == "Bullying and harassment"
    assert list(OutreachIssue.objects.filter(active=True).values_list("code", flat=True)) == [
        "bullying"
    ]
    assert AgeBand.objects.filter(active=False).count() == 4
    assert [str(w) for w in OpeningWindow.objects.all()] == ["Every day 15:00-23:00"]


def test_a_lists_file_without_opening_hours_is_refused_and_changes_nothing(ow):
    before = list(OutreachIssue.objects.values_list("code", "active"))

    with pytest.raises(services.ListsError):
        services.load_outreach_lists(
            data={
                "issues": [{"code": "x", "name": "X"}],
                "talkzone_topics": [{"code": "y", "name": "Y"}],
                "age_bands": [{"code": "z", "name": "Z", "min_age": 0}],
            }
        )

    assert list(OutreachIssue.objects.values_list("code", "active")) == before
