"""The casework journey of Appendix L, one test per branch, through the service layer:
consent, acknowledgement and the CAF check at receipt; the Level 1, 2 and 3/4
decisions; safeguarding; refused CAF consent; worklessness; re-referral; matching; the
audit trail and chronology; and that a failing step leaves nothing half-written."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.approvals.models import Approval
from earlyhelp.approvals.models import Kind as ApprovalKind
from earlyhelp.approvals.models import Status as ApprovalStatus
from earlyhelp.approvals.services import decide_approval
from earlyhelp.audit.models import AuditEvent
from earlyhelp.audit.models import Kind as AuditKind
from earlyhelp.cases import services
from earlyhelp.cases.errors import StepNotReady
from earlyhelp.cases.models import (
    Case,
    ClosureReason,
    ConsentDecision,
    Decision,
    EmploymentAdvisorContact,
    Escalation,
    StarReading,
    Status,
)
from earlyhelp.cases.selectors import case_chronology
from earlyhelp.domain.casework import TransitionNotAllowed
from earlyhelp.outbox.models import Kind as MessageKind
from earlyhelp.outbox.models import OutboxMessage
from earlyhelp.people.models import Family, Person
from earlyhelp.referrals import services as rfs
from earlyhelp.referrals.errors import PossibleDuplicatePeople
from earlyhelp.referrals.models import RequestForSupport, UrnSequence
from earlyhelp.referrals.models import Status as RequestStatus
from earlyhelp.tasks.models import Kind as TaskKind
from earlyhelp.tasks.models import Task
from tests.casework import assessed_case, open_case, prepare_assessment, star_scores, submit
from tests.factories import make_staff

LONDON = ZoneInfo("Europe/London")
REFERRER = "referrer@example.test"


class Clock:
    """``django.utils.timezone.now`` frozen at a moment the test moves on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = timezone.now()
        monkeypatch.setattr("django.utils.timezone.now", lambda: self.now)

    def set(self, year: int, month: int, day: int, hour: int = 10) -> None:
        self.now = dt.datetime(year, month, day, hour, tzinfo=LONDON)

    def today(self) -> dt.date:
        return timezone.localdate(self.now)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def kinds_to(**filters) -> list[tuple[str, str]]:
    """(kind, recipient) of the queued messages, oldest first."""
    return list(OutboxMessage.objects.filter(**filters).order_by("pk").values_list("kind", "to"))


def open_tasks(**filters):
    return Task.objects.filter(completed_at__isnull=True, **filters)


def consents_by_person_id(request: RequestForSupport) -> list[rfs.ConsentInput]:
    """Consent to share information for every member, given by the parent (resubmission
    names members by person id)."""
    parent = request.members.get(is_parent_or_carer=True).person_id
    return [
        rfs.ConsentInput(str(m.person_id), "share_information", True, str(parent))
        for m in request.members.all()
    ]


def decide_level_1(case: Case) -> None:
    services.record_decision(
        actor=case.key_worker,
        case_id=case.pk,
        level="1",
        case_type_code="L2-L1",
        rationale="Needs can be met by universal services",
        signposted_services="Children's centre stay and play",
    )


def decide_level_2(case: Case, *, plan_starts_on: dt.date | None = None) -> None:
    services.record_decision(
        actor=case.key_worker,
        case_id=case.pk,
        level="2",
        case_type_code="L2A",
        rationale="Some unmet needs, low risk: CAF/TAF",
        lead_professional_id=case.key_worker.pk,
        plan_starts_on=plan_starts_on,
    )


def escalation(world, **overrides) -> dict:
    return {
        "discussed_with_id": world.dso.pk,
        "discussion": "Bruising seen on visit; agreed a referral to CSC is needed",
        "csc_referral_made": True,
        "csc_reference": "CSC-12345",
        "wpehs_future_role": "Attend the strategy meeting; keep supporting mum's routines",
        **overrides,
    }


def add_action(case: Case, what: str = "Bedtime routine") -> None:
    services.add_plan_action(
        actor=case.key_worker,
        case_id=case.pk,
        what=what,
        who="Mum",
        by_when=timezone.localdate() + dt.timedelta(weeks=4),
        success_measure="Asleep by 8pm 5 nights a week",
    )


def progress(case: Case, status: str = "in_progress") -> dict:
    return {a.pk: {"status": status, "note": "On track"} for a in case.actions.all()}


def closed_level_1_case(world) -> Case:
    case = assessed_case(world)
    decide_level_1(case)
    approval = Approval.objects.get(case=case, status=ApprovalStatus.PENDING)
    decide_approval(actor=world.manager, approval_id=approval.pk, approve=True)
    case.refresh_from_db()
    return case


def same_people(case: Case) -> list[rfs.MemberInput]:
    """The members of a case's request, linked to the existing people."""
    return [
        rfs.MemberInput(
            key=str(m.person_id),
            person_id=m.person_id,
            is_subject=m.is_subject,
            is_parent_or_carer=m.is_parent_or_carer,
        )
        for m in case.request.members.all()
    ]


