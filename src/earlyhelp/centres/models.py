"""Neighbourhood centres, their weekly programme and the group programmes run in them
(Appendix D). The offer model (sessions a week, staff per session by post, the weeks a
centre opens) is configuration: ``lancashire_centres.yaml`` loaded by
``manage.py load_centres``, editable in the admin."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from earlyhelp.people.validators import validate_postcode


class SessionType(models.TextChoices):
    WEEKDAY_DAYTIME = "weekday_daytime", "Weekday daytime"
    TWILIGHT = "twilight", "Twilight"
    EVENING_WEEKEND = "evening_weekend", "Evening or weekend"


class Post(models.TextChoices):
    """The posts the offer tables count staff by."""

    GRADE_6 = "grade_6", "Grade 6"
    OUTREACH_A = "outreach_a", "Grade 4 neighbourhood outreach worker (Type A)"
    OUTREACH_B = "outreach_b", "Grade 4 neighbourhood outreach worker (Type B)"
    DELIVERY_SUPPORT = "delivery_support", "Grade 4 delivery support worker"


# The model field holding each post's count on an offer row and on a session.
POST_FIELDS: dict[str, str] = {
    Post.GRADE_6: "grade_6",
    Post.OUTREACH_A: "outreach_a",
    Post.OUTREACH_B: "outreach_b",
    Post.DELIVERY_SUPPORT: "delivery_support",
}

WEEKDAYS = (
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
)


class StaffByPost(models.Model):
    """Counts of staff by post (an offer's requirement, or a session's plan)."""

    grade_6 = models.PositiveSmallIntegerField("Grade 6", default=0)
    outreach_a = models.PositiveSmallIntegerField("Outreach workers (Type A)", default=0)
    outreach_b = models.PositiveSmallIntegerField("Outreach workers (Type B)", default=0)
    delivery_support = models.PositiveSmallIntegerField("Delivery support workers", default=0)

    class Meta:
        abstract = True

    @property
    def staff_by_post(self) -> dict[str, int]:
        return {post: getattr(self, name) for post, name in POST_FIELDS.items()}

    @property
    def staff_count(self) -> int:
        return sum(self.staff_by_post.values())


class ProgrammeSettings(models.Model):
    """The one row of programme-wide settings: the weeks a centre opens and where the
    day's session types begin."""

    weeks_open_per_year = models.PositiveSmallIntegerField(
        default=46, validators=[MinValueValidator(1), MaxValueValidator(53)]
    )
    twilight_starts_at = models.TimeField(default=dt.time(15, 30))
    evening_starts_at = models.TimeField(default=dt.time(18, 0))
    configuration_version = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = "programme settings"
        verbose_name_plural = "programme settings"

    def __str__(self) -> str:
        return f"Programme settings ({self.weeks_open_per_year}-week year)"


class Offer(models.Model):
    """A centre offer (enhanced or core): its weekly sessions come from its rows."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class OfferRequirement(StaffByPost):
    """One row of an offer's table: sessions a week of a type and staff per session."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="requirements")
    session_type = models.CharField(max_length=20, choices=SessionType.choices)
    sessions_per_week = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["offer", "session_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "session_type"], name="unique_offer_session_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.offer}: {self.sessions_per_week} {self.get_session_type_display()}"


class AgeBand(models.Model):
    """An age band that anonymous head counts are taken in."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=40)
    min_age = models.PositiveSmallIntegerField()
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "min_age"]

    def __str__(self) -> str:
        return self.name


class Centre(models.Model):
    """A neighbourhood centre building. A building either holds an offer, or delivers
    part of another centre's offer (an offer split across two buildings)."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=160)
    address_line_1 = models.CharField(max_length=200)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=10, validators=[validate_postcode])
    district = models.ForeignKey(
        "configuration.District", on_delete=models.PROTECT, related_name="centres"
    )
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, null=True, blank=True, related_name="centres"
    )
    shares_offer_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_buildings",
        help_text="The centre whose offer this building delivers part of",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("plan_programme", "Can plan a centre's weekly programme and group runs"),
            ("record_register", "Can record registers and delivered sessions"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(offer__isnull=False, shares_offer_of__isnull=True)
                    | models.Q(offer__isnull=True, shares_offer_of__isnull=False)
                ),
                name="centre_holds_or_shares_an_offer",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def offer_holder_id(self) -> int:
        """The centre whose offer this building's sessions count toward."""
        return self.shares_offer_of_id or self.pk


class Room(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=100)
    capacity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["centre", "name"]
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="unique_room_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.capacity})"


class OpeningTime(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="opening_times")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    opens_at = models.TimeField()
    closes_at = models.TimeField()

    class Meta:
        ordering = ["centre", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "weekday"], name="unique_opening_weekday"),
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")),
                name="opening_closes_after_it_opens",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"


class PartnerKind(models.TextChoices):
    LIBRARY = "library", "Library"
    HEALTH = "health", "Health services"
    MIDWIFERY = "midwifery", "Midwifery"
    HEALTH_VISITING = "health_visiting", "Health visiting"
    YOUNG_PEOPLES_HEALTH = "young_peoples_health", "Young people's health service"
    CHILDCARE = "childcare", "Childcare"
    ADVICE = "advice", "Advice service"
    OTHER = "other", "Other"


class CoLocatedPartner(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="partners")
    kind = models.CharField(max_length=30, choices=PartnerKind.choices)
    name = models.CharField(max_length=160)

    class Meta:
        ordering = ["centre", "kind", "name"]
        verbose_name = "co-located partner"

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------- group programmes


class ProgrammeKind(models.TextChoices):
    TARGETED = "targeted", "Targeted"
    UNIVERSAL = "universal", "Universal"


