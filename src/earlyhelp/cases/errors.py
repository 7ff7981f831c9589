from __future__ import annotations

from earlyhelp.core.errors import DomainError


class AlreadyAllocated(DomainError):
    status = 409
    title = "Already allocated"
    rule = "request_already_allocated"


class StepNotReady(DomainError):
    """A step's preconditions are not met (for example, completing an assessment while
    the Employment Advisor contact is outstanding)."""

    status = 409
    title = "Not ready for this step"
    rule = "step_not_ready"


class StaleRecord(DomainError):
    """Someone else saved this record after you opened it."""

    status = 409
    title = "Changed by someone else"
    rule = "stale_record"
