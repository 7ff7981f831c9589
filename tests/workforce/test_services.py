import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.cases.models import Status
from earlyhelp.configuration.models import Specialism
from earlyhelp.outbox.models import OutboxMessage
from earlyhelp.tasks.models import Kind as TaskKind
from earlyhelp.tasks.models import Task
from earlyhelp.workforce import services
from earlyhelp.workforce.models import Absence, AbsenceKind, StaffMember
from earlyhelp.workforce.services import Reassignment
from tests.factories import make_staff
from tests.workforce.helpers import held_case, hold

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 6, 8)


def _absence(world, **overrides):
    values = {
        "actor": world.manager,
        "worker_id": world.key_worker.staff.pk,
        "kind": AbsenceKind.ANNUAL_LEAVE,
        "start_date": MONDAY,
        "end_date": MONDAY + dt.timedelta(days=4),
        "note": "Summer holiday",
        "source": "test",
    }
    return services.record_absence(**{**values, **overrides})


# ---------------------------------------------------------------- absences


def test_a_manager_records_an_absence_and_it_is_audited(world):
    absence = _absence(world)

    assert absence.worker == world.key_worker.staff
    assert absence.recorded_by == world.manager
    event = AuditEvent.objects.get(code="absence.recorded")
    assert event.actor == world.manager
    assert event.details["end_date"] == "2026-06-12"


def test_an_absence_that_ends_before_it_starts_is_rejected_by_the_end_date(world):
    with pytest.raises(ValidationError) as caught:
        _absence(world, start_date=MONDAY, end_date=MONDAY - dt.timedelta(days=1))

    assert caught.value.message_dict == {
        "end_date": ["The last day must be the same as or after the first day"]
    }
    assert not Absence.objects.exists()


def test_missing_dates_and_an_unknown_kind_are_each_named(world):
    with pytest.raises(ValidationError) as caught:
        _absence(world, kind="holiday", start_date=None, end_date=None)

    assert set(caught.value.message_dict) == {"kind", "start_date", "end_date"}


def test_an_absence_overlapping_another_is_rejected(world):
    _absence(world)

    with pytest.raises(ValidationError, match="overlaps their annual leave from 8 June 2026"):
        _absence(world, kind=AbsenceKind.SICKNESS, start_date=MONDAY + dt.timedelta(days=4))

    assert Absence.objects.count() == 1


def test_a_cancelled_absence_frees_its_dates_and_is_audited(world):
    first = _absence(world)

    cancelled = services.cancel_absence(actor=world.manager, absence_id=first.pk, source="test")
    again = _absence(world)

    assert cancelled.is_cancelled
    assert again.pk != first.pk
    assert AuditEvent.objects.filter(code="absence.cancelled").count() == 1
    with pytest.raises(ValidationError, match="already cancelled"):
        services.cancel_absence(actor=world.manager, absence_id=first.pk, source="test")


def test_a_key_worker_cannot_record_absence_and_the_refusal_is_audited(world):
    with pytest.raises(PermissionDenied):
        _absence(world, actor=world.second_worker)

    assert not Absence.objects.exists()
    refusal = AuditEvent.objects.get(kind=Kind.DENIED)
    assert refusal.actor == world.second_worker
    assert refusal.object_type == "workforce.staffmember"


def test_another_teams_manager_cannot_cancel_an_absence(world):
    absence = _absence(world)

    with pytest.raises(PermissionDenied):
        services.cancel_absence(actor=world.other_manager, absence_id=absence.pk, source="test")

    absence.refresh_from_db()
    assert not absence.is_cancelled
    assert AuditEvent.objects.filter(kind=Kind.DENIED, object_type="workforce.absence").exists()


def test_the_locality_manager_and_head_of_service_manage_the_team(world):
    _absence(world, actor=world.locality_manager)
    _absence(world, actor=world.head, start_date=dt.date(2026, 7, 1), end_date=dt.date(2026, 7, 1))

    assert Absence.objects.count() == 2
    with pytest.raises(PermissionDenied):
        _absence(world, actor=world.dso, start_date=dt.date(2026, 8, 3))


# ---------------------------------------------------------------- capacity details


def _capacity(world, **overrides):
    values = {
        "actor": world.manager,
        "worker_id": world.key_worker.staff.pk,
        "fte": Decimal("0.6"),
        "protected_hours": Decimal("2.5"),
        "specialism_codes": ["send"],
        "languages": ["Urdu", " polish ", ""],
        "source": "test",
    }
    return services.update_worker_capacity(**{**values, **overrides})


