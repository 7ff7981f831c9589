"""Domain errors that views show by the field and the API answers as problem+json."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the service refused an action. ``rule`` names it for clients."""

    status = 409
    title = "Not allowed by the service's rules"
    rule = "rule"

    def __init__(self, message: str, *, field: str | None = None, rule: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if rule is not None:
            self.rule = rule

    def extra(self) -> dict:
        """More members for the problem+json body."""
        return {}

    @property
    def type_uri(self) -> str:
        return f"/api/v1/problems/{self.rule}"
