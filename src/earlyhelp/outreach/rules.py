"""Who may name which people on outreach sessions and Talkzone contacts: only people in
families the worker may see (people/rules.py), expressed as a query for pickers."""

from __future__ import annotations

from django.db.models import QuerySet

from earlyhelp.people.models import Person
from earlyhelp.people.rules import families_visible_to


def people_visible_to(user) -> QuerySet[Person]:
    """The people this user may name: members of families they may see, not merged away."""
    return Person.objects.filter(
        merged_into__isnull=True,
        memberships__family__in=_visible_family_ids(user),
    ).distinct()


def _visible_family_ids(user):
    from earlyhelp.people.models import Family

    return Family.objects.filter(families_visible_to(user)).values("pk")
