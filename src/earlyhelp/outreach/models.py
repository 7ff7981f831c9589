"""Outreach and detached sessions, the Talkzone contact log and rota, and the configured
lists they use (issues raised, Talkzone topics, age bands, Talkzone's opening hours)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

# ---------------------------------------------------------------- configured lists


class ConfiguredItem(models.Model):
    """An entry of a configured list: a code, a name, an order, and whether it is offered."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    sort_order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Offered on new records")

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class OutreachIssue(ConfiguredItem):
    """An issue young people raise on outreach and detached sessions."""

    class Meta(ConfiguredItem.Meta):
        verbose_name = "outreach issue"


class TalkzoneTopic(ConfiguredItem):
    """What a Talkzone contact was about."""

    class Meta(ConfiguredItem.Meta):
        verbose_name = "Talkzone topic"


class AgeBand(ConfiguredItem):
    """An age band that anonymous contacts are counted in."""

    min_age = models.PositiveSmallIntegerField(validators=[MaxValueValidator(120)])
    max_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty for no upper limit"
    )

    class Meta(ConfiguredItem.Meta):
        ordering = ["sort_order", "min_age"]


class OpeningWindow(models.Model):
    """Talkzone is open from ``opens_at`` to ``closes_at`` on a weekday (or every day).
    A closing time at or before the opening time runs past midnight."""

    weekday = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(6)],
        help_text="0 is Monday, 6 is Sunday; empty for every day of the year",
    )
    opens_at = models.TimeField()
    closes_at = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens_at"]
        verbose_name = "Talkzone opening window"

    def __str__(self) -> str:
        from earlyhelp.domain.opening_hours import WEEKDAY_NAMES

        day = "Every day" if self.weekday is None else WEEKDAY_NAMES[self.weekday]
        return f"{day} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"


# ---------------------------------------------------------------- outreach and detached


class SessionKind(models.TextChoices):
    OUTREACH = "outreach", "Outreach"
    DETACHED = "detached", "Detached"


class VenueType(models.TextChoices):
    PARTNER_VENUE = "partner_venue", "Partner venue"
    VILLAGE_HALL = "village_hall", "Village hall"
    MOBILE_VEHICLE = "mobile_vehicle", "Mobile vehicle"
    STREET = "street", "Street location"


class OutreachSession(models.Model):
    """One outreach or detached session: where, when, who went and what came of it."""

    kind = models.CharField(max_length=10, choices=SessionKind.choices)
    district = models.ForeignKey(
        "configuration.District", on_delete=models.PROTECT, related_name="outreach_sessions"
    )
    area = models.CharField(
        max_length=120, help_text="The neighbourhood, village or estate worked in"
    )
    priority_neighbourhood = models.BooleanField(default=False)
    venue_type = models.CharField(max_length=20, choices=VenueType.choices)
    venue_name = models.CharField(max_length=200, blank=True)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    workers = models.ManyToManyField(
        "workforce.StaffMember", related_name="outreach_sessions", blank=False
    )
    issues = models.ManyToManyField(OutreachIssue, blank=True, related_name="sessions")
    people_met = models.ManyToManyField(
        "people.Person",
        blank=True,
        related_name="outreach_sessions",
        help_text="Young people already known to the service who were met by name",
    )
    requests_for_support = models.ManyToManyField(
        "referrals.RequestForSupport", blank=True, related_name="outreach_sessions"
    )
    follow_ups = models.PositiveSmallIntegerField(
        default=0, help_text="Follow-ups agreed with young people or families"
    )
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        permissions = [("view_reach", "Can see the reach report")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="outreach_session_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} session, {self.area}, {self.starts_at:%d %b %Y}"


class ContactCount(models.Model):
    """Anonymous contacts made on a session in one age band."""

    session = models.ForeignKey(
        OutreachSession, on_delete=models.CASCADE, related_name="contact_counts"
    )
    age_band = models.ForeignKey(AgeBand, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["age_band__sort_order", "age_band__min_age"]
        constraints = [
            models.UniqueConstraint(fields=["session", "age_band"], name="unique_session_age_band")
        ]

    def __str__(self) -> str:
        return f"{self.count} aged {self.age_band}"


# ---------------------------------------------------------------- Talkzone


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    SMS = "sms", "SMS text message"
    EMAIL = "email", "Email"
    WEBTALK = "webtalk", "Webtalk"
    SOCIAL_MEDIA = "social_media", "Social media"


class ContactOutcome(models.TextChoices):
    INFORMATION = "information", "Information"
    ADVICE = "advice", "Advice"
    SIGNPOSTING = "signposting", "Signposting"
    FOLLOW_UP = "follow_up", "Follow-up"
    RFS_CREATED = "rfs_created", "Request for Support created"


class TalkzoneContact(models.Model):
    """One contact with Talkzone. Anonymous unless linked to a person; in or out of hours
    is worked out from the opening hours configured when it was recorded."""

    channel = models.CharField(max_length=20, choices=Channel.choices)
    occurred_at = models.DateTimeField(db_index=True)
    in_hours = models.BooleanField(help_text="Within Talkzone's opening hours")
    topic = models.ForeignKey(TalkzoneTopic, on_delete=models.PROTECT, related_name="contacts")
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices)
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="talkzone_contacts",
    )
    age_band = models.ForeignKey(
        AgeBand, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    district = models.ForeignKey(
        "configuration.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="talkzone_contacts",
        help_text="Where the person contacting lives, if they said",
    )
    summary = models.TextField()
    request_for_support = models.OneToOneField(
        "referrals.RequestForSupport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="talkzone_contact",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return f"Talkzone {self.get_channel_display().lower()} contact {self.pk}"

    @property
    def is_anonymous(self) -> bool:
        return self.person_id is None


class TalkzoneShift(models.Model):
    """A Talkzone worker on the rota from ``starts_at`` to ``ends_at``."""

    worker = models.ForeignKey(
        "workforce.StaffMember", on_delete=models.PROTECT, related_name="talkzone_shifts"
    )
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="talkzone_shift_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker.user} on Talkzone from {self.starts_at:%d %b %Y %H:%M}"
