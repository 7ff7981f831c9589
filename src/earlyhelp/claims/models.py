"""Payment-by-results claims: the frameworks (loaded from the YAML files in
claims/frameworks/), families attached to one with the needs identified, progress per
need, continuous employment, and the claims made. The rules are in domain/claims.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from earlyhelp.domain.claims import ClaimRoute, ProgressStatus, SustainFrom

# The domain's codes are the stored values (checked in tests/claims/test_models.py).
DOMAIN_CODES = (ClaimRoute, ProgressStatus, SustainFrom)

USER = settings.AUTH_USER_MODEL


class ClaimFramework(models.Model):
    """A national programme's rules: which needs, who is eligible, when a claim is due.
    One framework is active: new attachments and the claims pages use it."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    version = models.CharField(max_length=20)
    starts_on = models.DateField(
        null=True, blank=True, help_text="No family can be attached before this date"
    )
    is_active = models.BooleanField(default=False)
    min_needs = models.PositiveSmallIntegerField(help_text="Needs a family must have")
    min_headlines = models.PositiveSmallIntegerField(
        help_text="Different headlines the needs must fall under"
    )
    sustain_months = models.PositiveSmallIntegerField(
        help_text="Months progress must be sustained for"
    )
    sustain_from = models.CharField(
        max_length=10,
        choices=[("progress", "The progress"), ("closure", "Case closure")],
        help_text="When the sustain period starts",
    )
    # Continuous employment: no route when weeks_required is empty.
    employment_weeks_required = models.PositiveSmallIntegerField(null=True, blank=True)
    employment_within_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    jsa_weeks_required = models.PositiveSmallIntegerField(null=True, blank=True)
    jsa_within_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_active", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_framework"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_employment_route(self) -> bool:
        return self.employment_weeks_required is not None


class FrameworkNeed(models.Model):
    """A need a family can be identified with, under one of the framework's headlines."""

    framework = models.ForeignKey(ClaimFramework, on_delete=models.CASCADE, related_name="needs")
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=250)
    headline_code = models.SlugField(max_length=60)
    headline_title = models.CharField(max_length=250)
    evidence_hint = models.CharField(max_length=300, blank=True)
    tfu_criterion_number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The TFU criterion an assessment records this as"
    )
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_current = models.BooleanField(
        default=True, help_text="False when the framework file no longer has this need"
    )

    class Meta:
        ordering = ["framework", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_framework_need")
        ]

    def __str__(self) -> str:
        return self.title


class Attachment(models.Model):
    """A family attached to a programme through a case, with the needs identified."""

    family = models.ForeignKey(
        "people.Family", on_delete=models.PROTECT, related_name="claim_attachments"
    )
    framework = models.ForeignKey(
        ClaimFramework, on_delete=models.PROTECT, related_name="attachments"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    attached_on = models.DateField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-attached_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "framework"], name="one_attachment_per_framework"
            )
        ]

    def __str__(self) -> str:
        return f"{self.family} attached to {self.framework}"


class IdentifiedNeed(models.Model):
    """A need identified for the attached family, with its evidence."""

    attachment = models.ForeignKey(Attachment, on_delete=models.CASCADE, related_name="needs")
    need = models.ForeignKey(FrameworkNeed, on_delete=models.PROTECT, related_name="+")
    evidence = models.TextField()

    class Meta:
        ordering = ["need__sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["attachment", "need"], name="unique_identified_need")
        ]

    def __str__(self) -> str:
        return str(self.need)


class NeedProgress(models.Model):
    """Progress on one identified need: made, sustained or lost, with its evidence."""

    class Status(models.TextChoices):
        PROGRESS = "progress", "Progress made"
        SUSTAINED = "sustained", "Progress sustained"
        REGRESSED = "regressed", "Regressed"

    identified_need = models.ForeignKey(
        IdentifiedNeed, on_delete=models.CASCADE, related_name="progress"
    )
    recorded_on = models.DateField(help_text="The date the evidence is about")
    status = models.CharField(max_length=10, choices=Status.choices)
    evidence = models.TextField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_on", "pk"]
        verbose_name_plural = "need progress"

    def __str__(self) -> str:
        return f"{self.get_status_display()} on {self.recorded_on:%d %b %Y}"


class EmploymentEpisode(models.Model):
    """A spell of work of an adult of the attached family."""

    attachment = models.ForeignKey(Attachment, on_delete=models.CASCADE, related_name="employment")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True, help_text="Empty while still in work")
    was_on_jsa = models.BooleanField(
        "was on Jobseeker's Allowance", default=False, help_text="Before this job"
    )
    evidence = models.TextField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="employment_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} in work from {self.started_on:%d %b %Y}"


class Claim(models.Model):
    """A payment-by-results claim made for a family. Never twice for one framework."""

    class Route(models.TextChoices):
        PROGRESS = "progress", "Significant and sustained progress"
        EMPLOYMENT = "employment", "Continuous employment"

    attachment = models.OneToOneField(Attachment, on_delete=models.PROTECT, related_name="claim")
    family = models.ForeignKey("people.Family", on_delete=models.PROTECT, related_name="+")
    framework = models.ForeignKey(ClaimFramework, on_delete=models.PROTECT, related_name="claims")
    route = models.CharField(max_length=12, choices=Route.choices)
    due_on = models.DateField(help_text="The day the claim became due")
    window_start = models.DateField()
    window_end = models.DateField()
    evidence = models.JSONField(help_text="Per need: progress, sustained and the evidence")
    claimed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    claimed_at = models.DateTimeField()

    class Meta:
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "framework"], name="one_claim_per_family_framework"
            ),
            models.CheckConstraint(
                condition=Q(window_end__gte=models.F("window_start")),
                name="claim_window_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Claim for {self.family} ({self.framework})"
