"""Bulk allocation proposals: the solver's assignment of a waiting queue, line by line,
as the manager accepts, rejects or changes it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class AllocationProposal(models.Model):
    """An optimal assignment of a team's or district's waiting requests, proposed at a
    moment; accepting a line allocates it then, against the headroom of that moment."""

    team = models.ForeignKey(
        "workforce.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    district = models.ForeignKey(
        "configuration.District", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    weights = models.JSONField(default=dict)
    workers_considered = models.PositiveIntegerField(default=0)
    total_score = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Allocation proposal {self.pk} for {self.scope_name}"

    @property
    def scope_name(self) -> str:
        return str(self.team) if self.team_id else f"{self.district} district"


class LineStatus(models.TextChoices):
    PENDING = "pending", "Proposed"
    UNPLACED = "unplaced", "Not placed"
    ACCEPTED = "accepted", "Accepted"
    CHANGED = "changed", "Allocated to someone else"
    REJECTED = "rejected", "Rejected"


OPEN_LINE_STATUSES = (LineStatus.PENDING, LineStatus.UNPLACED)


class ProposalLine(models.Model):
    """One waiting request in a proposal: the worker proposed (none when unplaced), the
    score and its reasons, and what the manager decided."""

    proposal = models.ForeignKey(AllocationProposal, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    request = models.ForeignKey(
        "referrals.RequestForSupport", on_delete=models.PROTECT, related_name="+"
    )
    due_by = models.DateField(null=True, blank=True)
    proposed_worker = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    unplaced_reason = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=LineStatus.choices)
    allocated_worker = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    problem = models.CharField(
        max_length=300, blank=True, help_text="Why the last attempt to allocate it was refused"
    )

    class Meta:
        ordering = ["proposal", "position"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "request"], name="unique_proposal_request")
        ]

    def __str__(self) -> str:
        return f"Line {self.position} of proposal {self.proposal_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_LINE_STATUSES
