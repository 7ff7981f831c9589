"""The audit log: one append-only row for every write and every look at a person's
or family's record. Nothing in the application updates or deletes a row; the
database refuses it too (triggers in migration 0002).

On SQLite, a migration that rebuilds this table (most AlterField operations) drops
those triggers: such a migration must create them again."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditLogIsAppendOnly(Exception):
    """Raised when code tries to change or remove an audit row."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("The audit log cannot be edited")

    def delete(self):
        raise AuditLogIsAppendOnly("The audit log cannot be deleted")

    def bulk_update(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("The audit log cannot be edited")


class Kind(models.TextChoices):
    WRITE = "write", "Change"
    VIEW = "view", "View"
    DENIED = "denied", "Access refused"
    SIGN_IN = "sign_in", "Sign-in"


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept as text too, so the row still says who it was whatever becomes of the account.
    actor_label = models.CharField(max_length=254, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    code = models.CharField(max_length=80, db_index=True, help_text="e.g. family.viewed")
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True, help_text="field: [before, after]")
    details = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="Page or API call")
    subject_family_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    subject_person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    subject_case_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["actor", "occurred_at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.code}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AuditLogIsAppendOnly("The audit log cannot be edited")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("The audit log cannot be deleted")
