"""Reads of cases: a worker's caseload, one case with what its page shows, and its
chronology. Scoped by the family access rule; opening a case is audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.audit.services import record_denied, record_view
from earlyhelp.cases.events import describe
from earlyhelp.cases.models import Case, Contact, PlanAction, SafeguardingConcern, Status
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


def case_chronology(*, case: Case) -> list[ChronologyEntry]:
    """Every significant event of the case in date order, from the audit log."""
    events = (
        AuditEvent.objects.filter(kind=Kind.WRITE)
        .filter(
            Q(subject_case_id=case.pk)
            | Q(object_type="referrals.requestforsupport", object_id=str(case.request_id))
        )
        .select_related("actor")
        .order_by("occurred_at", "id")
    )
    return [
        ChronologyEntry(
            occurred_at=e.occurred_at,
            actor=(e.actor.get_full_name() or e.actor_label) if e.actor else e.actor_label,
            code=e.code,
            summary=describe(e.code, e.details, e.changes),
        )
        for e in events
    ]


def is_overdue(due: dt.date | None, today: dt.date | None = None) -> bool:
    return due is not None and due < (today or timezone.localdate())