def test_a_manager_sets_fte_protected_hours_specialisms_and_languages(world):
    Specialism.objects.create(code="send", name="SEND", matches_send=True)

    staff = _capacity(world)

    staff.refresh_from_db()
    assert staff.fte == Decimal("0.6")
    assert staff.protected_hours == Decimal("2.5")
    assert staff.languages == ["polish", "urdu"]
    assert [s.code for s in staff.specialisms.all()] == ["send"]
    event = AuditEvent.objects.get(code="staff.capacity_changed")
    assert event.changes["specialisms"] == [[], ["send"]]
    assert event.changes["fte"] == ["1.00", "0.6"]


@pytest.mark.parametrize("fte", [Decimal("0"), Decimal("-0.5"), Decimal("1.01"), Decimal("2")])
def test_fte_outside_nought_to_one_is_rejected_with_a_clear_message(world, fte):
    with pytest.raises(ValidationError) as caught:
        _capacity(world, fte=fte, specialism_codes=[])

    assert caught.value.message_dict["fte"] == ["FTE must be more than 0 and at most 1.0"]
    world.key_worker.staff.refresh_from_db()
    assert world.key_worker.staff.fte == Decimal("1.00")


def test_an_unknown_specialism_is_rejected(world):
    with pytest.raises(ValidationError) as caught:
        _capacity(world, specialism_codes=["juggling"])

    assert "juggling" in caught.value.message_dict["specialisms"][0]


def test_a_key_worker_with_no_team_is_rejected_with_a_clear_message(world):
    staff = world.key_worker.staff
    staff.team = None

    with pytest.raises(ValidationError) as caught:
        staff.full_clean()

    assert caught.value.message_dict["team"] == [
        "A key worker or senior practitioner must belong to a team"
    ]


def test_a_head_of_service_needs_no_team(world):
    world.head.staff.full_clean()  # no error: a head of service sits above teams


def test_a_worker_cannot_change_their_own_capacity(world):
    with pytest.raises(PermissionDenied):
        _capacity(world, actor=world.key_worker)


# ---------------------------------------------------------------- bulk reassignment


def test_reassigning_a_leavers_cases_moves_each_case_family_task_and_tells_the_new_worker(world):
    leaver = world.key_worker
    cases = [held_case(leaver, case_type="L2B"), held_case(leaver)]
    cases[0].lead_professional = leaver
    cases[0].save()
    Task.objects.create(
        kind=TaskKind.INITIAL_VISIT, title="Initial visit", assignee=leaver, case=cases[1]
    )

    moved = services.reassign_caseload(
        actor=world.manager,
        worker_id=leaver.staff.pk,
        reassignments=[Reassignment(c.pk, world.second_worker.pk) for c in cases],
        reason="Leaving the service",
        source="test",
    )

    assert len(moved) == 2
    for case in cases:
        case.refresh_from_db()
        case.family.refresh_from_db()
        assert case.key_worker == world.second_worker
        assert case.family.key_worker == world.second_worker
    assert cases[0].lead_professional == world.second_worker
    assert Task.objects.get(case=cases[1]).assignee == world.second_worker
    assert OutboxMessage.objects.filter(to=world.second_worker.email).count() == 2
    events = AuditEvent.objects.filter(code="case.key_worker_changed")
    assert sorted(e.subject_case_id for e in events) == sorted(c.pk for c in cases)
    assert events[0].details["reason"] == "Leaving the service"
    assert AuditEvent.objects.filter(code="caseload.reassigned").count() == 1


def test_a_target_without_headroom_is_refused_unless_the_manager_gives_a_reason(world):
    hold(world.second_worker, {"L2B": 18})
    case = held_case(world.key_worker, case_type="L2B")

    with pytest.raises(ValidationError) as caught:
        services.reassign_caseload(
            actor=world.manager,
            worker_id=world.key_worker.staff.pk,
            reassignments=[Reassignment(case.pk, world.second_worker.pk)],
            reason="Long-term sickness",
            source="test",
        )

    [message] = caught.value.message_dict[f"case-{case.pk}"]
    assert "has no headroom" in message
    assert "18 open of 18" in message
    case.refresh_from_db()
    assert case.key_worker == world.key_worker

    services.reassign_caseload(
        actor=world.manager,
        worker_id=world.key_worker.staff.pk,
        reassignments=[Reassignment(case.pk, world.second_worker.pk, "Knows the family well")],
        reason="Long-term sickness",
        source="test",
    )
    case.refresh_from_db()
    assert case.key_worker == world.second_worker
    assert (
        "Knows the family well"
        in AuditEvent.objects.get(code="case.key_worker_changed").details["reason"]
    )


