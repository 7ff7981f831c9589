"""People and the families they belong to."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from earlyhelp.configuration.models import District
from earlyhelp.people.validators import validate_postcode


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Another gender"
    NOT_KNOWN = "not_known", "Not known"


class Person(models.Model):
    """A child, young person or adult known to the service."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=12, choices=Gender.choices, default=Gender.NOT_KNOWN)
    preferred_language = models.CharField(max_length=60, default="English")
    interpreter_needed = models.BooleanField(default=False)
    has_send = models.BooleanField("special educational needs or disabilities", default=False)
    school_or_setting = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=10, blank=True, db_index=True)
    is_synthetic = models.BooleanField(default=False, editable=False)
    # A duplicate merged into another record keeps its row (the audit log refers to it)
    # but is no longer offered, listed or linked.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_people"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["last_name", "first_name", "date_of_birth"]),
            models.Index(fields=["date_of_birth"], name="people_person_born"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return str(self)


class Family(models.Model):
    """A household the service works with: one family, one worker, one plan.

    ``team`` and ``key_worker`` say who holds the family's record; the access rules
    in accounts/rules.py read them.
    """

    name = models.CharField(max_length=120, help_text="Usually the family's surname")
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(
        max_length=10, blank=True, db_index=True, validators=[validate_postcode]
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="families", null=True, blank=True
    )
    team = models.ForeignKey(
        "workforce.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="families",
    )
    key_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="families",
    )
    members = models.ManyToManyField(Person, through="FamilyMember", related_name="families")
    is_synthetic = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Rises with every save of the address: a form opened on an older version cannot
    # overwrite a newer one (core/concurrency.py).
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "families"

    def __str__(self) -> str:
        return f"{self.name} family"


class Relationship(models.TextChoices):
    PARENT = "parent", "Parent or carer"
    CHILD = "child", "Child or young person"
    SIBLING = "sibling", "Sibling"
    GRANDPARENT = "grandparent", "Grandparent"
    OTHER_ADULT = "other_adult", "Other adult in the household"
    OTHER = "other", "Other"


class FamilyMember(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["family", "person"], name="unique_family_member")
        ]
        # A person's families from the index alone: the person search joins each
        # candidate to their memberships.
        indexes = [models.Index(fields=["person", "family"], name="people_member_by_person")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_relationship_display()})"
