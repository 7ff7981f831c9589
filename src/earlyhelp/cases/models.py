"""Cases: the work with a family from allocation to closure (Appendix L)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from earlyhelp.domain.casework import CaseStatus

USER = settings.AUTH_USER_MODEL


class Status(models.TextChoices):
    ASSESSMENT = CaseStatus.ASSESSMENT, "Assessment"
    LEVEL_1_CLOSING = CaseStatus.LEVEL_1_CLOSING, "Level 1: closure awaiting agreement"
    PLANNING = CaseStatus.PLANNING, "Level 2: plan"
    ESCALATED = CaseStatus.ESCALATED, "Level 3/4: escalated"
    CLOSURE_REQUESTED = CaseStatus.CLOSURE_REQUESTED, "Closure awaiting agreement"
    CLOSED = CaseStatus.CLOSED, "Closed"


class Level(models.TextChoices):
    LEVEL_1 = "1", "Level 1: universal services"
    LEVEL_2 = "2", "Level 2: targeted support through CAF/TAF"
    LEVEL_3_4 = "3-4", "Level 3/4: escalation"


class ClosureReason(models.TextChoices):
    NEEDS_MET = "needs_met", "Needs met"
    SIGNPOSTED = "signposted", "Signposted to universal services (level 1)"
    STEPPED_UP = "stepped_up", "Stepped up to Children's Social Care"
    MOVED_AWAY = "moved_away", "Moved away"
    DISENGAGED = "disengaged", "Family disengaged"
    OTHER = "other", "Other"


class Case(models.Model):
    """One episode of work with a family, opened by allocating a Request for Support."""

    request = models.OneToOneField(
        "referrals.RequestForSupport", on_delete=models.PROTECT, related_name="case"
    )
    family = models.ForeignKey("people.Family", on_delete=models.PROTECT, related_name="cases")
    urn = models.CharField("URN", max_length=40, db_index=True)
    is_re_referral = models.BooleanField(default=False)
    status = models.CharField(max_length=30, choices=Status.choices, db_index=True)
    status_before_closure = models.CharField(max_length=30, choices=Status.choices, blank=True)
    key_worker = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey("workforce.Team", on_delete=models.PROTECT, related_name="cases")
    allocated_at = models.DateTimeField()
    allocated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    allocation_reason = models.TextField(blank=True)
    initial_visit_due_by = models.DateField(db_index=True)
    initial_visit_on = models.DateField(null=True, blank=True)
    # The decision after assessment.
    level = models.CharField(max_length=4, choices=Level.choices, blank=True)
    case_type = models.ForeignKey(
        "configuration.CaseType", on_delete=models.PROTECT, null=True, blank=True
    )
    # Level 2: the lead professional, a WPEH worker or another agency's professional.
    lead_professional = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="led_cases"
    )
    lead_professional_name = models.CharField(max_length=200, blank=True)
    lead_professional_agency = models.CharField(max_length=200, blank=True)
    plan_started_on = models.DateField(null=True, blank=True)
    last_reviewed_on = models.DateField(null=True, blank=True)
    next_review_due_by = models.DateField(null=True, blank=True, db_index=True)
    caf_submitted_at = models.DateTimeField(null=True, blank=True)
    safeguarding_flag = models.BooleanField(default=False, db_index=True)
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    closure_notes = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-allocated_at", "pk"]
        indexes = [
            models.Index(fields=["key_worker", "status"]),
            # Caseloads and team capacity read open cases only; after a decade nine in
            # ten cases are closed, and these keep those reads to the open ones.
            models.Index(
                fields=["key_worker"],
                condition=~models.Q(status="closed"),
                name="cases_open_by_worker",
            ),
            models.Index(
                fields=["team"], condition=~models.Q(status="closed"), name="cases_open_by_team"
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.urn} ({self.family.name} family)"

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED


class ContactType(models.TextChoices):
    HOME_VISIT = "home_visit", "Home visit"
    CENTRE = "centre", "Centre visit"
    COMMUNITY_VENUE = "community_venue", "Community venue"
    PHONE = "phone", "Phone call"
    VIDEO = "video", "Video call"
    TAF_MEETING = "taf_meeting", "TAF meeting"
    GROUP = "group", "Group session"


# Contacts that meet the family: they satisfy the initial visit.
VISIT_TYPES = frozenset(
    {ContactType.HOME_VISIT, ContactType.CENTRE, ContactType.COMMUNITY_VENUE, ContactType.VIDEO}
)


class Contact(models.Model):
    """A visit or other contact with the family. Each is one delivery slot."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    occurred_at = models.DateTimeField()
    contact_type = models.CharField(max_length=20, choices=ContactType.choices)
    duration_minutes = models.PositiveSmallIntegerField()
    attendees = models.ManyToManyField("people.Person", blank=True, related_name="+")
    other_attendees = models.CharField(max_length=300, blank=True)
    referrer_attended = models.BooleanField(default=False)
    notes = models.TextField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_contact_type_display()} on {self.occurred_at:%d %b %Y}"


class ConsentDecision(models.TextChoices):
    NOT_ASKED = "not_asked", "Not yet asked"
    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused"


class EmploymentAdvisorContact(models.TextChoices):
    NOT_NEEDED = "not_needed", "Not needed"
    REQUIRED = "required", "Required"
    MADE = "made", "Made"
    DECLINED = "declined", "Declined by the family"