def test_headroom_counts_every_case_of_the_same_submission(world):
    hold(world.second_worker, {"L2B": 17})  # room for exactly one more
    cases = [held_case(world.key_worker, case_type="L2B") for _ in range(2)]

    with pytest.raises(ValidationError) as caught:
        services.reassign_caseload(
            actor=world.manager,
            worker_id=world.key_worker.staff.pk,
            reassignments=[Reassignment(c.pk, world.second_worker.pk) for c in cases],
            reason="Leaving",
            source="test",
        )

    assert set(caught.value.message_dict) == {f"case-{cases[1].pk}"}
    # Nothing half-written: the first case did not move either.
    assert all(
        c.key_worker_id == world.key_worker.pk
        for c in type(cases[0]).objects.filter(pk__in=[c.pk for c in cases])
    )


def test_a_target_absent_all_week_has_no_headroom(world):
    services.record_absence(
        actor=world.manager,
        worker_id=world.second_worker.staff.pk,
        kind=AbsenceKind.SICKNESS,
        start_date=timezone.localdate() - dt.timedelta(days=7),
        end_date=timezone.localdate() + dt.timedelta(days=14),
        source="test",
    )
    case = held_case(world.key_worker)

    with pytest.raises(ValidationError, match="absent all this week"):
        services.reassign_caseload(
            actor=world.manager,
            worker_id=world.key_worker.staff.pk,
            reassignments=[Reassignment(case.pk, world.second_worker.pk)],
            reason="Leaving",
            source="test",
        )


def test_a_target_outside_the_district_or_a_closed_case_is_refused(world):
    open_case = held_case(world.key_worker)
    closed = held_case(world.key_worker, case_type="L2A", status=Status.CLOSED)
    business_support = world.business_support

    with pytest.raises(ValidationError) as caught:
        services.reassign_caseload(
            actor=world.manager,
            worker_id=world.key_worker.staff.pk,
            reassignments=[
                Reassignment(open_case.pk, world.other_worker.pk),
                Reassignment(closed.pk, world.second_worker.pk),
            ],
            reason="Leaving",
            source="test",
        )

    errors = caught.value.message_dict
    assert "in a team of this district" in errors[f"case-{open_case.pk}"][0]
    assert "no longer one of their open cases" in errors[f"case-{closed.pk}"][0]
    with pytest.raises(ValidationError, match="in a team of this district"):
        services.reassign_caseload(
            actor=world.manager,
            worker_id=world.key_worker.staff.pk,
            reassignments=[Reassignment(open_case.pk, business_support.pk)],
            reason="Leaving",
            source="test",
        )


def test_a_reason_and_at_least_one_case_are_required(world):
    with pytest.raises(ValidationError) as caught:
        services.reassign_caseload(
            actor=world.manager,
            worker_id=world.key_worker.staff.pk,
            reassignments=[],
            reason=" ",
            source="test",
        )

    assert set(caught.value.message_dict) == {"reason", "cases"}


def test_only_a_manager_of_the_worker_may_reassign_and_a_refusal_is_audited(world):
    case = held_case(world.key_worker)

    for actor in (world.second_worker, world.other_manager):
        with pytest.raises(PermissionDenied):
            services.reassign_caseload(
                actor=actor,
                worker_id=world.key_worker.staff.pk,
                reassignments=[Reassignment(case.pk, world.second_worker.pk)],
                reason="Leaving",
                source="test",
            )

    case.refresh_from_db()
    assert case.key_worker == world.key_worker
    assert AuditEvent.objects.filter(kind=Kind.DENIED).count() == 2


def test_a_senior_practitioner_in_another_team_of_the_district_may_take_cases(world):
    from earlyhelp.workforce.models import Team

    second_team = Team.objects.create(name="Preston South", district=world.district)
    senior = make_staff(Role.SENIOR_PRACTITIONER, team=second_team)
    case = held_case(world.key_worker)

    services.reassign_caseload(
        actor=world.manager,
        worker_id=world.key_worker.staff.pk,
        reassignments=[Reassignment(case.pk, senior.pk)],
        reason="Leaving",
        source="test",
    )

    case.refresh_from_db()
    assert case.key_worker == senior
    assert case.team == second_team
    assert StaffMember.objects.get(user=senior).team == second_team


def test_the_database_refuses_an_fte_outside_nought_to_one(world):
    from django.db import IntegrityError, transaction

    staff = world.key_worker.staff
    for fte in (Decimal("0"), Decimal("1.5")):
        with pytest.raises(IntegrityError), transaction.atomic():
            StaffMember.objects.filter(pk=staff.pk).update(fte=fte)
