"""The casework journey of Appendix L as data: statuses, the transitions between them,
and the timescales. No Django here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from earlyhelp.domain.calendar import WorkingCalendar


class TransitionNotAllowed(Exception):
    """An action was asked for in a state that does not allow it."""

    def __init__(self, action: str, state: str, rule: str = "transition_not_allowed"):
        self.action = action
        self.state = state
        self.rule = rule
        super().__init__(f"You cannot {action.replace('_', ' ')} while it is {state}.")


class RequestStatus(StrEnum):
    RETURNED_FOR_CONSENT = "returned_for_consent"
    AWAITING_ALLOCATION = "awaiting_allocation"
    ALLOCATED = "allocated"
    WITHDRAWN = "withdrawn"


class CaseStatus(StrEnum):
    ASSESSMENT = "assessment"  # allocated: initial visit, CAF and Outcomes Star under way
    LEVEL_1_CLOSING = "level_1_closing"  # signposted; closure awaits the line manager
    PLANNING = "planning"  # Level 2: lead professional, action plan and TAF
    ESCALATED = "escalated"  # Level 3/4: discussed with the line manager or DSO
    CLOSURE_REQUESTED = "closure_requested"  # awaiting the line manager's agreement
    CLOSED = "closed"


REQUEST_TRANSITIONS: dict[str, dict[RequestStatus | None, RequestStatus]] = {
    "receive_without_consent": {None: RequestStatus.RETURNED_FOR_CONSENT},
    "receive_with_consent": {None: RequestStatus.AWAITING_ALLOCATION},
    "resubmit_with_consent": {
        RequestStatus.RETURNED_FOR_CONSENT: RequestStatus.AWAITING_ALLOCATION
    },
    "resubmit_still_without_consent": {
        RequestStatus.RETURNED_FOR_CONSENT: RequestStatus.RETURNED_FOR_CONSENT
    },
    "allocate": {RequestStatus.AWAITING_ALLOCATION: RequestStatus.ALLOCATED},
    "withdraw": {
        RequestStatus.RETURNED_FOR_CONSENT: RequestStatus.WITHDRAWN,
        RequestStatus.AWAITING_ALLOCATION: RequestStatus.WITHDRAWN,
    },
}

_OPEN = (CaseStatus.ASSESSMENT, CaseStatus.PLANNING, CaseStatus.ESCALATED)

CASE_TRANSITIONS: dict[str, dict[CaseStatus, CaseStatus]] = {
    # The decision after assessment, recorded with its evidence.
    "decide_level_1": {CaseStatus.ASSESSMENT: CaseStatus.LEVEL_1_CLOSING},
    "decide_level_2": {CaseStatus.ASSESSMENT: CaseStatus.PLANNING},
    "decide_level_3_4": {
        CaseStatus.ASSESSMENT: CaseStatus.ESCALATED,
        CaseStatus.PLANNING: CaseStatus.ESCALATED,
    },
    "approve_level_1_closure": {CaseStatus.LEVEL_1_CLOSING: CaseStatus.CLOSED},
    "reject_level_1_closure": {CaseStatus.LEVEL_1_CLOSING: CaseStatus.ASSESSMENT},
    "request_closure": {
        CaseStatus.PLANNING: CaseStatus.CLOSURE_REQUESTED,
        CaseStatus.ESCALATED: CaseStatus.CLOSURE_REQUESTED,
    },
    # A rejected closure goes back to the state before the request
    # (Case.status_before_closure), so it has no fixed entry here.
    "approve_closure": {CaseStatus.CLOSURE_REQUESTED: CaseStatus.CLOSED},
    "reopen": {CaseStatus.CLOSED: CaseStatus.ASSESSMENT},
}
# Actions that need no change of state but only make sense in some states.
CASE_ACTIONS_ALLOWED: dict[str, tuple[CaseStatus, ...]] = {
    "record_contact": (*_OPEN, CaseStatus.LEVEL_1_CLOSING, CaseStatus.CLOSURE_REQUESTED),
    "edit_assessment": (CaseStatus.ASSESSMENT,),
    "record_star": (*_OPEN, CaseStatus.CLOSURE_REQUESTED),
    "plan": (CaseStatus.PLANNING,),
    "review": (CaseStatus.PLANNING,),
    "raise_safeguarding": (*_OPEN, CaseStatus.LEVEL_1_CLOSING, CaseStatus.CLOSURE_REQUESTED),
}


def next_request_status(action: str, current: RequestStatus | None) -> RequestStatus:
    """The status a Request for Support moves to, or TransitionNotAllowed."""
    allowed = REQUEST_TRANSITIONS[action]
    if current not in allowed:
        raise TransitionNotAllowed(action, _label(current), rule=f"request_{action}")
    return allowed[current]


def next_case_status(action: str, current: CaseStatus) -> CaseStatus:
    """The status a case moves to, or TransitionNotAllowed."""
    allowed = CASE_TRANSITIONS[action]
    if current not in allowed:
        raise TransitionNotAllowed(action, _label(current), rule=f"case_{action}")
    return allowed[current]


def check_case_action(action: str, current: CaseStatus) -> None:
    """Raise TransitionNotAllowed unless the action is allowed in this state."""
    if current not in CASE_ACTIONS_ALLOWED[action]:
        raise TransitionNotAllowed(action, _label(current), rule=f"case_{action}")


def _label(state: object) -> str:
    return "new" if state is None else str(state).replace("_", " ")


@dataclass(frozen=True)
class Timescales:
    """The service's timescales (from the configuration)."""

    allocation_working_days: int = 5
    initial_visit_working_days: int = 7
    review_interval_weeks: int = 6
    review_overdue_weeks: int = 8
    outcomes_star_review_weeks: int = 12


def allocation_due_by(received_on: dt.date, calendar: WorkingCalendar, t: Timescales) -> dt.date:
    """Allocation is due 5 working days after the day the request was received."""
    return calendar.add_working_days(received_on, t.allocation_working_days)


def initial_visit_due_by(
    allocated_on: dt.date, calendar: WorkingCalendar, t: Timescales
) -> dt.date:
    """The initial visit is due 7 working days after allocation."""
    return calendar.add_working_days(allocated_on, t.initial_visit_working_days)


def next_review_due_by(last_review_or_plan_start: dt.date, t: Timescales) -> dt.date:
    """A plan is reviewed 6 weeks after it starts or after its last review."""
    return last_review_or_plan_start + dt.timedelta(weeks=t.review_interval_weeks)


def review_overdue_after(last_review_or_plan_start: dt.date, t: Timescales) -> dt.date:
    """A review is overdue once 8 weeks have passed."""
    return last_review_or_plan_start + dt.timedelta(weeks=t.review_overdue_weeks)


def is_twelve_week_review(plan_started_on: dt.date, held_on: dt.date, t: Timescales) -> bool:
    """The review held at or after 12 weeks of the plan (the first such) takes the Star."""
    return (held_on - plan_started_on).days >= t.outcomes_star_review_weeks * 7 - 7


RE_REFERRAL_WINDOW_DAYS = 365


def is_re_referral(last_closed_on: dt.date | None, received_on: dt.date) -> bool:
    """A request for a family whose case closed within the last 12 months."""
    return last_closed_on is not None and (received_on - last_closed_on).days <= (
        RE_REFERRAL_WINDOW_DAYS
    )