def resubmit_about(world, members: list[rfs.MemberInput], **kwargs) -> RequestForSupport:
    """A new request about already known people, consent given by the parent."""
    parent = next(m.key for m in members if m.is_parent_or_carer)
    return rfs.submit_request(
        actor=world.business_support,
        route="agency",
        received_at=timezone.now() - dt.timedelta(hours=1),
        referrer=rfs.ReferrerInput(name="Pat Referrer", email=REFERRER),
        members=members,
        consents=[rfs.ConsentInput(m.key, "share_information", True, parent) for m in members],
        needs=rfs.NeedsInput(presenting_needs="Routines have slipped again"),
        caf=rfs.CafInput(),
        **kwargs,
    )


# ---------------------------------------------------------------- (a) consent at receipt


def test_request_without_consent_is_returned_for_consent_and_goes_no_further(world):
    request = submit(world, consents=[])

    assert request.status == RequestStatus.RETURNED_FOR_CONSENT
    assert request.returned_at is not None
    assert {p["message"] for p in request.consent_problems} == {
        "No consent to share information recorded"
    }
    assert kinds_to(request=request) == [(MessageKind.CONSENT_REQUEST, REFERRER)]
    assert request.acknowledged_at is None
    assert request.allocation_due_by is None
    assert (request.caf_urn, request.urn_issued) == ("", False)
    assert not Task.objects.filter(request=request).exists()
    assert not UrnSequence.objects.exists()

    with pytest.raises(TransitionNotAllowed) as refused:
        rfs.allocate_request(
            actor=world.manager, request_id=request.pk, key_worker_id=world.key_worker.pk
        )
    assert refused.value.rule == "request_allocate"
    assert not Case.objects.exists()
    request.refresh_from_db()
    assert request.status == RequestStatus.RETURNED_FOR_CONSENT


def test_resubmission_with_consent_starts_the_allocation_clock_on_resubmission(world, clock):
    clock.set(2026, 11, 9)  # Monday
    request = submit(world, consents=[])
    first_received_at = request.received_at

    clock.set(2026, 11, 18)  # Wednesday, nine days later
    rfs.resubmit_request(
        actor=world.business_support,
        request_id=request.pk,
        consents=consents_by_person_id(request),
    )

    request.refresh_from_db()
    assert request.status == RequestStatus.AWAITING_ALLOCATION
    assert request.received_at == clock.now
    assert request.first_received_at == first_received_at
    # Five working days after Wednesday 18 November, not after the first receipt.
    assert request.allocation_due_by == dt.date(2026, 11, 25)
    assert request.acknowledged_at == clock.now
    assert request.consent_problems == []
    assert (request.caf_urn, request.urn_issued) == ("TST-2026-000001", True)
    assert kinds_to(request=request) == [
        (MessageKind.CONSENT_REQUEST, REFERRER),
        (MessageKind.ACKNOWLEDGEMENT, REFERRER),
    ]
    allocate = open_tasks(request=request, kind=TaskKind.ALLOCATE).get()
    assert (allocate.assignee, allocate.due_on) == (world.manager, dt.date(2026, 11, 25))

    case = rfs.allocate_request(
        actor=world.manager, request_id=request.pk, key_worker_id=world.key_worker.pk
    )
    assert case.status == Status.ASSESSMENT
    assert case.urn == "TST-2026-000001"


def test_resubmission_still_without_consent_stays_returned(world):
    request = submit(world, consents=[])
    child = request.members.get(is_subject=True).person_id
    parent = request.members.get(is_parent_or_carer=True).person_id

    rfs.resubmit_request(
        actor=world.business_support,
        request_id=request.pk,
        consents=[rfs.ConsentInput(str(child), "share_information", True, str(parent))],
    )

    request.refresh_from_db()
    assert request.status == RequestStatus.RETURNED_FOR_CONSENT
    assert [p["person_id"] for p in request.consent_problems] == [parent]
    assert (
        kinds_to(request=request, kind=MessageKind.CONSENT_REQUEST)
        == [(MessageKind.CONSENT_REQUEST, REFERRER)] * 2
    )
    assert not Task.objects.filter(request=request).exists()


def test_only_a_returned_request_can_be_resubmitted(world):
    request = submit(world)
    with pytest.raises(TransitionNotAllowed) as refused:
        rfs.resubmit_request(
            actor=world.business_support,
            request_id=request.pk,
            consents=consents_by_person_id(request),
        )
    assert refused.value.rule == "request_resubmit_with_consent"


# ---------------------------------------------------------------- (b) Level 1


