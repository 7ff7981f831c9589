"""Where each member of staff sits in the service: team, district, grade, FTE and
line manager."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from earlyhelp.accounts.roles import Role
from earlyhelp.configuration.models import District

FTE_MESSAGE = "FTE must be more than 0 and at most 1.0"
# Roles that hold cases, and so count against caseload capacity.
CASEWORKER_ROLES = (Role.KEY_WORKER, Role.SENIOR_PRACTITIONER)


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
        validators=[
            MinValueValidator(Decimal("0.01"), message=FTE_MESSAGE),
            MaxValueValidator(Decimal("1.00"), message=FTE_MESSAGE),
        ],
    )
    line_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="direct_reports",
    )
    specialisms = models.ManyToManyField(
        "configuration.Specialism", blank=True, related_name="staff"
    )
    # Lower-case language names ("urdu", "polish"); English is assumed for everyone.
    languages = models.JSONField(default=list, blank=True)
    protected_hours = models.DecimalField(
        "protected hours a week",
        max_digits=4,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal("37.5"))],
        help_text="Hours a week kept free of delivery (supervision, training, duty)",
    )
    is_synthetic = models.BooleanField(default=False, editable=False)
    # Rises with every save of the capacity details: a form opened on an older version
    # cannot overwrite a newer one (core/concurrency.py).
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = "staff member"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fte__gt=0, fte__lte=1),
                name="staff_fte_more_than_0_at_most_1",
                violation_error_message=FTE_MESSAGE,
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.job_title})"

    def clean(self) -> None:
        """A worker who holds cases (key worker, senior practitioner) belongs to a team."""
        if self.team_id is not None or self.user_id is None:
            return
        if self.user.groups.filter(name__in=[r.value for r in CASEWORKER_ROLES]).exists():
            raise ValidationError(
                {"team": ["A key worker or senior practitioner must belong to a team"]}
            )

    @property
    def district(self) -> District | None:
        return self.team.district if self.team_id else None


class AbsenceKind(models.TextChoices):
    ANNUAL_LEAVE = "annual_leave", "Annual leave"
    SICKNESS = "sickness", "Sickness"
    OTHER = "other", "Other absence"


class Absence(models.Model):
    """A worker away from work from one date to another, both included. Working days in
    it reduce the worker's weekly capacity."""

    worker = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="absences")
    kind = models.CharField(max_length=20, choices=AbsenceKind.choices)
    start_date = models.DateField()
    end_date = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["start_date", "pk"]
        indexes = [models.Index(fields=["worker", "start_date", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="absence_ends_on_or_after_start",
                violation_error_message="The end date must be on or after the start date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date:%d %b %Y} to {self.end_date:%d %b %Y}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None
