"""The refusals of the data-protection services, shown by the field on the web and as
problem+json in the API."""

from __future__ import annotations

from earlyhelp.core.errors import DomainError


class NotDueForErasure(DomainError):
    """The family is not past its destroy-after date (or something of it is still open)."""

    status = 409
    title = "Not due for erasure"
    rule = "retention_not_due"


class ErasureNotApproved(DomainError):
    """Erasure needs an approved proposal: proposed by one person, approved by another."""

    status = 409
    title = "Erasure not approved"
    rule = "erasure_not_approved"


class SamePersonCannotApprove(DomainError):
    status = 409
    title = "A second person must approve"
    rule = "erasure_needs_second_person"


class ReviewAlreadyDecided(DomainError):
    status = 409
    title = "Already decided"
    rule = "retention_review_decided"


class ErasureBlocked(DomainError):
    """Another record that is not part of the family still refers to it."""

    status = 409
    title = "Erasure blocked by another record"
    rule = "erasure_blocked"