def test_level_1_signposts_and_closes_only_with_the_line_managers_agreement(world):
    case = assessed_case(world)
    decide_level_1(case)

    case.refresh_from_db()
    assert case.status == Status.LEVEL_1_CLOSING
    assert case.level == "1"
    approval = Approval.objects.get(case=case)
    assert (approval.kind, approval.status, approval.approver) == (
        ApprovalKind.LEVEL_1_CLOSURE,
        ApprovalStatus.PENDING,
        world.manager,
    )
    task = open_tasks(kind=TaskKind.APPROVE, approval=approval).get()
    assert task.assignee == world.manager
    assert not OutboxMessage.objects.filter(kind=MessageKind.CLOSURE_NOTICE).exists()
    with pytest.raises(PermissionDenied):
        decide_approval(actor=case.key_worker, approval_id=approval.pk, approve=True)

    decide_approval(actor=world.manager, approval_id=approval.pk, approve=True)

    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.closed_on == timezone.localdate()
    assert case.closure_reason == ClosureReason.SIGNPOSTED
    assert kinds_to(case=case) == [
        (MessageKind.CLOSURE_NOTICE, world.settings.caf_mailbox),
        (MessageKind.REFERRER_FEEDBACK, REFERRER),
    ]
    assert world.settings.caf_mailbox == "caf@example.test"
    assert not open_tasks(case=case).exists()


def test_level_1_rejection_needs_comments_and_returns_the_case_to_assessment(world):
    case = assessed_case(world)
    decide_level_1(case)
    approval = Approval.objects.get(case=case)

    with pytest.raises(ValidationError) as invalid:
        decide_approval(actor=world.manager, approval_id=approval.pk, approve=False)
    assert "comments" in invalid.value.message_dict

    decide_approval(
        actor=world.manager,
        approval_id=approval.pk,
        approve=False,
        comments="Explore the housing need before closing",
    )

    approval.refresh_from_db()
    case.refresh_from_db()
    assert approval.status == ApprovalStatus.REJECTED
    assert approval.comments == "Explore the housing need before closing"
    assert case.status == Status.ASSESSMENT
    assert case.closed_on is None
    assert not open_tasks(kind=TaskKind.APPROVE).exists()
    assert not OutboxMessage.objects.filter(case=case).exists()
    # Back in assessment, the worker can record a fresh decision.
    decide_level_2(case)
    case.refresh_from_db()
    assert case.status == Status.PLANNING


# ---------------------------------------------------------------- (c) Level 2


def test_level_2_plan_is_reviewed_every_6_weeks_with_the_star_at_12_weeks(world, clock):
    clock.set(2026, 3, 2)  # Monday
    case = assessed_case(world)
    worker = case.key_worker
    decide_level_2(case)
    case.refresh_from_db()
    assert case.status == Status.PLANNING
    assert case.lead_professional == worker
    assert case.plan_started_on == dt.date(2026, 3, 2)
    assert case.next_review_due_by == dt.date(2026, 4, 13)

    add_action(case, "Bedtime routine")
    add_action(case, "Damp survey")
    services.schedule_taf_meeting(
        actor=worker,
        case_id=case.pk,
        scheduled_for=clock.now + dt.timedelta(days=7),
        venue="Preston Primary School",
        agency_ids=[a.pk for a in world.agencies],
    )
    assert sorted(kinds_to(case=case, kind=MessageKind.TAF_INVITATION)) == sorted(
        (MessageKind.TAF_INVITATION, a.email) for a in world.agencies
    )
    services.submit_caf(actor=worker, case_id=case.pk)
    case.refresh_from_db()
    assert case.caf_submitted_at == clock.now
    assert kinds_to(case=case, kind=MessageKind.CAF_SUBMISSION) == [
        (MessageKind.CAF_SUBMISSION, "caf@example.test")
    ]
    with pytest.raises(StepNotReady):
        services.submit_caf(actor=worker, case_id=case.pk)

    # First review at 6 weeks: no Star needed.
    clock.set(2026, 4, 13)
    services.record_review(
        actor=worker,
        case_id=case.pk,
        held_on=clock.today(),
        progress=progress(case),
        summary="Routine improving",
        outcome="continue",
    )
    case.refresh_from_db()
    assert case.last_reviewed_on == dt.date(2026, 4, 13)
    assert case.next_review_due_by == dt.date(2026, 5, 25)
    review_task = open_tasks(case=case, kind=TaskKind.REVIEW).get()
    assert review_task.due_on == dt.date(2026, 5, 25)

    # Second review at 12 weeks: the Outcomes Star is required.
    clock.set(2026, 5, 25)
    with pytest.raises(ValidationError) as invalid:
        services.record_review(
            actor=worker,
            case_id=case.pk,
            held_on=clock.today(),
            progress=progress(case),
            summary="Good progress",
            outcome="continue",
        )
    assert "star_scores" in invalid.value.message_dict
    review = services.record_review(
        actor=worker,
        case_id=case.pk,
        held_on=clock.today(),
        progress=progress(case, "achieved"),
        summary="Good progress",
        outcome="continue",
        star_scores=star_scores(6),
    )
    assert review.star_reading.kind == "review"
    assert review.star_reading.scores == star_scores(6)
    case.refresh_from_db()
    assert case.next_review_due_by == dt.date(2026, 7, 6)  # 6 weeks after the last review
    assert (
        kinds_to(case=case, kind=MessageKind.REVIEW_SUBMISSION)
        == [(MessageKind.REVIEW_SUBMISSION, "caf@example.test")] * 2
    )
    assert case.reviews.filter(submitted_at__isnull=False).count() == 2

    # Needs met: closure needs the closing Star and the line manager's agreement.
    clock.set(2026, 6, 1)
    with pytest.raises(ValidationError) as invalid:
        services.request_closure(actor=worker, case_id=case.pk, reason="needs_met")
    assert "star_scores" in invalid.value.message_dict
    services.request_closure(
        actor=worker, case_id=case.pk, reason="needs_met", star_scores=star_scores(8)
    )
    case.refresh_from_db()
    assert case.status == Status.CLOSURE_REQUESTED
    assert case.star_readings.filter(kind="closure", taken_on=dt.date(2026, 6, 1)).exists()
    approval = Approval.objects.get(case=case, kind=ApprovalKind.CASE_CLOSURE)
    assert approval.approver == world.manager
    assert open_tasks(kind=TaskKind.APPROVE, assignee=world.manager).get().approval == approval

    decide_approval(actor=world.manager, approval_id=approval.pk, approve=True)

    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.closed_on == dt.date(2026, 6, 1)
    assert case.closure_reason == ClosureReason.NEEDS_MET
    assert kinds_to(
        case=case, kind__in=[MessageKind.CLOSURE_NOTICE, MessageKind.REFERRER_FEEDBACK]
    ) == [
        (MessageKind.CLOSURE_NOTICE, "caf@example.test"),
        (MessageKind.REFERRER_FEEDBACK, REFERRER),
    ]
    assert not open_tasks(case=case).exists()


