from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from earlyhelp.approvals import services

router = Router(tags=["Approvals"])


class ApprovalDecisionIn(Schema):
    approve: bool
    comments: str = ""


class ApprovalOut(Schema):
    id: int
    kind: str
    case_id: int
    status: str
    approver: str
    decided_by: str | None
    decided_at: dt.datetime | None
    comments: str


@router.post("/{approval_id}/decision", response=ApprovalOut, summary="Approve or reject")
def decide(request, approval_id: int, payload: ApprovalDecisionIn):
    """Approve, or reject with comments. 409 if it was already decided."""
    approval = services.decide_approval(
        actor=request.auth,
        approval_id=approval_id,
        approve=payload.approve,
        comments=payload.comments,
        source=f"API POST {request.path}",
    )
    return ApprovalOut(
        id=approval.pk,
        kind=approval.kind,
        case_id=approval.case_id,
        status=approval.status,
        approver=str(approval.approver),
        decided_by=str(approval.decided_by) if approval.decided_by_id else None,
        decided_at=approval.decided_at,
        comments=approval.comments,
    )
