"""Where each member of staff sits in the service: team, district, grade, FTE and
line manager."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from earlyhelp.configuration.models import District


class Grade(models.TextChoices):
    G4 = "G4", "Grade 4"
    G5 = "G5", "Grade 5"
    G6 = "G6", "Grade 6"
    G7 = "G7", "Grade 7"
    G8 = "G8", "Grade 8"
    G9 = "G9", "Grade 9"
    G11 = "G11", "Grade 11"
    G12 = "G12", "Grade 12"
    G14 = "G14", "Grade 14"


class Team(models.Model):
    """A team of workers in one district, led by an operations and delivery leader."""

    name = models.CharField(max_length=120, unique=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="teams")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_teams",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StaffMember(models.Model):
    """A staff account's place in the service."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    job_title = models.CharField(max_length=120)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    # Staff above team level (locality managers, head of service) belong to a
    # locality or to the county rather than to a team.
    locality = models.ForeignKey(
        "configuration.Locality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    grade = models.CharField(max_length=4, choices=Grade.choices)
    fte = models.DecimalField(
        "FTE",
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
    )
    line_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="direct_reports",
    )
    is_synthetic = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = "staff member"

    def __str__(self) -> str:
        return f"{self.user} ({self.job_title})"

    @property
    def district(self) -> District | None:
        return self.team.district if self.team_id else None