def test_level_2_closure_rejected_returns_the_case_to_its_plan(world):
    case = assessed_case(world)
    decide_level_2(case)
    add_action(case)
    services.request_closure(
        actor=case.key_worker, case_id=case.pk, reason="needs_met", star_scores=star_scores(8)
    )
    approval = Approval.objects.get(case=case, kind=ApprovalKind.CASE_CLOSURE)

    decide_approval(actor=world.manager, approval_id=approval.pk, approve=False, comments="Not yet")

    case.refresh_from_db()
    assert case.status == Status.PLANNING
    assert case.closure_reason == ""
    assert case.closed_on is None
    assert not OutboxMessage.objects.filter(kind=MessageKind.CLOSURE_NOTICE).exists()


def test_plan_needing_approval_is_submitted_to_the_caf_mailbox_only_once_approved(world):
    world.settings.plan_needs_approval = True
    world.settings.save()
    case = assessed_case(world)
    decide_level_2(case)
    add_action(case)

    services.submit_caf(actor=case.key_worker, case_id=case.pk)

    case.refresh_from_db()
    assert case.caf_submitted_at is None
    assert not OutboxMessage.objects.filter(kind=MessageKind.CAF_SUBMISSION).exists()
    approval = Approval.objects.get(case=case, kind=ApprovalKind.PLAN)
    assert approval.approver == world.manager
    assert open_tasks(kind=TaskKind.APPROVE, approval=approval).get().assignee == world.manager

    decide_approval(actor=world.manager, approval_id=approval.pk, approve=True)

    case.refresh_from_db()
    assert case.caf_submitted_at is not None
    assert kinds_to(case=case, kind=MessageKind.CAF_SUBMISSION) == [
        (MessageKind.CAF_SUBMISSION, "caf@example.test")
    ]


def test_plan_not_signed_off_is_not_submitted(world):
    world.settings.plan_needs_approval = True
    world.settings.save()
    case = assessed_case(world)
    decide_level_2(case)
    add_action(case)
    services.submit_caf(actor=case.key_worker, case_id=case.pk)
    approval = Approval.objects.get(case=case, kind=ApprovalKind.PLAN)

    decide_approval(
        actor=world.manager, approval_id=approval.pk, approve=False, comments="Make it SMART"
    )

    case.refresh_from_db()
    assert case.caf_submitted_at is None
    assert not OutboxMessage.objects.filter(kind=MessageKind.CAF_SUBMISSION).exists()
    assert AuditEvent.objects.filter(code="plan.rejected", subject_case_id=case.pk).exists()


# ---------------------------------------------------------------- (d) Level 3/4


