"""Reads of people and families, scoped by the access rule in people/rules.py."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404

from earlyhelp.audit.services import record_denied, record_view
from earlyhelp.people.models import Family, Person
from earlyhelp.people.rules import families_visible_to


class FamilyAccessDenied(PermissionDenied):
    """The user may not open this family's record."""


def family_list_for_user(*, user) -> QuerySet[Family]:
    """The families this user may see, with what a list shows, in one query."""
    return (
        Family.objects.filter(families_visible_to(user))
        .select_related("district", "team", "key_worker")
        .annotate(member_count=Count("memberships"))
        .order_by("name", "pk")
    )


def family_with_members(*, family_id: int) -> Family | None:
    """A family with what its record page shows. Not access-checked: callers check."""
    return (
        Family.objects.select_related(
            "district__locality", "team__manager", "key_worker__staff__line_manager"
        )
        .prefetch_related("memberships__person")
        .filter(pk=family_id)
        .first()
    )


def access_family(*, user, family_id: int, source: str) -> Family:
    """Fetch a family's record for a user, or refuse; either way it goes on the audit log.

    Raises Http404 when there is no such family and FamilyAccessDenied when the user
    may not see it.
    """
    family = family_with_members(family_id=family_id)
    if family is None:
        raise Http404("No family with that reference.")
    if not user.has_perm("people.access_family", family):
        record_denied(actor=user, object_type="people.family", object_id=family_id, source=source)
        raise FamilyAccessDenied("You do not have access to this family's record.")
    record_view(actor=user, instance=family, source=source)
    return family


def merge_candidates(*, user, person_id: int, source: str) -> tuple[Person, list[dict]]:
    """A person and the other records that may be the same person (senior practitioners)."""
    from earlyhelp.referrals.selectors import find_possible_matches

    if not user.has_perm("people.merge_person"):
        record_denied(actor=user, object_type="people.person", object_id=person_id, source=source)
        raise PermissionDenied("Only a senior practitioner can merge two people's records.")
    person = Person.objects.filter(pk=person_id, merged_into__isnull=True).first()
    if person is None:
        raise Http404("No such person.")
    record_view(actor=user, instance=person, source=source, code="person.viewed_for_merge")
    matches = find_possible_matches(
        first_name=person.first_name,
        last_name=person.last_name,
        date_of_birth=person.date_of_birth,
        postcode=person.postcode,
    )
    return person, [m for m in matches if m["person_id"] != person.pk]
