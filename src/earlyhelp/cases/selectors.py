"""Reads of cases: a worker's caseload, one case with what its page shows, and its
chronology. Scoped by the family access rule; opening a case is audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.audit.services import record_denied, record_view
from earlyhelp.cases.events import describe
from earlyhelp.cases.models import (
    Case,
    Contact,
    PlanAction,
    SafeguardingConcern,
    SafeguardingNote,
    Status,
)
from earlyhelp.people.rules import families_visible_to
from earlyhelp.people.selectors import FamilyAccessDenied

CASEWORKER_ROLES = (Role.KEY_WORKER, Role.SENIOR_PRACTITIONER)


def eligible_workers(*, team) -> QuerySet:
    """Key workers and senior practitioners of the team's district, active, each with
    their number of open cases."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name__in=[r.value for r in CASEWORKER_ROLES],
            staff__team__district_id=team.district_id,
        )
        .select_related("staff__team")
        .annotate(open_cases=Count("cases", filter=~Q(cases__status=Status.CLOSED), distinct=True))
        .order_by("last_name", "first_name", "pk")
    )


def _family_rule_on_cases(user) -> Q:
    """The family access rule, applied through a case's family."""
    rule = families_visible_to(user)
    return Q(family__in=_family_ids(rule)) if rule else Q()


def _family_ids(rule: Q):
    from earlyhelp.people.models import Family

    return Family.objects.filter(rule).values("pk")


def caseload_for(*, user, worker=None, include_closed: bool = False) -> QuerySet[Case]:
    """Open cases held by a worker (the user by default), that the user may see."""
    worker = worker or user
    cases = Case.objects.filter(key_worker=worker).filter(_family_rule_on_cases(user))
    if not include_closed:
        cases = cases.exclude(status=Status.CLOSED)
    return (
        cases.select_related("family", "case_type", "team", "key_worker")
        .annotate(contact_count=Count("contacts", distinct=True))
        .order_by("initial_visit_due_by", "pk")
    )


def cases_visible_to(*, user) -> QuerySet[Case]:
    return Case.objects.filter(_family_rule_on_cases(user))


def case_detail(*, case_id: int) -> Case | None:
    return (
        Case.objects.select_related(
            "family__district__locality",
            "team__manager",
            "team__district",
            "key_worker__staff__line_manager",
            "request",
            "case_type",
            "lead_professional",
            "assessment",
        )
        .prefetch_related(
            "family__memberships__person",
            "assessment__tfu_criteria",
            Prefetch(
                "contacts",
                queryset=Contact.objects.select_related("recorded_by").prefetch_related(
                    "attendees"
                ),
            ),
            Prefetch("actions", queryset=PlanAction.objects.select_related("outcome")),
            "star_readings__star__areas",
            "decisions__case_type",
            "decisions__decided_by",
            "reviews__recorded_by",
            "taf_meetings__agencies",
            "escalations__discussed_with",
            Prefetch(
                "safeguarding_concerns",
                queryset=SafeguardingConcern.objects.select_related(
                    "raised_by", "outcome_recorded_by"
                ),
            ),
            "approvals__approver",
            "approvals__decided_by",
            "messages",
        )
        .filter(pk=case_id)
        .first()
    )


def access_case(*, user, case_id: int, source: str) -> Case:
    """One case for a user, with everything its page shows; the view is audited, and so
    is a refusal."""
    case = case_detail(case_id=case_id)
    if case is None:
        raise Http404("No case with that reference.")
    if not user.has_perm("cases.work_on_case", case):
        record_denied(actor=user, object_type="cases.case", object_id=case_id, source=source)
        raise FamilyAccessDenied("You do not have access to this case.")
    record_view(actor=user, instance=case, source=source, code="case.viewed")
    return case


@dataclass(frozen=True)
class ChronologyEntry:
    occurred_at: dt.datetime
    actor: str
    code: str
    summary: str


# Events that say a safeguarding note was written: only note readers see them, so that
# nobody else learns how many notes a case has.
RESTRICTED_EVENT_PREFIX = "safeguarding_note."


def case_chronology(*, case: Case, user=None) -> list[ChronologyEntry]:
    """Every significant event of the case in date order, from the audit log. Events of
    safeguarding notes are left out unless ``user`` may read the notes."""
    events = AuditEvent.objects.filter(kind=Kind.WRITE).filter(
        Q(subject_case_id=case.pk)
        | Q(object_type="referrals.requestforsupport", object_id=str(case.request_id))
    )
    if user is None or not can_read_safeguarding_notes(user=user, case=case):
        events = events.exclude(code__startswith=RESTRICTED_EVENT_PREFIX)
    events = events.select_related("actor").order_by("occurred_at", "id")
    return [
        ChronologyEntry(
            occurred_at=e.occurred_at,
            actor=(e.actor.get_full_name() or e.actor_label) if e.actor else e.actor_label,
            code=e.code,
            summary=describe(e.code, e.details, e.changes),
        )
        for e in events
    ]