class GroupProgramme(models.Model):
    """A programme in the catalogue."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=160)
    kind = models.CharField(max_length=12, choices=ProgrammeKind.choices)
    theme = models.CharField(max_length=120)
    min_age = models.PositiveSmallIntegerField(default=0)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    number_of_sessions = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    completion_sessions = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)],
        help_text="A participant completes by attending at least this many sessions",
    )
    is_drop_in = models.BooleanField(default=False)
    facilitator_requirements = models.TextField(blank=True)
    outcomes = models.ManyToManyField(
        "configuration.ServiceOutcome", blank=True, related_name="group_programmes"
    )
    target_groups = models.ManyToManyField(
        "configuration.TargetGroup", blank=True, related_name="group_programmes"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def age_range(self) -> str:
        if self.max_age is None:
            return f"{self.min_age} and over"
        return f"{self.min_age} to {self.max_age}"


class GroupRun(models.Model):
    """One run of a programme at a centre or a partner venue, with dated sessions."""

    programme = models.ForeignKey(GroupProgramme, on_delete=models.PROTECT, related_name="runs")
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="group_runs")
    partner_venue = models.CharField(
        max_length=200, blank=True, help_text="If the run is not at the centre itself"
    )
    starts_on = models.DateField()
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    facilitator = models.ForeignKey(
        "workforce.StaffMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_runs",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "pk"]

    def __str__(self) -> str:
        venue = self.partner_venue or self.centre
        return f"{self.programme} at {venue}, from {self.starts_on:%d %b %Y}"

    @property
    def venue(self) -> str:
        return self.partner_venue or self.centre.name


class GroupSession(models.Model):
    """A dated session of a run; its register is taken once it has happened."""

    run = models.ForeignKey(GroupRun, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField()
    date = models.DateField(db_index=True)
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    register_taken_at = models.DateTimeField(null=True, blank=True)
    register_taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Rises with every save of the register: a form opened on an older version cannot
    # overwrite a newer one (core/concurrency.py).
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="unique_group_session_number")
        ]

    def __str__(self) -> str:
        return f"Session {self.number}, {self.date:%d %b %Y}"


class Participant(models.Model):
    """A named participant of a run: only with their (or their parent's) consent to
    record their attendance by name."""

    run = models.ForeignKey(GroupRun, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="group_participations"
    )
    consent_recorded_at = models.DateTimeField()
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["run", "person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["run", "person"], name="unique_run_participant")
        ]

    def __str__(self) -> str:
        return str(self.person)


class Attendance(models.Model):
    """A named participant was at a session."""

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="group_attendances"
    )

    class Meta:
        ordering = ["session", "person"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="unique_attendance")
        ]
        indexes = [models.Index(fields=["person", "session"])]

    def __str__(self) -> str:
        return f"{self.person} at {self.session}"


class HeadCount(models.Model):
    """Everyone at a session, named or not, counted by age band."""

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="head_counts")
    age_band = models.ForeignKey(AgeBand, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["session", "age_band"]
        constraints = [
            models.UniqueConstraint(fields=["session", "age_band"], name="unique_head_count_band")
        ]

    def __str__(self) -> str:
        return f"{self.count} aged {self.age_band}"


# ---------------------------------------------------------------- the weekly programme


class ProgrammeSession(StaffByPost):
    """A weekly delivery session in a centre's timetable, with the staff it plans by
    post. Its type (weekday daytime, twilight, evening or weekend) follows from its day
    and start time."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="sessions")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    session_type = models.CharField(max_length=20, choices=SessionType.choices, editable=False)
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    expected_attendance = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=160, blank=True)
    group_run = models.ForeignKey(
        GroupRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="timetable"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["centre", "weekday", "starts_at", "pk"]
        indexes = [models.Index(fields=["centre", "weekday", "is_active"])]

    def __str__(self) -> str:
        times = f"{self.starts_at:%H:%M}-{self.ends_at:%H:%M}"
        return f"{self.get_weekday_display()} {times}: {self.label}"

    @property
    def label(self) -> str:
        if self.title:
            return self.title
        if self.group_run_id:
            return self.group_run.programme.name
        return "Delivery session"


class RotaEntry(models.Model):
    """A named member of staff on a weekly session, in a post."""

    session = models.ForeignKey(ProgrammeSession, on_delete=models.CASCADE, related_name="rota")
    staff = models.ForeignKey(
        "workforce.StaffMember", on_delete=models.PROTECT, related_name="centre_rota"
    )
    post = models.CharField(max_length=20, choices=Post.choices)

    class Meta:
        ordering = ["session", "post", "pk"]
        verbose_name = "rota entry"
        verbose_name_plural = "rota"
        constraints = [
            models.UniqueConstraint(fields=["session", "staff"], name="unique_rota_staff")
        ]

    def __str__(self) -> str:
        return f"{self.staff.user} ({self.get_post_display()})"


class OccurrenceStatus(models.TextChoices):
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"


class SessionOccurrence(models.Model):
    """A weekly session on a date: delivered, or cancelled with a reason."""

    session = models.ForeignKey(
        ProgrammeSession, on_delete=models.PROTECT, related_name="occurrences"
    )
    date = models.DateField(db_index=True)
    status = models.CharField(max_length=12, choices=OccurrenceStatus.choices)
    cancellation_reason = models.CharField(max_length=300, blank=True)
    staff_present = models.PositiveSmallIntegerField(default=0)
    attendance = models.PositiveSmallIntegerField(default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "session"]
        constraints = [
            models.UniqueConstraint(fields=["session", "date"], name="unique_session_date")
        ]

    def __str__(self) -> str:
        return f"{self.session} on {self.date:%d %b %Y}: {self.get_status_display()}"
