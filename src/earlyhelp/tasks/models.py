"""Work to do, with a due date: each user's task list, and their team's for managers."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", "Acknowledge a request"
    ALLOCATE = "allocate", "Allocate a request"
    INITIAL_VISIT = "initial_visit", "Initial visit"
    CONTACT_LEAD_PROFESSIONAL = "contact_lp", "Contact the CAF lead professional"
    CAF_CONSENT_REFUSED = "caf_consent_refused", "Decide on refused CAF consent"
    EMPLOYMENT_ADVISOR = "employment_advisor", "Contact the Employment Advisor"
    REVIEW = "review", "Review the plan"
    APPROVE = "approve", "Approve"
    SAFEGUARDING = "safeguarding", "Safeguarding concern"


class Task(models.Model):
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=200)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
    )
    team = models.ForeignKey(
        "workforce.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    request = models.ForeignKey(
        "referrals.RequestForSupport",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
    )
    approval = models.ForeignKey(
        "approvals.Approval", on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    due_on = models.DateField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["assignee", "completed_at", "due_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.completed_at is None
