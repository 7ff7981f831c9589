from __future__ import annotations

from earlyhelp.core.errors import DomainError


class PossibleDuplicatePeople(DomainError):
    """People being entered may already be known: link them or confirm they are new."""

    status = 409
    title = "These people may already be known"
    rule = "possible_duplicate_people"

    def __init__(self, message: str, *, matches: dict[str, list[dict]]):
        super().__init__(message, field="members")
        self.matches = matches

    def extra(self) -> dict:
        return {"matches": self.matches}


class NotInServiceArea(DomainError):
    status = 422
    title = "Outside the service's area"
    rule = "postcode_outside_service_area"
