"""The service's configuration as data: geography, levels, case types, outcomes,
timescales. Loaded from a versioned YAML file (``manage.py load_configuration``)
and editable afterwards in the admin by a system administrator."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class ServiceSettings(models.Model):
    """The one row of service-wide settings: timescales, mailbox, FTE capacity."""

    council_name = models.CharField(max_length=120)
    configuration_version = models.CharField(max_length=40)
    caf_mailbox = models.EmailField("CAF mailbox")
    urn_format = models.CharField(
        "URN format",
        max_length=60,
        default="{prefix}-{year}-{number:06d}",
        help_text="Python format with prefix, year and number, e.g. LAN-2026-000123",
    )
    urn_prefix = models.CharField("URN prefix", max_length=10)
    allocation_working_days = models.PositiveSmallIntegerField(default=5)
    initial_visit_working_days = models.PositiveSmallIntegerField(default=7)
    review_interval_weeks = models.PositiveSmallIntegerField(default=6)
    review_overdue_weeks = models.PositiveSmallIntegerField(default=8)
    outcomes_star_review_weeks = models.PositiveSmallIntegerField(default=12)
    working_weeks_per_year = models.PositiveSmallIntegerField(default=46)
    slots_per_week = models.PositiveSmallIntegerField(default=11)
    caseload_per_fte = models.PositiveSmallIntegerField(default=18)
    assessment_counts_as = models.CharField(
        max_length=10,
        default="L2A",
        help_text="The case type code a case still in assessment counts as in caseloads",
    )
    plan_needs_approval = models.BooleanField(
        default=False, help_text="A Level 2 action plan needs the line manager's sign-off"
    )
    # Retention (domain/retention.py): how long records are kept before review for erasure.
    retention_years_after_youngest_child_birth = models.PositiveSmallIntegerField(
        default=25,
        validators=[MaxValueValidator(120)],
        help_text="A closed case is kept until this many years after the youngest child's birth",
    )
    retention_minimum_years_after_closure = models.PositiveSmallIntegerField(
        default=6,
        validators=[MaxValueValidator(120)],
        help_text="A closed case is kept at least this many years after it closed",
    )
    retention_years_after_request_decision = models.PositiveSmallIntegerField(
        default=6,
        validators=[MaxValueValidator(120)],
        help_text="A Request for Support that never became a case is kept this many years "
        "after it was returned or withdrawn",
    )
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "service settings"
        verbose_name_plural = "service settings"

    def __str__(self) -> str:
        return f"{self.council_name} (configuration {self.configuration_version})"

    @property
    def slots_per_fte_year(self) -> int:
        return self.working_weeks_per_year * self.slots_per_week


class Locality(models.Model):
    """One of the service's delivery footprints (a cluster of districts)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "localities"

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """A district: teams, centres and workers belong to one."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120, unique=True)
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="districts")
    postcode_districts = models.JSONField(
        default=list,
        blank=True,
        help_text="Outward postcodes (e.g. PR1) of addresses in this district",
    )
    # Approximate town-centre coordinates, for the distance from a family's district.
    latitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NeedLevel(models.Model):
    """A level of the Continuum of Need."""

    level = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=80)
    description = models.TextField()

    class Meta:
        ordering = ["level"]
        verbose_name = "Continuum of Need level"

    def __str__(self) -> str:
        return f"Level {self.level}: {self.name}"


class CaseType(models.Model):
    """A caseload weighting class (Appendix C)."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=120)
    visit_every_weeks = models.PositiveSmallIntegerField(
        help_text="1 for weekly visits, 2 for fortnightly"
    )
    weeks_of_support = models.PositiveSmallIntegerField()
    slots_per_cycle = models.PositiveSmallIntegerField()
    cycles_per_year = models.DecimalField(
        max_digits=4, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    demand_share = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        help_text="Share of annual cases of this type (0.05 is 5%)",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"

    @property
    def visits_per_week(self) -> Decimal:
        return Decimal(1) / Decimal(self.visit_every_weeks)


class TargetGroup(models.Model):
    """A priority target group (Appendix B)."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Specialism(models.Model):
    """A skill a key worker can hold (0-5, SEND, young carers ...), with what about a
    request it matches: the children's ages, the target groups and/or SEND."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120, unique=True)
    min_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Matches a child aged at least this (years)"
    )
    max_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Matches a child aged at most this (years)"
    )
    target_groups = models.ManyToManyField(TargetGroup, blank=True, related_name="specialisms")
    matches_send = models.BooleanField(
        "matches SEND",
        default=False,
        help_text="Matches a request about special educational needs and/or disabilities",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.min_age is not None and self.max_age is not None and self.max_age < self.min_age:
            raise ValidationError({"max_age": "The highest age must not be below the lowest age"})


class MarmotObjective(models.Model):
    letter = models.CharField(max_length=1, unique=True)
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["letter"]

    def __str__(self) -> str:
        return f"{self.letter}. {self.title}"


class TfuCriterion(models.Model):
    """A Troubled Families Unit headline criterion."""

    number = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["number"]
        verbose_name = "TFU criterion"
        verbose_name_plural = "TFU criteria"

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class ServiceOutcome(models.Model):
    """One of the service's five outcomes (Appendix A)."""

    number = models.PositiveSmallIntegerField(unique=True)
    title = models.TextField()
    marmot_objectives = models.ManyToManyField(MarmotObjective, related_name="outcomes")
    tfu_criteria = models.ManyToManyField(TfuCriterion, related_name="outcomes")

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Outcome {self.number}"


class ClosureDay(models.Model):
    """A day the service is closed beyond bank holidays: not a working day."""

    date = models.DateField(unique=True)
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d %B %Y}: {self.reason}"


class OutcomesStar(models.Model):
    """An Outcomes Star definition: its areas and the stages of its scale. Only codes,
    names and scale are configuration; no copyrighted guidance text is shipped."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    scale_min = models.PositiveSmallIntegerField(default=1)
    scale_max = models.PositiveSmallIntegerField(default=10)
    stages = models.JSONField(
        default=list, help_text='Stage names by score range: [{"from": 1, "to": 2, "name": ...}]'
    )
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def stage_for(self, score: int) -> str:
        for stage in self.stages:
            if stage["from"] <= score <= stage["to"]:
                return stage["name"]
        return ""


class StarArea(models.Model):
    star = models.ForeignKey(OutcomesStar, on_delete=models.CASCADE, related_name="areas")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    sort_order = models.PositiveSmallIntegerField(default=0)
    outcome = models.ForeignKey(
        ServiceOutcome, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["star", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["star", "code"], name="unique_star_area_code")
        ]

    def __str__(self) -> str:
        return self.name
