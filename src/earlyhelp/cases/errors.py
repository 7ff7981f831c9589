from __future__ import annotations

from earlyhelp.core.concurrency import StaleRecord
from earlyhelp.core.errors import DomainError

# The stale-form refusal is shared by every record edited in a form (core/concurrency.py).
__all__ = ["AlreadyAllocated", "StaleRecord", "StepNotReady"]


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
