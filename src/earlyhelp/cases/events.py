"""The coded events of casework, and how the chronology describes each."""

from __future__ import annotations

import datetime as dt
from typing import Any

DESCRIPTIONS: dict[str, str] = {
    "request.received": "Request for Support received: {route}",
    "request.returned_for_consent": "Returned to the referrer to complete consent",
    "request.resubmitted": "Request resubmitted with consent",
    "request.accepted": "Acknowledged; allocation due by {allocation_due_by}; URN {urn}",
    "request.withdrawn": "Request withdrawn: {reason}",
    "request.allocated": "Allocated to {key_worker_name}",
    "case.opened": "Case opened; initial visit due by {initial_visit_due_by}",
    "contact.recorded": "Contact recorded ({type}, {minutes} minutes)",
    "assessment.updated": "Assessment updated",
    "assessment.consent_recorded": "Consent to the CAF recorded",
    "assessment.consent_refusal_decided": "Line manager's decision on refused consent: {decision}",
    "assessment.employment_advisor_contact": "Employment Advisor contact recorded",
    "assessment.completed": "Assessment completed",
    "star.recorded": "Outcomes Star taken ({kind})",
    "case.decision_recorded": "Decision: level {level}, case type {case_type}",
    "case.escalated": "Escalation discussed with {discussed_with}",
    "plan.action_added": "Action added to the plan",
    "taf.scheduled": "TAF meeting scheduled",
    "caf.submitted": "CAF/TAF submitted to the CAF mailbox",
    "plan.approval_requested": "Action plan sent for sign-off",
    "plan.rejected": "Action plan not signed off",
    "review.recorded": "Review held on {held_on}: {outcome}",
    "case.closure_requested": "Closure requested ({reason})",
    "case.closed": "Case closed",
    "case.closure_rejected": "Closure not agreed: {comments}",
    "case.level_1_closure_rejected": "Level 1 closure not agreed: {comments}",
    "approval.requested": "Approval requested from {approver_name}",
    "approval.approved": "Approved",
    "approval.rejected": "Rejected: {comments}",
    "safeguarding.raised": "Safeguarding concern raised: child needs protection",
    "safeguarding.outcome_recorded": "DSO recorded the safeguarding outcome",
    "safeguarding_note.recorded": "Safeguarding note added",
    "case.key_worker_changed": "Key worker changed from {from_name} to {to_name}: {reason}",
}


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return "not recorded"


def _readable(value: Any) -> Any:
    """ISO dates as people write them: 1 December 2026."""
    if isinstance(value, str) and len(value) == 10:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value
        return f"{day.day} {day:%B %Y}"
    return value


def _labels() -> dict[str, dict[str, str]]:
    """The words for the coded values that events carry in their details."""
    from earlyhelp.cases.models import ClosureReason, ContactType, ReviewOutcome
    from earlyhelp.referrals.models import Route

    return {
        "route": dict(Route.choices),
        "type": dict(ContactType.choices),
        "reason": dict(ClosureReason.choices),
        "outcome": dict(ReviewOutcome.choices),
    }


def describe(code: str, details: dict[str, Any], changes: dict[str, Any]) -> str:
    """A plain-English line for a coded event."""
    template = DESCRIPTIONS.get(code)
    if template is None:
        return code.replace(".", ": ").replace("_", " ").capitalize()
    labels = _labels()
    values = {
        key: str(labels[key].get(value, value)).lower()
        if key in labels and isinstance(value, str)
        else _readable(value)
        for key, value in (details or {}).items()
    }
    return template.format_map(_Missing(values))
