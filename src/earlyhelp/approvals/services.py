"""One approval mechanism: requested, approved, or rejected with comments; history kept
(each decision is an audit event). The app whose step needs sign-off registers what
happens on the decision."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from earlyhelp.approvals.models import Approval, Kind, Status
from earlyhelp.audit.services import record_denied, record_write
from earlyhelp.tasks.models import Kind as TaskKind
from earlyhelp.tasks.services import complete_tasks, create_task

Handler = Callable[..., None]
_HANDLERS: dict[str, Handler] = {}


def register_handler(kind: Kind, handler: Handler) -> None:
    """What happens when an approval of this kind is decided: ``handler(approval, *,
    actor, approved)`` runs inside the deciding transaction."""
    _HANDLERS[kind] = handler


def request_approval(*, kind: Kind, case, requested_by, approver, note: str = "") -> Approval:
    """Ask for sign-off; the approver sees it on their task list."""
    if approver is None:
        raise ValidationError({"approver": ["The worker has no line manager to approve this"]})
    approval = Approval(
        kind=kind,
        case=case,
        requested_by=requested_by,
        requested_at=timezone.now(),
        request_note=note,
        approver=approver,
    )
    approval.full_clean()
    approval.save()
    create_task(
        kind=TaskKind.APPROVE,
        title=f"Approve: {approval.get_kind_display()} for case {case.urn}",
        assignee=approver,
        case=case,
        approval=approval,
        due_on=timezone.localdate(),
    )
    record_write(
        actor=requested_by,
        code="approval.requested",
        instance=approval,
        details={
            "kind": kind,
            "approver": approver.email,
            "approver_name": approver.get_full_name() or approver.email,
            "note": note,
        },
        subject_case_id=case.pk,
        subject_family_id=case.family_id,
    )
    return approval


def may_decide(user, approval: Approval) -> bool:
    """The named approver, anyone managing the case's worker, or the head of service."""
    return user.pk == approval.approver_id or user.has_perm("cases.manage_case", approval.case)


def decide_approval(
    *, actor, approval_id: int, approve: bool, comments: str = "", source: str = ""
) -> Approval:
    """Approve, or reject with comments. A decided approval cannot be decided again."""
    # Checked before the transaction, so that a refusal stays on the audit log.
    approval = (
        Approval.objects.select_related("case__team", "case__key_worker__staff", "case__family")
        .filter(pk=approval_id)
        .first()
    )
    if approval is None:
        raise Http404("No such approval.")
    if not may_decide(actor, approval):
        record_denied(
            actor=actor, object_type="approvals.approval", object_id=approval_id, source=source
        )
        raise PermissionDenied("You cannot decide this approval.")
    return _decide_approval(
        actor=actor, approval_id=approval_id, approve=approve, comments=comments, source=source
    )


@transaction.atomic
def _decide_approval(
    *, actor, approval_id: int, approve: bool, comments: str, source: str
) -> Approval:
    approval = (
        # Lock the approval row only: the worker's staff record is an outer join, which
        # PostgreSQL cannot lock.
        Approval.objects.select_for_update(of=("self",))
        .select_related("case__team", "case__key_worker__staff", "case__family")
        .filter(pk=approval_id)
        .first()
    )
    if approval.status != Status.PENDING:
        from earlyhelp.cases.errors import StepNotReady

        raise StepNotReady("This has already been decided.", rule="approval_already_decided")
    if not approve and not comments.strip():
        raise ValidationError({"comments": ["Say why you are rejecting it"]})
    approval.status = Status.APPROVED if approve else Status.REJECTED
    approval.decided_by = actor
    approval.decided_at = timezone.now()
    approval.comments = comments.strip()
    approval.save(update_fields=["status", "decided_by", "decided_at", "comments"])
    complete_tasks(actor=actor, kind=TaskKind.APPROVE, approval=approval)
    record_write(
        actor=actor,
        code="approval.approved" if approve else "approval.rejected",
        instance=approval,
        changes={"status": [Status.PENDING, approval.status]},
        details={"kind": approval.kind, "comments": approval.comments},
        source=source,
        subject_case_id=approval.case_id,
        subject_family_id=approval.case.family_id,
    )
    _HANDLERS[approval.kind](approval, actor=actor, approved=approve)
    return approval
