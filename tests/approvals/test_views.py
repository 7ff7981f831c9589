"""The approver's page: approve, or reject with comments; only the approver or the
worker's managers may decide, and only once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from earlyhelp.approvals.models import Approval
from earlyhelp.approvals.models import Status as ApprovalStatus
from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.cases import services
from earlyhelp.cases.models import Status
from earlyhelp.outbox.models import Kind as MessageKind
from earlyhelp.outbox.models import OutboxMessage
from tests.casework import assessed_case, star_scores


def closure_approval(world) -> Approval:
    """A Level 2 case whose worker asked to close it: the approval is the manager's."""
    case = assessed_case(world)
    services.record_decision(
        actor=world.key_worker,
        case_id=case.pk,
        level="2",
        case_type_code="L2A",
        rationale="Needs met by CAF/TAF",
        lead_professional_id=world.key_worker.pk,
    )
    services.request_closure(
        actor=world.key_worker,
        case_id=case.pk,
        reason="needs_met",
        notes="Every action achieved",
        star_scores=star_scores(8),
    )
    return Approval.objects.get(case=case, status=ApprovalStatus.PENDING)


def url(approval: Approval) -> str:
    return reverse("approvals:decide", args=[approval.pk])


@pytest.mark.django_db
def test_the_approver_sees_the_request(client, world):
    approval = closure_approval(world)
    client.force_login(world.manager)

    response = client.get(url(approval))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Case closure" in content
    assert "Every action achieved" in content
    assert reverse("cases:detail", args=[approval.case_id]) in content
    assert 'data-aria-controls="conditional-reject"' in content
    assert AuditEvent.objects.filter(kind=Kind.VIEW, object_id=str(approval.pk)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["key_worker", "other_manager", "other_worker"])
def test_someone_who_may_not_decide_is_refused(client, world, who):
    approval = closure_approval(world)
    client.force_login(getattr(world, who))

    get = client.get(url(approval))
    post = client.post(url(approval), {"decision": "approve"})

    assert get.status_code == 403
    assert post.status_code == 403
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING
    assert AuditEvent.objects.filter(kind=Kind.DENIED, object_id=str(approval.pk)).exists()


@pytest.mark.django_db
def test_the_managers_manager_may_decide(client, world):
    approval = closure_approval(world)
    client.force_login(world.locality_manager)

    assert client.get(url(approval)).status_code == 200


@pytest.mark.django_db
def test_approving_a_closure_closes_the_case_and_tells_the_referrer(client, world):
    approval = closure_approval(world)
    client.force_login(world.manager)

    response = client.post(url(approval), {"decision": "approve", "approve_comments": "Agreed"})

    assert response.status_code == 302
    assert response["Location"] == reverse("tasks:list")
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED
    assert approval.comments == "Agreed"
    assert approval.case.status == Status.CLOSED
    kinds = set(OutboxMessage.objects.values_list("kind", flat=True))
    assert {MessageKind.CLOSURE_NOTICE, MessageKind.REFERRER_FEEDBACK} <= kinds
    feedback = OutboxMessage.objects.get(kind=MessageKind.REFERRER_FEEDBACK)
    assert feedback.to == "referrer@example.test"


@pytest.mark.django_db
def test_rejecting_without_comments_asks_for_them(client, world):
    approval = closure_approval(world)
    client.force_login(world.manager)

    response = client.post(url(approval), {"decision": "reject", "reject_comments": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors["reject_comments"] == ["Say why you are rejecting it"]
    content = response.content.decode()
    assert "There is a problem" in content
    assert 'href="#id_reject_comments"' in content
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING
    assert approval.case.status == Status.CLOSURE_REQUESTED


@pytest.mark.django_db
def test_a_decision_must_be_chosen(client, world):
    approval = closure_approval(world)
    client.force_login(world.manager)

    response = client.post(url(approval), {})

    assert response.context["form"].errors["decision"] == [
        "Choose whether you approve or reject it"
    ]
    assert 'href="#id_decision_0"' in response.content.decode()


@pytest.mark.django_db
def test_rejecting_a_closure_returns_the_case_to_its_plan(client, world):
    approval = closure_approval(world)
    client.force_login(world.manager)

    response = client.post(
        url(approval), {"decision": "reject", "reject_comments": "One more review first"}
    )

    assert response.status_code == 302
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.REJECTED
    assert approval.comments == "One more review first"
    assert approval.case.status == Status.PLANNING
    assert not OutboxMessage.objects.filter(kind=MessageKind.CLOSURE_NOTICE).exists()


@pytest.mark.django_db
def test_an_approval_is_decided_only_once(client, world):
    approval = closure_approval(world)
    client.force_login(world.manager)
    client.post(url(approval), {"decision": "approve"})

    again = client.get(url(approval))
    post_again = client.post(url(approval), {"decision": "reject", "reject_comments": "No"})

    assert again.status_code == 409
    assert "This has already been decided" in again.content.decode()
    assert post_again.status_code == 409
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED
