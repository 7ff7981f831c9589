"""Searching the audit log (quality review officers)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from earlyhelp.audit.models import AuditEvent
from earlyhelp.people.models import FamilyMember, Person


def _matching_people(person_query: str) -> tuple[list[int], list[int]]:
    """Ids of the people whose name matches, and of their families."""
    terms = person_query.split()
    people = Person.objects.all()
    for term in terms:
        people = people.filter(Q(first_name__icontains=term) | Q(last_name__icontains=term))
    person_ids = list(people.values_list("pk", flat=True)[:500])
    family_ids = list(
        FamilyMember.objects.filter(person_id__in=person_ids)
        .values_list("family_id", flat=True)
        .distinct()
    )
    return person_ids, family_ids


def search_audit_events(
    *,
    user,
    person: str = "",
    actor: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events about a person (by name), by a user (by email or name), between dates."""
    if not user.has_perm("audit.view_auditevent"):
        raise PermissionDenied("Only quality review officers can search the audit log.")
    events = AuditEvent.objects.select_related("actor")
    if person.strip():
        person_ids, family_ids = _matching_people(person.strip())
        events = events.filter(
            Q(subject_person_id__in=person_ids) | Q(subject_family_id__in=family_ids)
        )
    if actor.strip():
        term = actor.strip()
        events = events.filter(
            Q(actor_label__icontains=term)
            | Q(actor__first_name__icontains=term)
            | Q(actor__last_name__icontains=term)
        )
    if date_from:
        events = events.filter(occurred_at__date__gte=date_from)
    if date_to:
        events = events.filter(occurred_at__date__lte=date_to)
    return events.order_by("-occurred_at", "-id")