def test_level_3_4_escalation_records_the_dso_discussion_and_notifies_the_dso(world):
    case = assessed_case(world)
    services.record_decision(
        actor=case.key_worker,
        case_id=case.pk,
        level="3-4",
        case_type_code="L3",
        rationale="Significant unmet needs and high risk",
        escalation=escalation(world),
    )

    case.refresh_from_db()
    assert case.status == Status.ESCALATED
    record = Escalation.objects.get(case=case)
    assert record.discussed_with == world.dso
    assert record.csc_referral_made is True
    assert record.csc_reference == "CSC-12345"
    assert record.wpehs_future_role.startswith("Attend the strategy meeting")
    assert kinds_to(case=case) == [(MessageKind.DSO_NOTICE, world.dso.email)]
    assert AuditEvent.objects.filter(code="case.escalated", subject_case_id=case.pk).exists()

    services.request_closure(actor=case.key_worker, case_id=case.pk, reason="stepped_up")
    case.refresh_from_db()
    assert case.status == Status.CLOSURE_REQUESTED
    approval = Approval.objects.get(case=case, kind=ApprovalKind.CASE_CLOSURE)
    decide_approval(actor=world.manager, approval_id=approval.pk, approve=True)
    case.refresh_from_db()
    assert (case.status, case.closure_reason) == (Status.CLOSED, ClosureReason.STEPPED_UP)


def test_level_3_4_escalation_must_be_discussed_with_a_manager_or_dso(world):
    case = assessed_case(world)
    with pytest.raises(ValidationError) as invalid:
        services.record_decision(
            actor=case.key_worker,
            case_id=case.pk,
            level="3-4",
            case_type_code="L3",
            rationale="High risk",
            escalation=escalation(world, discussed_with_id=world.second_worker.pk),
        )
    assert "escalation.discussed_with_id" in invalid.value.message_dict
    case.refresh_from_db()
    assert case.status == Status.ASSESSMENT
    assert not Decision.objects.exists()


# ---------------------------------------------------------------- (e) safeguarding


def test_safeguarding_concern_flags_the_case_and_alerts_every_dso_and_the_line_manager(world):
    second_dso = make_staff(Role.DSO, team=None)
    case = assessed_case(world)
    decide_level_2(case)
    add_action(case)

    concern = services.raise_safeguarding_concern(
        actor=case.key_worker, case_id=case.pk, concern="Child disclosed being hit"
    )

    case.refresh_from_db()
    assert case.safeguarding_flag is True
    alerted = {world.dso, second_dso, world.manager}
    tasks = open_tasks(case=case, kind=TaskKind.SAFEGUARDING)
    assert {t.assignee for t in tasks} == alerted
    assert all(t.due_on == timezone.localdate() for t in tasks)
    assert sorted(kinds_to(case=case, kind=MessageKind.SAFEGUARDING_ALERT)) == sorted(
        (MessageKind.SAFEGUARDING_ALERT, u.email) for u in alerted
    )

    for not_a_dso in (case.key_worker, world.manager, world.head):
        with pytest.raises(PermissionDenied):
            services.record_safeguarding_outcome(
                actor=not_a_dso, concern_id=concern.pk, outcome="Referred to CSC"
            )
    case.refresh_from_db()
    assert case.safeguarding_flag is True

    services.record_safeguarding_outcome(
        actor=second_dso, concern_id=concern.pk, outcome="Referred to CSC; strategy meeting"
    )

    case.refresh_from_db()
    concern.refresh_from_db()
    assert case.safeguarding_flag is False
    assert concern.outcome_recorded_by == second_dso
    assert not open_tasks(case=case, kind=TaskKind.SAFEGUARDING).exists()
    assert case.status == Status.PLANNING
    with pytest.raises(StepNotReady):
        services.record_safeguarding_outcome(
            actor=world.dso, concern_id=concern.pk, outcome="Again"
        )


def test_safeguarding_flag_stays_until_every_concern_has_an_outcome(world):
    case = open_case(world)
    first = services.raise_safeguarding_concern(
        actor=case.key_worker, case_id=case.pk, concern="First concern"
    )
    services.raise_safeguarding_concern(
        actor=case.key_worker, case_id=case.pk, concern="Second concern"
    )
    services.record_safeguarding_outcome(actor=world.dso, concern_id=first.pk, outcome="Done")
    case.refresh_from_db()
    assert case.safeguarding_flag is True


# ---------------------------------------------------------------- (f) refused CAF consent


def test_refused_caf_consent_goes_to_the_line_manager_and_blocks_completion(world):
    case = open_case(world)
    prepare_assessment(case, consent=False)

    task = open_tasks(case=case, kind=TaskKind.CAF_CONSENT_REFUSED).get()
    assert task.assignee == world.manager
    with pytest.raises(StepNotReady) as not_ready:
        services.complete_assessment(actor=case.key_worker, case_id=case.pk)
    assert "consent" in str(not_ready.value)
    with pytest.raises(PermissionDenied):
        services.record_consent_refusal_decision(
            actor=case.key_worker, case_id=case.pk, decision="Close"
        )
    # Until the manager has decided, no decision can be recorded either.
    with pytest.raises(StepNotReady):
        decide_level_1(case)

    services.record_consent_refusal_decision(
        actor=world.manager, case_id=case.pk, decision="Signpost to universal services"
    )

    case.assessment.refresh_from_db()
    assert case.assessment.consent == ConsentDecision.REFUSED
    assert case.assessment.consent_refusal_decision == "Signpost to universal services"
    assert not open_tasks(case=case, kind=TaskKind.CAF_CONSENT_REFUSED).exists()
    with pytest.raises(StepNotReady):
        services.complete_assessment(actor=case.key_worker, case_id=case.pk)


