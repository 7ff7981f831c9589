"""Requests for Support: who referred, why, the family and its consent."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from earlyhelp.configuration.models import TargetGroup, TfuCriterion
from earlyhelp.domain.casework import RequestStatus
from earlyhelp.domain.consent import Purpose


class Route(models.TextChoices):
    AGENCY = "agency", "Agency request for support"
    SELF = "self", "Self-referral"
    TFU = "tfu", "Identified by the Troubled Families programme"
    STEP_DOWN = "step_down", "Step-down from Children's Social Care"
    MASH = "mash", "MASH"
    PARTNERSHIP = "partnership", "Agreed partnership pathway"


class Status(models.TextChoices):
    RETURNED_FOR_CONSENT = RequestStatus.RETURNED_FOR_CONSENT, "Returned for consent"
    AWAITING_ALLOCATION = RequestStatus.AWAITING_ALLOCATION, "Awaiting allocation"
    ALLOCATED = RequestStatus.ALLOCATED, "Allocated"
    WITHDRAWN = RequestStatus.WITHDRAWN, "Withdrawn"


class RequestForSupport(models.Model):
    """A Request for Support (RfS) about one family."""

    family = models.ForeignKey(
        "people.Family", on_delete=models.PROTECT, related_name="requests_for_support"
    )
    team = models.ForeignKey(
        "workforce.Team", on_delete=models.PROTECT, related_name="requests_for_support"
    )
    status = models.CharField(max_length=30, choices=Status.choices, db_index=True)
    route = models.CharField(max_length=20, choices=Route.choices)
    received_at = models.DateTimeField(help_text="When the request (or its resubmission) arrived")
    first_received_at = models.DateTimeField()
    allocation_due_by = models.DateField(null=True, blank=True, db_index=True)
    # The referrer.
    referrer_name = models.CharField(max_length=200)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_role = models.CharField(max_length=200, blank=True)
    referrer_email = models.EmailField(blank=True)
    referrer_phone = models.CharField(max_length=30, blank=True)
    # Why.
    presenting_needs = models.TextField()
    target_groups = models.ManyToManyField(TargetGroup, blank=True, related_name="+")
    tfu_criteria = models.ManyToManyField(TfuCriterion, blank=True, related_name="+")
    # The CAF check.
    caf_exists = models.BooleanField(default=False)
    caf_urn = models.CharField("CAF URN", max_length=40, blank=True, db_index=True)
    caf_lead_professional = models.CharField(max_length=200, blank=True)
    caf_lead_professional_email = models.EmailField(blank=True)
    urn_issued = models.BooleanField(default=False)
    is_re_referral = models.BooleanField(default=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    consent_problems = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["allocation_due_by", "received_at", "pk"]
        verbose_name = "request for support"
        verbose_name_plural = "requests for support"
        indexes = [models.Index(fields=["team", "status", "allocation_due_by"])]

    def __str__(self) -> str:
        return f"RfS {self.pk} for the {self.family.name} family"


class RequestMember(models.Model):
    """A person named on a request, with their relationship in the family."""

    request = models.ForeignKey(RequestForSupport, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    is_subject = models.BooleanField(
        default=True, help_text="A child or young person the request is about"
    )
    is_parent_or_carer = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "person"], name="unique_request_member")
        ]

    def __str__(self) -> str:
        return f"Member {self.person_id} of request {self.request_id}"


class ConsentPurpose(models.TextChoices):
    SHARE_INFORMATION = Purpose.SHARE_INFORMATION, "To share information"
    ASSESSMENT = Purpose.ASSESSMENT, "To an assessment"
    REFERRAL_ON = Purpose.REFERRAL_ON, "To a referral on to another service"


class Consent(models.Model):
    """Consent given or refused by or for one person, for one purpose."""

    request = models.ForeignKey(
        RequestForSupport, on_delete=models.CASCADE, related_name="consents"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(max_length=30, choices=ConsentPurpose.choices)
    given = models.BooleanField()
    given_by = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="consents_given",
        help_text="The person who decided: themselves, or a parent or carer",
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"Consent to {self.get_purpose_display().lower()} for person {self.person_id}"


class UrnSequence(models.Model):
    """The last URN number issued in a year; locked while a URN is issued."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"URNs of {self.year}: {self.last_number}"