def can_read_safeguarding_notes(*, user, case: Case) -> bool:
    return user.has_perm("cases.read_safeguarding_notes", case)


RESTRICTED_DETAILS = "Details are restricted to those who need them"


@dataclass(frozen=True)
class SafeguardingTexts:
    """Which safeguarding texts of a case a user may read: the text and DSO outcome of
    the concerns in ``concern_ids``, and the escalation discussion if
    ``escalation_discussion``. Everyone who may open the case sees that the concerns and
    escalations exist, with their status and dates, but not their text."""

    concern_ids: frozenset[int]
    escalation_discussion: bool

    def concern(self, concern: SafeguardingConcern) -> bool:
        return concern.pk in self.concern_ids


def can_read_safeguarding_concern(*, user, concern: SafeguardingConcern) -> bool:
    return user.has_perm("cases.read_safeguarding_concern", concern)


def safeguarding_texts_for(*, user, case: Case, source: str) -> SafeguardingTexts:
    """Which of the case's safeguarding texts the user may read, from what
    ``case_detail`` prefetched (no query but the audit). Reading any of them is audited,
    as reading the safeguarding notes is."""
    concerns = case.safeguarding_concerns.all()
    for concern in concerns:
        concern.case = case  # the rule reads the case; use the one already loaded
    texts = SafeguardingTexts(
        concern_ids=frozenset(
            c.pk for c in concerns if can_read_safeguarding_concern(user=user, concern=c)
        ),
        escalation_discussion=bool(case.escalations.all())
        and user.has_perm("cases.read_escalation_discussion", case),
    )
    if texts.concern_ids or texts.escalation_discussion:
        record_view(actor=user, instance=case, source=source, code="safeguarding_details.viewed")
    return texts


def _notes_of(case: Case) -> list[SafeguardingNote]:
    return list(
        SafeguardingNote.objects.filter(case=case).select_related("author", "corrects__author")
    )


def safeguarding_notes_for(*, user, case: Case, source: str) -> list[SafeguardingNote] | None:
    """The case's safeguarding notes, newest first, for a user allowed to read them (the
    reading is audited); None for anyone else, who is told only that they are restricted."""
    if not can_read_safeguarding_notes(user=user, case=case):
        return None
    notes = _notes_of(case)
    record_view(actor=user, instance=case, source=source, code="safeguarding_notes.viewed")
    return notes


def _case_for_notes(case_id: int) -> Case | None:
    return (
        Case.objects.select_related(
            # The family and what the family access rule reads of it.
            "family__team",
            "family__key_worker__staff__line_manager",
            "team__district",
            "team__manager",
            "key_worker__staff__line_manager",
        )
        .filter(pk=case_id)
        .first()
    )


def access_safeguarding_notes(
    *, user, case_id: int, source: str
) -> tuple[Case, list[SafeguardingNote]]:
    """A case and its safeguarding notes for someone allowed to read them; 404 for no
    case, 403 (audited) for anyone else. The reading is audited."""
    case = _case_for_notes(case_id)
    if case is None:
        raise Http404("No case with that reference.")
    if not can_read_safeguarding_notes(user=user, case=case):
        record_denied(actor=user, object_type="cases.case", object_id=case_id, source=source)
        raise PermissionDenied("Safeguarding notes on this case are restricted.")
    notes = _notes_of(case)
    record_view(actor=user, instance=case, source=source, code="safeguarding_notes.viewed")
    return case, notes


def access_case_for_safeguarding_note(*, user, case_id: int, source: str) -> Case:
    """The case for the add-a-note page: for those who may add a note; 404 or 403
    (audited) otherwise."""
    case = _case_for_notes(case_id)
    if case is None:
        raise Http404("No case with that reference.")
    if not user.has_perm("cases.add_safeguarding_note", case):
        record_denied(actor=user, object_type="cases.case", object_id=case_id, source=source)
        raise PermissionDenied("Only those who need them may add safeguarding notes.")
    return case


def is_overdue(due: dt.date | None, today: dt.date | None = None) -> bool:
    return due is not None and due < (today or timezone.localdate())