def test_refused_caf_consent_allows_level_1_or_3_4_but_not_level_2(world):
    cases = []
    for _ in range(3):
        case = open_case(world)
        prepare_assessment(case, consent=False)
        services.record_consent_refusal_decision(
            actor=world.manager, case_id=case.pk, decision="Decide on what we know"
        )
        cases.append(case)
    level_2, level_1, level_3_4 = cases

    with pytest.raises(StepNotReady) as not_ready:
        decide_level_2(level_2)
    assert not_ready.value.rule == "assessment_incomplete"
    level_2.refresh_from_db()
    assert level_2.status == Status.ASSESSMENT

    decide_level_1(level_1)
    level_1.refresh_from_db()
    assert level_1.status == Status.LEVEL_1_CLOSING

    services.record_decision(
        actor=level_3_4.key_worker,
        case_id=level_3_4.pk,
        level="3-4",
        case_type_code="L3",
        rationale="Risk too high without an assessment",
        escalation=escalation(world),
    )
    level_3_4.refresh_from_db()
    assert level_3_4.status == Status.ESCALATED


# ---------------------------------------------------------------- (g) worklessness


@pytest.mark.parametrize(
    "outcome", [EmploymentAdvisorContact.MADE, EmploymentAdvisorContact.DECLINED]
)
def test_worklessness_requires_employment_advisor_contact_before_completion(world, outcome):
    case = open_case(world)
    prepare_assessment(case)
    services.update_assessment(actor=case.key_worker, case_id=case.pk, worklessness_identified=True)

    case.assessment.refresh_from_db()
    assert case.assessment.employment_advisor_contact == EmploymentAdvisorContact.REQUIRED
    task = open_tasks(case=case, kind=TaskKind.EMPLOYMENT_ADVISOR).get()
    assert task.assignee == case.key_worker
    with pytest.raises(StepNotReady) as not_ready:
        services.complete_assessment(actor=case.key_worker, case_id=case.pk)
    assert "Employment Advisor" in str(not_ready.value)
    with pytest.raises(ValidationError):
        services.record_employment_advisor_contact(
            actor=case.key_worker, case_id=case.pk, outcome="required"
        )

    services.record_employment_advisor_contact(
        actor=case.key_worker, case_id=case.pk, outcome=outcome, note="Spoke to Jo"
    )

    assert not open_tasks(case=case, kind=TaskKind.EMPLOYMENT_ADVISOR).exists()
    assessment = services.complete_assessment(actor=case.key_worker, case_id=case.pk)
    assert assessment.completed_at is not None
    assert assessment.employment_advisor_contact == outcome


def test_employment_advisor_contact_is_refused_without_worklessness(world):
    case = open_case(world)
    with pytest.raises(StepNotReady):
        services.record_employment_advisor_contact(
            actor=case.key_worker, case_id=case.pk, outcome="made"
        )


# ---------------------------------------------------------------- (h) existing CAF


def test_existing_caf_keeps_its_urn_and_asks_the_worker_to_contact_its_lead_professional(world):
    request = submit(
        world,
        caf=rfs.CafInput(
            exists=True,
            urn="LAN-2024-000077",
            lead_professional="Jo Health",
            lead_professional_email="jo.health@example.test",
        ),
    )

    assert request.status == RequestStatus.AWAITING_ALLOCATION
    assert (request.caf_urn, request.urn_issued) == ("LAN-2024-000077", False)
    assert not UrnSequence.objects.exists()
    contact_lp = open_tasks(request=request, kind=TaskKind.CONTACT_LEAD_PROFESSIONAL).get()
    assert contact_lp.assignee == world.manager
    assert "Jo Health" in contact_lp.title

    case = rfs.allocate_request(
        actor=world.manager, request_id=request.pk, key_worker_id=world.second_worker.pk
    )

    contact_lp.refresh_from_db()
    assert contact_lp.assignee == world.second_worker
    assert contact_lp.is_open
    assert case.urn == "LAN-2024-000077"


def test_existing_caf_needs_its_urn_and_lead_professional(world):
    with pytest.raises(ValidationError) as invalid:
        submit(world, caf=rfs.CafInput(exists=True))
    assert {"caf.urn", "caf.lead_professional"} <= set(invalid.value.message_dict)
    assert not RequestForSupport.objects.exists()


# ---------------------------------------------------------------- (i) re-referral