class Assessment(models.Model):
    """The CAF assessment: the three domains of the assessment triangle, drafted over
    several visits and then completed."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="assessment")
    child_development_strengths = models.TextField(blank=True)
    child_development_needs = models.TextField(blank=True)
    parenting_capacity_strengths = models.TextField(blank=True)
    parenting_capacity_needs = models.TextField(blank=True)
    family_environment_strengths = models.TextField(blank=True)
    family_environment_needs = models.TextField(blank=True)
    voice_of_child = models.TextField("voice of the child or young person", blank=True)
    voice_of_parents = models.TextField("voice of the parents or carers", blank=True)
    wider_family = models.TextField(blank=True)
    tfu_criteria = models.ManyToManyField(
        "configuration.TfuCriterion", blank=True, related_name="+"
    )
    consent = models.CharField(
        max_length=10, choices=ConsentDecision.choices, default=ConsentDecision.NOT_ASKED
    )
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    consent_refusal_decision = models.TextField(
        blank=True, help_text="The line manager's decision after the family refused consent"
    )
    worklessness_identified = models.BooleanField(default=False)
    employment_advisor_contact = models.CharField(
        max_length=12,
        choices=EmploymentAdvisorContact.choices,
        default=EmploymentAdvisorContact.NOT_NEEDED,
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Assessment for case {self.case_id}"


class StarReadingKind(models.TextChoices):
    BASELINE = "baseline", "Baseline (assessment)"
    REVIEW = "review", "Review"
    CLOSURE = "closure", "Closure"


class StarReading(models.Model):
    """An Outcomes Star reading: a score per area, dated and by whom."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="star_readings")
    star = models.ForeignKey("configuration.OutcomesStar", on_delete=models.PROTECT)
    kind = models.CharField(max_length=10, choices=StarReadingKind.choices)
    taken_on = models.DateField()
    scores = models.JSONField(help_text="Area code: score")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["taken_on", "pk"]

    def __str__(self) -> str:
        return f"Outcomes Star ({self.get_kind_display()}) on {self.taken_on:%d %b %Y}"


class Decision(models.Model):
    """The decision after assessment, recorded with its evidence."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    level = models.CharField(max_length=4, choices=Level.choices)
    case_type = models.ForeignKey("configuration.CaseType", on_delete=models.PROTECT)
    rationale = models.TextField()
    signposted_services = models.TextField(blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"Decision: {self.get_level_display()}"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


class PlanAction(models.Model):
    """A SMART action of the plan (CAF part 3)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    what = models.TextField()
    who = models.CharField(max_length=200)
    by_when = models.DateField()
    success_measure = models.TextField("how success will be measured")
    status = models.CharField(
        max_length=15, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    outcome = models.ForeignKey(
        "configuration.ServiceOutcome", on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["by_when", "pk"]

    def __str__(self) -> str:
        return self.what[:80]


class Agency(models.Model):
    """An agency in the directory that TAF invitations are sent to."""

    name = models.CharField(max_length=200, unique=True)
    email = models.EmailField()
    kind = models.CharField(max_length=100, blank=True, help_text="e.g. school, health visiting")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class TafMeeting(models.Model):
    """A Team Around the Family meeting and the agencies invited to it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="taf_meetings")
    scheduled_for = models.DateTimeField()
    venue = models.CharField(max_length=200)
    agencies = models.ManyToManyField(Agency, related_name="taf_meetings")
    scheduled_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["scheduled_for", "pk"]

    def __str__(self) -> str:
        return f"TAF meeting on {self.scheduled_for:%d %b %Y}"


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", "Continue the plan"
    EXTEND = "extend", "Extend the plan"
    STEP_UP = "step_up", "Step up to Children's Social Care"
    STEP_DOWN = "step_down", "Step down to universal services"
    CLOSE = "close", "Close"


class Review(models.Model):
    """A review of the plan, submitted to the CAF mailbox."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    progress = models.JSONField(help_text="Action id: {status, note}")
    summary = models.TextField()
    outcome = models.CharField(max_length=10, choices=ReviewOutcome.choices)
    star_reading = models.ForeignKey(
        StarReading, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"Review on {self.held_on:%d %b %Y}"


class Escalation(models.Model):
    """Level 3/4: the discussion about a referral to Children's Social Care."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    discussed_with = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    discussion = models.TextField()
    csc_referral_made = models.BooleanField()
    csc_reference = models.CharField(max_length=60, blank=True)
    wpehs_future_role = models.TextField("agreed future role of the service")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Escalation of case {self.case_id}"


class SafeguardingConcern(models.Model):
    """ "Child needs protection": raised by anyone who can see the case; the case stays
    flagged until a DSO records the outcome."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="safeguarding_concerns")
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    concern = models.TextField()
    outcome = models.TextField(blank=True)
    outcome_recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "pk"]

    def __str__(self) -> str:
        return f"Safeguarding concern on case {self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.outcome_recorded_at is None


class SafeguardingNoteCategory(models.TextChoices):
    DISCLOSURE = "disclosure", "Disclosure"
    CONCERN_RAISED = "concern_raised", "Concern raised"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
    CSC_REFERRAL = "csc_referral", "Referral to Children's Social Care"


class SafeguardingNote(models.Model):
    """A restricted note on a case, read only by those who need it (cases/rules.py).
    Append-only: a correction is a new note that names the one it corrects."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="safeguarding_notes")
    occurred_at = models.DateTimeField("date and time")
    category = models.CharField(max_length=30, choices=SafeguardingNoteCategory.choices, blank=True)
    text = models.TextField()
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    corrects = models.ForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="corrections"
    )

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["case", "occurred_at"])]

    def __str__(self) -> str:
        # Never the text: this string goes to the audit log's object_repr.
        return f"Safeguarding note {self.pk} on case {self.case_id}"
