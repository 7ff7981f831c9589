"""One approval mechanism for every step that needs a manager's sign-off."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    LEVEL_1_CLOSURE = "level_1_closure", "Level 1 signpost and close"
    CASE_CLOSURE = "case_closure", "Case closure"
    PLAN = "plan", "Action plan"


class Status(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Approval(models.Model):
    kind = models.CharField(max_length=20, choices=Kind.choices)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="approvals")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    request_note = models.TextField(blank=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approvals_to_decide"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comments = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One pending approval of a kind per case at a time.
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=models.Q(status="pending"),
                name="one_pending_approval_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.case}"
