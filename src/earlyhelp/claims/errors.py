"""The claims rules' refusals: shown by the field on the web, problem+json in the API."""

from __future__ import annotations

from earlyhelp.core.errors import DomainError


class NotEligible(DomainError):
    """The needs identified do not make the family eligible under the framework."""

    status = 422
    title = "Not eligible for the programme"
    rule = "claims_not_eligible"


class AlreadyAttached(DomainError):
    status = 409
    title = "Already attached"
    rule = "claims_already_attached"


class AlreadyClaimed(DomainError):
    status = 409
    title = "Already claimed"
    rule = "claims_already_claimed"


class ClaimNotDue(DomainError):
    status = 409
    title = "No claim is due"
    rule = "claims_not_due"


class NoEmploymentRoute(DomainError):
    status = 409
    title = "No continuous-employment route"
    rule = "claims_no_employment_route"


class NoActiveFramework(DomainError):
    status = 409
    title = "No framework loaded"
    rule = "claims_no_framework"
