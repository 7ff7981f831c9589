"""Data protection: the retention reviews of families past their destroy-after date.

A review row holds no personal detail of its own beyond the family's number, so it can
outlive the family it was about: after an erasure ``family`` is empty and
``subject_family_id`` still says which family (by number) was erased, like the audit log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class Decision(models.TextChoices):
    ERASE = "erase", "Erase"
    KEEP = "keep", "Keep for longer"


class ReviewStatus(models.TextChoices):
    PROPOSED = "proposed", "Erasure proposed, waiting for approval"
    APPROVED = "approved", "Erasure approved"
    REJECTED = "rejected", "Erasure not approved"
    ERASED = "erased", "Erased"
    KEPT = "kept", "Kept"


class RetentionReview(models.Model):
    """A reviewer's decision on a family past its destroy-after date: erase it (then a
    second person approves, and it is erased), or keep it with a reason until a new
    review date."""

    family = models.ForeignKey(
        "people.Family",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retention_reviews",
    )
    subject_family_id = models.BigIntegerField(db_index=True)
    destroy_after = models.DateField(help_text="The family's destroy-after date when reviewed")
    rule = models.CharField(max_length=40, help_text="The retention rule that set the date")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField()
    next_review_on = models.DateField(
        null=True, blank=True, help_text="When a family kept for longer is reviewed again"
    )
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, db_index=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_comments = models.TextField(blank=True)
    erased_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    erased_at = models.DateTimeField(null=True, blank=True)
    erasure_counts = models.JSONField(
        default=dict, blank=True, help_text="Rows erased or anonymised, by kind of record"
    )

    class Meta:
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["subject_family_id", "decided_at"])]
        permissions = [
            ("handle_subject_access", "Can run subject access request exports"),
            ("review_retention", "Can review records for retention and erasure"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="keep") | models.Q(next_review_on__isnull=False),
                name="kept_family_has_next_review",
            ),
            # Two-person rule: whoever proposed an erasure cannot approve it.
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True)
                | ~models.Q(approved_by=models.F("decided_by")),
                name="erasure_approver_is_not_proposer",
            ),
        ]

    def __str__(self) -> str:
        return f"Retention review {self.pk} of family {self.subject_family_id}"

    @property
    def is_open(self) -> bool:
        return self.status in (ReviewStatus.PROPOSED, ReviewStatus.APPROVED)
