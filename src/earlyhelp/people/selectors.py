"""Reads of people and families, scoped by the access rule in people/rules.py."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404

from earlyhelp.audit.services import record_denied, record_view
from earlyhelp.people.models import Family
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