def test_re_referral_within_12_months_of_closure_keeps_the_urn(world):
    closed = closed_level_1_case(world)
    Case.objects.filter(pk=closed.pk).update(
        closed_on=timezone.localdate() - dt.timedelta(days=330)
    )

    request = resubmit_about(world, same_people(closed))

    assert request.family == closed.family
    assert request.is_re_referral is True
    assert (request.caf_urn, request.urn_issued) == (closed.urn, False)
    assert UrnSequence.objects.get().last_number == 1
    case = rfs.allocate_request(
        actor=world.manager, request_id=request.pk, key_worker_id=world.key_worker.pk
    )
    assert (case.urn, case.is_re_referral) == (closed.urn, True)


def test_re_referral_13_months_after_closure_gets_a_new_urn(world):
    closed = closed_level_1_case(world)
    Case.objects.filter(pk=closed.pk).update(
        closed_on=timezone.localdate() - dt.timedelta(days=396)
    )

    request = resubmit_about(world, same_people(closed))

    assert request.family == closed.family
    assert request.is_re_referral is False
    assert request.urn_issued is True
    assert request.caf_urn != closed.urn
    assert request.caf_urn.endswith("-000002")


# ---------------------------------------------------------------- (j) matching


def look_alikes() -> list[rfs.MemberInput]:
    """The same parent and child as tests.casework.members, not linked nor confirmed."""
    return [
        rfs.MemberInput(
            key="parent",
            first_name="Sam",
            last_name="Testfamily",
            date_of_birth=dt.date(1990, 4, 1),
            relationship="parent",
            is_subject=False,
            is_parent_or_carer=True,
        ),
        rfs.MemberInput(
            key="child",
            first_name="Alex",
            last_name="Testfamily",
            date_of_birth=dt.date(2018, 6, 1),
        ),
    ]


def submit_people(world, people: list[rfs.MemberInput]) -> RequestForSupport:
    return rfs.submit_request(
        actor=world.business_support,
        route="self",
        received_at=timezone.now() - dt.timedelta(hours=1),
        referrer=rfs.ReferrerInput(name="Sam Testfamily"),
        address=rfs.AddressInput(
            family_name="Testfamily", address_line_1="9 Other Road", postcode="PR2 1ZZ"
        ),
        members=people,
        consents=[rfs.ConsentInput(m.key, "share_information", True, "parent") for m in people],
        needs=rfs.NeedsInput(presenting_needs="Asking for help again"),
        caf=rfs.CafInput(),
    )


def test_a_person_with_the_same_name_and_birth_date_must_be_linked_or_confirmed_new(world):
    first = submit(world)
    known = {m.person.first_name: m.person for m in first.members.select_related("person")}
    counts = (RequestForSupport.objects.count(), Person.objects.count(), Family.objects.count())

    with pytest.raises(PossibleDuplicatePeople) as duplicate:
        submit_people(world, look_alikes())

    assert set(duplicate.value.matches) == {"parent", "child"}
    assert duplicate.value.matches["child"][0]["person_id"] == known["Alex"].pk
    assert "same date of birth" in duplicate.value.matches["child"][0]["reasons"]
    assert (
        RequestForSupport.objects.count(),
        Person.objects.count(),
        Family.objects.count(),
    ) == counts


def test_linking_known_people_reuses_their_family(world):
    first = submit(world)
    known = {m.person.first_name: m.person for m in first.members.select_related("person")}
    families = Family.objects.count()
    people = [replace(m, person_id=known[m.first_name].pk) for m in look_alikes()]

    second = submit_people(world, people)

    assert second.family == first.family
    assert Family.objects.count() == families
    assert {m.person_id for m in second.members.all()} == {p.pk for p in known.values()}
    assert first.family.memberships.count() == 2


def test_confirming_look_alikes_as_new_people_creates_a_new_family(world):
    first = submit(world)
    people = [replace(m, confirmed_new=True) for m in look_alikes()]

    second = submit_people(world, people)

    assert second.family != first.family
    assert Person.objects.filter(first_name="Alex", last_name="Testfamily").count() == 2


# ---------------------------------------------------------------- (k) audit and chronology


@contextmanager
def audited(code: str, case: Case | None = None):
    """Assert the block writes exactly one more audit event with this code."""
    before = AuditEvent.objects.filter(kind=AuditKind.WRITE, code=code).count()
    yield
    assert AuditEvent.objects.filter(kind=AuditKind.WRITE, code=code).count() == before + 1, code


