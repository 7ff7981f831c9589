"""Taking Requests for Support (Appendix L, boxes 1-4) at the service level: who may
take and allocate them, the consent rules, the service area, URNs, withdrawal and
allocation to a worker of the family's district."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from earlyhelp.audit.models import AuditEvent
from earlyhelp.audit.models import Kind as AuditKind
from earlyhelp.cases.errors import AlreadyAllocated
from earlyhelp.cases.models import Case
from earlyhelp.domain.casework import TransitionNotAllowed
from earlyhelp.people.models import Family, Person
from earlyhelp.referrals import services as rfs
from earlyhelp.referrals.errors import NotInServiceArea
from earlyhelp.referrals.models import RequestForSupport, Status
from earlyhelp.referrals.selectors import queue_rows, request_queue_for_user
from earlyhelp.tasks.models import Kind as TaskKind
from earlyhelp.tasks.models import Task
from tests.casework import members, submit

LONDON = ZoneInfo("Europe/London")


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=LONDON)


@pytest.fixture
def freeze(monkeypatch):
    def _freeze(moment: dt.datetime) -> None:
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)

    return _freeze


def allocate(world, request, *, actor=None, worker=None) -> Case:
    return rfs.allocate_request(
        actor=actor or world.manager,
        request_id=request.pk,
        key_worker_id=(worker or world.key_worker).pk,
    )


def counts() -> tuple[int, ...]:
    return (
        RequestForSupport.objects.count(),
        Family.objects.count(),
        Person.objects.count(),
        AuditEvent.objects.filter(kind=AuditKind.WRITE).count(),
    )


# ---------------------------------------------------------------- receipt


def test_a_request_with_consent_is_acknowledged_and_queued_for_allocation(world):
    request = submit(world)

    assert request.status == Status.AWAITING_ALLOCATION
    assert request.acknowledged_at is not None
    assert request.family.district == world.district
    assert request.team == world.team
    assert request.members.count() == 2
    assert request.consents.count() == 2
    assert list(request.target_groups.values_list("code", flat=True)) == ["neglect"]
    task = Task.objects.get(request=request)
    assert (task.kind, task.assignee, task.due_on) == (
        TaskKind.ALLOCATE,
        world.manager,
        request.allocation_due_by,
    )


def test_only_intake_roles_take_requests_and_a_refusal_is_audited(world):
    before = counts()

    with pytest.raises(PermissionDenied):
        submit(world, actor=world.dso)

    assert counts() == before
    refusal = AuditEvent.objects.get(kind=AuditKind.DENIED, actor=world.dso)
    assert refusal.object_type == "referrals.requestforsupport"


def test_a_postcode_outside_the_service_area_is_refused(world):
    before = counts()

    with pytest.raises(NotInServiceArea) as refused:
        submit(world, postcode="M1 1AA")

    assert refused.value.field == "address.postcode"
    assert counts() == before


def test_a_request_received_in_the_future_is_invalid(world):
    with pytest.raises(ValidationError) as invalid:
        submit(world, received_at=timezone.now() + dt.timedelta(hours=1))

    assert "received_at" in invalid.value.message_dict


def test_a_young_person_of_13_must_decide_their_own_consent(world):
    teenager = timezone.localdate() - dt.timedelta(days=14 * 365)
    request = rfs.submit_request(
        actor=world.business_support,
        route="self",
        received_at=timezone.now() - dt.timedelta(hours=1),
        referrer=rfs.ReferrerInput(name="Sam Testfamily", email="sam@example.test"),
        address=rfs.AddressInput(
            family_name="Testfamily", address_line_1="1 Test Street", postcode="PR1 2AB"
        ),
        members=members(child_dob=teenager),
        consents=[
            rfs.ConsentInput("parent", "share_information", True, "parent"),
            rfs.ConsentInput("child", "share_information", True, "parent"),
        ],
        needs=rfs.NeedsInput(presenting_needs="Not going to school"),
        caf=rfs.CafInput(),
    )

    assert request.status == Status.RETURNED_FOR_CONSENT
    assert [p["message"] for p in request.consent_problems] == [
        "Alex Testfamily is 13 or over and must decide their own consent"
    ]


def test_refused_consent_returns_the_request(world):
    request = submit(
        world,
        consents=[
            rfs.ConsentInput("parent", "share_information", True, "parent"),
            rfs.ConsentInput("child", "share_information", False, "parent"),
        ],
    )

    assert request.status == Status.RETURNED_FOR_CONSENT
    assert [p["message"] for p in request.consent_problems] == [
        "Consent to share information refused"
    ]


def test_urns_are_issued_in_sequence_within_each_year(world, freeze):
    freeze(at(2026, 12, 31, 12))
    first = submit(world, received_at=at(2026, 12, 31, 9))
    second = submit(world, received_at=at(2026, 12, 31, 10))
    freeze(at(2027, 1, 4, 12))
    third = submit(world, received_at=at(2027, 1, 4, 9))

    assert [first.caf_urn, second.caf_urn, third.caf_urn] == [
        "TST-2026-000001",
        "TST-2026-000002",
        "TST-2027-000001",
    ]


# ---------------------------------------------------------------- allocation


def test_allocation_opens_the_case_and_gives_the_family_its_key_worker(world):
    request = submit(world)

    case = allocate(world, request, worker=world.second_worker)

    request.refresh_from_db()
    assert request.status == Status.ALLOCATED
    assert case.key_worker == world.second_worker
    assert case.team == world.team
    assert case.urn == request.caf_urn
    case.family.refresh_from_db()
    assert case.family.key_worker == world.second_worker
    assert not Task.objects.filter(request=request, completed_at__isnull=True).exists()
    visit = Task.objects.get(case=case, kind=TaskKind.INITIAL_VISIT)
    assert (visit.assignee, visit.due_on) == (world.second_worker, case.initial_visit_due_by)


def test_the_locality_manager_over_the_district_may_allocate(world):
    case = allocate(world, submit(world), actor=world.locality_manager)

    assert case.allocated_by == world.locality_manager


@pytest.mark.parametrize("who", ["key_worker", "business_support", "other_manager"])
def test_only_the_teams_managers_allocate(world, who):
    request = submit(world)

    with pytest.raises(PermissionDenied):
        allocate(world, request, actor=getattr(world, who))

    request.refresh_from_db()
    assert request.status == Status.AWAITING_ALLOCATION
    assert not Case.objects.exists()


def test_allocation_is_only_to_a_key_worker_of_the_familys_district(world):
    request = submit(world)

    for not_eligible in (world.other_worker, world.business_support, world.manager):
        with pytest.raises(ValidationError) as invalid:
            allocate(world, request, worker=not_eligible)
        assert "key_worker_id" in invalid.value.message_dict

    assert not Case.objects.exists()


def test_a_request_is_allocated_once(world):
    request = submit(world)
    allocate(world, request)

    with pytest.raises(AlreadyAllocated) as refused:
        allocate(world, request, worker=world.second_worker)

    assert refused.value.rule == "request_already_allocated"
    assert Case.objects.count() == 1


def test_allocation_after_the_deadline_is_recorded_as_late(world, freeze):
    freeze(at(2026, 11, 2, 12))  # Monday
    on_time = submit(world, received_at=at(2026, 11, 2, 9))
    late = submit(world, received_at=at(2026, 11, 2, 9))
    allocate(world, on_time)
    freeze(at(2026, 11, 10, 12))  # the day after the deadline (Monday 9th)
    allocate(world, late)

    events = AuditEvent.objects.filter(code="request.allocated").order_by("id")
    assert [e.details["on_time"] for e in events] == [True, False]


def test_a_refused_allocation_is_audited(world):
    request = submit(world)

    with pytest.raises(PermissionDenied):
        allocate(world, request, actor=world.key_worker)

    assert AuditEvent.objects.filter(
        kind=AuditKind.DENIED,
        actor=world.key_worker,
        object_type="referrals.requestforsupport",
        object_id=request.pk,
    ).exists()


# ---------------------------------------------------------------- withdrawal and the queue


def test_withdrawing_needs_a_reason_and_clears_the_allocation_task(world):
    request = submit(world)
    with pytest.raises(ValidationError) as invalid:
        rfs.withdraw_request(actor=world.business_support, request_id=request.pk, reason=" ")
    assert "reason" in invalid.value.message_dict

    rfs.withdraw_request(
        actor=world.business_support, request_id=request.pk, reason="Family moved away"
    )

    request.refresh_from_db()
    assert request.status == Status.WITHDRAWN
    assert not Task.objects.filter(request=request, completed_at__isnull=True).exists()
    event = AuditEvent.objects.get(code="request.withdrawn")
    assert event.details == {"reason": "Family moved away"}
    with pytest.raises(TransitionNotAllowed):
        allocate(world, request)


def test_an_allocated_request_cannot_be_withdrawn(world):
    request = submit(world)
    allocate(world, request)

    with pytest.raises(TransitionNotAllowed) as refused:
        rfs.withdraw_request(actor=world.manager, request_id=request.pk, reason="Changed mind")

    assert refused.value.rule == "request_withdraw"


def test_another_districts_worker_cannot_resubmit_or_withdraw(world):
    request = submit(world, consents=[])

    with pytest.raises(PermissionDenied):
        rfs.withdraw_request(actor=world.other_worker, request_id=request.pk, reason="Mine now")
    with pytest.raises(PermissionDenied):
        rfs.resubmit_request(actor=world.other_worker, request_id=request.pk, consents=[])

    request.refresh_from_db()
    assert request.status == Status.RETURNED_FOR_CONSENT


def test_the_queue_shows_the_nearest_deadline_first_with_working_days_left(world, freeze):
    freeze(at(2026, 11, 2, 12))  # Monday
    older = submit(world, received_at=at(2026, 10, 26, 9))  # due Monday 2 November
    newer = submit(world, received_at=at(2026, 11, 2, 9))  # due Monday 9 November
    freeze(at(2026, 11, 4, 12))  # Wednesday

    rows = queue_rows(request_queue_for_user(user=world.manager))

    assert [(r.request.pk, r.working_days_left) for r in rows] == [
        (older.pk, -2),
        (newer.pk, 3),
    ]
    assert list(request_queue_for_user(user=world.other_manager)) == []