def test_every_state_change_is_audited_and_the_chronology_lists_them_in_order(world):
    with audited("request.received"), audited("request.accepted"):
        request = submit(world)
    with audited("request.allocated"), audited("case.opened"):
        case = rfs.allocate_request(
            actor=world.manager, request_id=request.pk, key_worker_id=world.key_worker.pk
        )
    with audited("contact.recorded"):
        services.record_contact(
            actor=case.key_worker,
            case_id=case.pk,
            occurred_at=timezone.now(),
            contact_type="home_visit",
            duration_minutes=60,
            notes="Initial visit",
        )
    with audited("assessment.consent_recorded"):
        services.record_caf_consent(actor=case.key_worker, case_id=case.pk, given=True)
    with audited("assessment.updated"):
        services.update_assessment(
            actor=case.key_worker,
            case_id=case.pk,
            fields={
                "child_development_needs": "Sleep",
                "parenting_capacity_needs": "Boundaries",
                "family_environment_needs": "Damp",
                "voice_of_child": "Wants help",
            },
        )
    with audited("star.recorded"):
        services.record_star_reading(
            actor=case.key_worker,
            case_id=case.pk,
            kind="baseline",
            taken_on=timezone.localdate(),
            scores=star_scores(3),
        )
    with audited("assessment.completed"):
        services.complete_assessment(actor=case.key_worker, case_id=case.pk)
    with audited("case.decision_recorded"), audited("approval.requested"):
        decide_level_1(case)
    approval = Approval.objects.get(case=case)
    with audited("approval.approved"), audited("case.closed"):
        decide_approval(actor=world.manager, approval_id=approval.pk, approve=True)

    chronology = case_chronology(case=case)

    assert [entry.code for entry in chronology] == [
        "request.received",
        "request.accepted",
        "case.opened",
        "request.allocated",
        "contact.recorded",
        "assessment.consent_recorded",
        "assessment.updated",
        "star.recorded",
        "assessment.completed",
        "approval.requested",
        "case.decision_recorded",
        "approval.approved",
        "case.closed",
    ]
    times = [entry.occurred_at for entry in chronology]
    assert times == sorted(times)
    assert chronology[0].actor == world.business_support.get_full_name()
    assert chronology[-1].actor == world.manager.get_full_name()
    assert chronology[3].summary == f"Allocated to {world.key_worker.get_full_name()}"
    assert chronology[10].summary == "Decision: level 1, case type L2-L1"


def test_chronology_leaves_out_other_cases_and_views(world):
    case = open_case(world)
    other = open_case(world)
    services.record_contact(
        actor=other.key_worker,
        case_id=other.pk,
        occurred_at=timezone.now(),
        contact_type="phone",
        duration_minutes=10,
        notes="Other family",
    )

    codes = [e.code for e in case_chronology(case=case)]

    assert codes == ["request.received", "request.accepted", "case.opened", "request.allocated"]


# ---------------------------------------------------------------- (l) nothing half-written


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Approval,
            OutboxMessage,
            Task,
            AuditEvent,
            Decision,
            StarReading,
            RequestForSupport,
            Person,
            Family,
        )
    }


def test_a_closure_with_an_invalid_star_score_writes_nothing(world):
    case = assessed_case(world)
    decide_level_2(case)
    add_action(case)
    before = row_counts()

    with pytest.raises(ValidationError) as invalid:
        services.request_closure(
            actor=case.key_worker,
            case_id=case.pk,
            reason="needs_met",
            star_scores={**star_scores(7), "wellbeing": 11},
        )

    assert "scores.wellbeing" in invalid.value.message_dict
    assert row_counts() == before
    case.refresh_from_db()
    assert (case.status, case.closure_reason, case.status_before_closure) == (
        Status.PLANNING,
        "",
        "",
    )


def test_a_level_1_decision_failing_after_its_first_write_leaves_no_partial_rows(world):
    case = assessed_case(world)
    before = row_counts()

    # The decision row is written before the missing signposting is noticed.
    with pytest.raises(ValidationError):
        services.record_decision(
            actor=case.key_worker,
            case_id=case.pk,
            level="1",
            case_type_code="L2-L1",
            rationale="Universal services",
        )

    assert row_counts() == before
    case.refresh_from_db()
    assert (case.status, case.level) == (Status.ASSESSMENT, "")


def test_a_request_with_consent_for_someone_not_on_it_leaves_no_family_or_people(world):
    before = row_counts()

    with pytest.raises(ValidationError):
        submit(world, consents=[rfs.ConsentInput("stranger", "share_information", True, "parent")])

    assert row_counts() == before
    assert not UrnSequence.objects.exists()


def test_an_approval_whose_step_fails_stays_pending(world, monkeypatch):
    case = assessed_case(world)
    decide_level_1(case)
    approval = Approval.objects.get(case=case)
    before = row_counts()

    def mail_server_config_missing():
        raise RuntimeError("no CAF mailbox")

    monkeypatch.setattr("earlyhelp.cases.services.service_settings", mail_server_config_missing)
    with pytest.raises(RuntimeError):
        decide_approval(actor=world.manager, approval_id=approval.pk, approve=True)

    assert row_counts() == before
    approval.refresh_from_db()
    case.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING
    assert case.status == Status.LEVEL_1_CLOSING
    assert open_tasks(kind=TaskKind.APPROVE, approval=approval).exists()
