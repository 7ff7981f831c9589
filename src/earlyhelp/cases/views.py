"""Case pages from allocation to the decision (Appendix L, boxes 5-6): the caseload, the
case page, contacts, the CAF assessment, the Outcomes Star and the decision.

Views parse and authorise; every change goes through cases/services.py, and what a
service refuses comes back onto the form (cases/web.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from earlyhelp.accounts.roles import MANAGER_ROLES
from earlyhelp.audit.services import record_denied
from earlyhelp.cases import selectors, services, web
from earlyhelp.cases.errors import StaleRecord
from earlyhelp.cases.forms import (
    ASSESSMENT_DOMAINS,
    ASSESSMENT_TEXT_FIELDS,
    AssessmentForm,
    ConfirmForm,
    ConsentForm,
    ConsentRefusalDecisionForm,
    ContactForm,
    DecisionForm,
    EmploymentAdvisorForm,
    StarReadingForm,
    default_star,
)
from earlyhelp.cases.models import (
    VISIT_TYPES,
    Case,
    ConsentDecision,
    EmploymentAdvisorContact,
    Level,
    Status,
)
from earlyhelp.centres.selectors import attendance_for_people
from earlyhelp.configuration.selectors import service_timescales
from earlyhelp.core.concurrency import keep_typed_over
from earlyhelp.domain import casework

CASELOAD_PAGE_SIZE = 25

STATUS_COLOURS = {
    Status.ASSESSMENT: "blue",
    Status.LEVEL_1_CLOSING: "yellow",
    Status.PLANNING: "green",
    Status.ESCALATED: "orange",
    Status.CLOSURE_REQUESTED: "yellow",
    Status.CLOSED: "grey",
}


@dataclass(frozen=True)
class Tag:
    """A GOV.UK tag: its words and colour."""

    text: str
    colour: str


def status_tag(case: Case) -> Tag:
    return Tag(case.get_status_display(), STATUS_COLOURS.get(case.status, "grey"))


def initial_visit_tag(case: Case, today: dt.date) -> Tag | None:
    """On time, late, or overdue: the initial visit is due 7 working days after allocation."""
    if case.initial_visit_on is not None:
        if case.initial_visit_on <= case.initial_visit_due_by:
            return Tag("On time", "green")
        return Tag("Late", "red")
    if case.is_open and case.initial_visit_due_by < today:
        return Tag("Overdue", "red")
    return None


def review_overdue_after(case: Case, timescales: casework.Timescales) -> dt.date | None:
    """A review is overdue 8 weeks after the plan started or the last review."""
    basis = case.last_reviewed_on or case.plan_started_on
    return casework.review_overdue_after(basis, timescales) if basis else None


def review_tag(case: Case, today: dt.date, timescales: casework.Timescales) -> Tag | None:
    """Due once the 6-week review date has passed; overdue after 8 weeks."""
    due = case.next_review_due_by
    if due is None or case.status != Status.PLANNING:
        return None
    overdue_after = review_overdue_after(case, timescales)
    if overdue_after is not None and today > overdue_after:
        return Tag("Overdue", "red")
    if today > due:
        return Tag("Due", "yellow")
    return None


def _case(request: HttpRequest, case_id: int) -> Case:
    """The case with what its pages show, the look audited; 403 (audited) or 404."""
    return selectors.access_case(user=request.user, case_id=case_id, source=web.source(request))


def _posted(request: HttpRequest):
    """The form data of a POST (even an empty one), or None to leave a form unbound."""
    return request.POST if request.method == "POST" else None


def _to_case(case: Case, anchor: str = "") -> HttpResponse:
    url = reverse("cases:detail", args=[case.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


# ---------------------------------------------------------------- caseload


def _reports_of(user) -> list:
    """The caseworkers a manager may choose to see the caseload of (the list only: the
    caseload itself is filtered by the family access rule in the selector)."""
    if not user.has_role(*MANAGER_ROLES):
        return []
    chain = Q(staff__team__manager=user)
    path = "staff__line_manager"
    for _ in range(3):
        chain |= Q(**{path: user})
        path += "__staff__line_manager"
    return list(
        get_user_model()
        .objects.filter(chain, is_active=True)
        .filter(groups__name__in=[r.value for r in selectors.CASEWORKER_ROLES])
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    """A worker's open cases (a manager may pass ?worker=<id> for a report's), showing
    only cases whose families the user may see."""
    worker = request.user
    if request.GET.get("worker"):
        try:
            worker_id = int(request.GET["worker"])
        except ValueError:
            raise Http404("No such worker.") from None
        worker = get_object_or_404(get_user_model(), pk=worker_id)
    cases = selectors.caseload_for(user=request.user, worker=worker)
    page = Paginator(cases, CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    timescales = service_timescales()
    rows = [
        {
            "case": case,
            "status": status_tag(case),
            "initial_visit": initial_visit_tag(case, today),
            "review": review_tag(case, today, timescales),
        }
        for case in page.object_list
    ]
    own = worker.pk == request.user.pk
    return render(
        request,
        "cases/caseload.html",
        {
            "page": page,
            "rows": rows,
            "worker": worker,
            "own": own,
            "reports": _reports_of(request.user),
            "query": "" if own else urlencode({"worker": worker.pk}),
        },
    )


# ---------------------------------------------------------------- the case page


def _actions(request: HttpRequest, case: Case) -> dict[str, bool]:
    """Which action links the case page offers, by the case's status."""
    status = casework.CaseStatus(case.status)
    allowed = {name: status in states for name, states in casework.CASE_ACTIONS_ALLOWED.items()}
    assessment = case.assessment
    editable = allowed["edit_assessment"] and assessment.completed_at is None
    refused = assessment.consent == ConsentDecision.REFUSED
    decide_states = {
        state
        for action in ("decide_level_1", "decide_level_2", "decide_level_3_4")
        for state in casework.CASE_TRANSITIONS[action]
    }
    ready_to_decide = assessment.completed_at is not None or (
        refused and bool(assessment.consent_refusal_decision)
    )
    return {
        "record_contact": allowed["record_contact"],
        "record_star": allowed["record_star"],
        "edit_assessment": editable,
        "record_consent": editable,
        "employment_advisor": editable
        and assessment.employment_advisor_contact == EmploymentAdvisorContact.REQUIRED,
        "complete_assessment": editable,
        "consent_refusal_decision": refused
        and not assessment.consent_refusal_decision
        and request.user.has_perm("cases.manage_case", case),
        "decide": status in decide_states
        and (ready_to_decide or status == casework.CaseStatus.PLANNING),
    }


def _star_tables(case: Case) -> list[dict]:
    """Each Outcomes Star reading as rows of area, score and stage."""
    tables = []
    for reading in case.star_readings.all():
        star = reading.star
        rows = []
        for area in star.areas.all():
            score = reading.scores.get(area.code)
            rows.append(
                {
                    "area": area.name,
                    "score": score,
                    "stage": star.stage_for(score) if score is not None else "",
                }
            )
        tables.append({"reading": reading, "rows": rows})
    return tables


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case page: timescales, contacts, assessment, Star, decisions, approvals,
    messages sent, and the plan sections."""
    case = _case(request, case_id)
    today = timezone.localdate()
    timescales = service_timescales()
    assessment = case.assessment
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "assessment": assessment,
            "status": status_tag(case),
            "initial_visit": initial_visit_tag(case, today),
            "review": review_tag(case, today, timescales),
            "review_overdue_after": review_overdue_after(case, timescales),
            "blockers": services.assessment_blockers(assessment, case)
            if assessment.completed_at is None
            else [],
            "star_tables": _star_tables(case),
            "actions": _actions(request, case),
            "today": today,
            "safeguarding_notes": selectors.safeguarding_notes_for(
                user=request.user, case=case, source=web.source(request)
            ),
            "safeguarding_texts": selectors.safeguarding_texts_for(
                user=request.user, case=case, source=web.source(request)
            ),
            "group_sessions": group_sessions_towards_plan(
                attendance_for_people([m.person_id for m in case.family.memberships.all()]),
                case.actions.all(),
            ),
        },
    )


def group_sessions_towards_plan(attended, plan_actions) -> list[dict]:
    """Each group session attended, with the plan actions it counts toward: those whose
    service outcome is one the session's programme serves."""
    by_outcome: dict[int, list] = {}
    for action in plan_actions:
        if action.outcome_id is not None:
            by_outcome.setdefault(action.outcome_id, []).append(action)
    return [
        {
            "attended": session,
            "towards": [
                action
                for outcome_id in sorted(session.outcome_ids)
                for action in by_outcome.get(outcome_id, [])
            ],
        }
        for session in attended
    ]


# ---------------------------------------------------------------- contacts


@login_required
def record_contact(request: HttpRequest, case_id: int) -> HttpResponse:
    """Record a visit or other contact; the first meeting is the initial visit."""
    case = _case(request, case_id)
    form = ContactForm(_posted(request), family=case.family)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        occurred_at = timezone.make_aware(
            dt.datetime.combine(data["occurred_on"], data["occurred_at_time"])
        )
        first_visit = case.initial_visit_on is None and data["contact_type"] in VISIT_TYPES
        with web.errors_onto(
            form, field_map={"occurred_at": "occurred_on", "attendee_ids": "attendees"}
        ) as outcome:
            services.record_contact(
                actor=request.user,
                case_id=case.pk,
                occurred_at=occurred_at,
                contact_type=data["contact_type"],
                duration_minutes=data["duration_minutes"],
                notes=data["notes"],
                attendee_ids=data["attendees"],
                other_attendees=data["other_attendees"],
                referrer_attended=data["referrer_attended"],
                source=web.source(request),
            )
        if outcome.ok:
            text = "Contact recorded"
            if first_visit:
                text += ". It is the initial visit"
            messages.success(request, text)
            return _to_case(case, "contacts")
    return web.render_form(request, "cases/contact_form.html", {"case": case, "form": form})


# ---------------------------------------------------------------- assessment


def _assessment_label(form: AssessmentForm, name: str) -> str:
    label = str(form.fields[name].label)
    for title, prefix in ASSESSMENT_DOMAINS:
        if name.startswith(f"{prefix}_"):
            return f"{title}: {label.lower()}"
    return label


def _unsaved_changes(form: AssessmentForm, current) -> list[dict[str, str]]:
    """What the person typed that differs from the assessment as now saved."""
    data = form.cleaned_data
    changes = []
    for name in ASSESSMENT_TEXT_FIELDS:
        typed = (data.get(name) or "").strip()
        if typed != getattr(current, name):
            changes.append({"label": _assessment_label(form, name), "value": typed or "Blank"})
    typed_criteria = sorted(c.number for c in data.get("tfu_criteria") or [])
    saved_criteria = sorted(c.number for c in current.tfu_criteria.all())
    if typed_criteria != saved_criteria:
        changes.append(
            {
                "label": form.fields["tfu_criteria"].label,
                "value": ", ".join(str(n) for n in typed_criteria) or "None",
            }
        )
    if bool(data.get("worklessness_identified")) != current.worklessness_identified:
        changes.append(
            {
                "label": form.fields["worklessness_identified"].label,
                "value": "Yes" if data.get("worklessness_identified") else "No",
            }
        )
    return changes


@login_required
def assessment(request: HttpRequest, case_id: int) -> HttpResponse:
    """The CAF draft. A save over someone else's newer save is refused, never silent."""
    case = _case(request, case_id)
    current = case.assessment
    editable = case.status == Status.ASSESSMENT and current.completed_at is None
    unsaved: list[dict[str, str]] = []
    if request.method == "POST":
        form = AssessmentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            with web.errors_onto(form) as outcome:
                services.update_assessment(
                    actor=request.user,
                    case_id=case.pk,
                    expected_version=data["expected_version"],
                    fields={name: data[name] for name in ASSESSMENT_TEXT_FIELDS},
                    tfu_criteria=[c.number for c in data["tfu_criteria"]],
                    worklessness_identified=data["worklessness_identified"],
                    source=web.source(request),
                )
            if outcome.ok:
                messages.success(request, "Assessment draft saved")
                return _to_case(case, "assessment")
            if isinstance(outcome.error, StaleRecord):
                # Show what is saved now, bound so that the next save carries its version.
                fresh = selectors.case_detail(case_id=case.pk).assessment
                unsaved = _unsaved_changes(form, fresh)
                form = AssessmentForm(AssessmentForm.data_for(fresh))
                form.is_valid()
                web.apply_error(form, outcome.error)
                current = fresh
    else:
        form = AssessmentForm(initial=AssessmentForm.data_for(current))
    return web.render_form(
        request,
        "cases/assessment_form.html",
        {
            "case": case,
            "assessment": current,
            "form": form,
            "editable": editable,
            "unsaved": unsaved,
        },
    )


def _opened_at(case: Case) -> dict[str, int]:
    """A form about the assessment carries the version it was opened at."""
    return {"expected_version": case.assessment.version}


def _stale(form, outcome: web.errors_onto) -> StaleRecord | None:
    """A record refused as stale: the form keeps what was typed, over the version saved,
    and the page shows what changed (components/stale.html)."""
    if not isinstance(outcome.error, StaleRecord):
        return None
    keep_typed_over(form, outcome.error, field="expected_version")
    return outcome.error


@login_required
def caf_consent(request: HttpRequest, case_id: int) -> HttpResponse:
    """The family's consent to the CAF; a refusal goes to the line manager."""
    case = _case(request, case_id)
    form = ConsentForm(_posted(request), initial=_opened_at(case))
    stale: StaleRecord | None = None
    if request.method == "POST" and form.is_valid():
        given = form.cleaned_data["consent"] == ConsentDecision.GIVEN
        with web.errors_onto(form, field_map={"given": "consent"}) as outcome:
            services.record_caf_consent(
                actor=request.user,
                case_id=case.pk,
                given=given,
                expected_version=form.cleaned_data["expected_version"],
                source=web.source(request),
            )
        stale = _stale(form, outcome)
        if outcome.ok:
            if given:
                messages.success(request, "Consent to the CAF recorded")
            else:
                manager = services.line_manager_for(case)
                who = f"your line manager, {manager}," if manager else "your line manager"
                messages.success(
                    request,
                    f"Refusal recorded. It has been sent to {who} as a task to decide what "
                    f"happens next",
                )
            return _to_case(case, "assessment")
    return web.render_form(
        request, "cases/consent_form.html", {"case": case, "form": form, "stale": stale}
    )


@login_required
def consent_refusal_decision(request: HttpRequest, case_id: int) -> HttpResponse:
    """The line manager decides what happens after the family refused the CAF."""
    case = _case(request, case_id)
    if not request.user.has_perm("cases.manage_case", case):
        record_denied(
            actor=request.user,
            object_type="cases.case",
            object_id=case.pk,
            source=web.source(request),
        )
        raise PermissionDenied("Only the worker's line manager can record this decision.")
    form = ConsentRefusalDecisionForm(_posted(request), initial=_opened_at(case))
    stale: StaleRecord | None = None
    if request.method == "POST" and form.is_valid():
        with web.errors_onto(form) as outcome:
            services.record_consent_refusal_decision(
                actor=request.user,
                case_id=case.pk,
                decision=form.cleaned_data["decision"],
                expected_version=form.cleaned_data["expected_version"],
                source=web.source(request),
            )
        stale = _stale(form, outcome)
        if outcome.ok:
            messages.success(request, "Your decision on the refused consent is recorded")
            return _to_case(case, "assessment")
    return web.render_form(
        request,
        "cases/consent_refusal_decision.html",
        {
            "case": case,
            "form": form,
            "refused": case.assessment.consent == ConsentDecision.REFUSED,
            "stale": stale,
        },
    )


@login_required
def employment_advisor(request: HttpRequest, case_id: int) -> HttpResponse:
    """The Employment Advisor contact that worklessness makes necessary."""
    case = _case(request, case_id)
    form = EmploymentAdvisorForm(_posted(request), initial=_opened_at(case))
    stale: StaleRecord | None = None
    if request.method == "POST" and form.is_valid():
        with web.errors_onto(form) as outcome:
            services.record_employment_advisor_contact(
                actor=request.user,
                case_id=case.pk,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["expected_version"],
                source=web.source(request),
            )
        stale = _stale(form, outcome)
        if outcome.ok:
            messages.success(request, "Employment Advisor contact recorded")
            return _to_case(case, "assessment")
    needed = case.assessment.employment_advisor_contact != EmploymentAdvisorContact.NOT_NEEDED
    return web.render_form(
        request,
        "cases/employment_advisor.html",
        {"case": case, "form": form, "needed": needed, "stale": stale},
    )


@login_required
def complete_assessment(request: HttpRequest, case_id: int) -> HttpResponse:
    """Confirm the CAF is complete; what still stops it is listed."""
    case = _case(request, case_id)
    form = ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        with web.errors_onto(form) as outcome:
            services.complete_assessment(
                actor=request.user, case_id=case.pk, source=web.source(request)
            )
        if outcome.ok:
            messages.success(request, "Assessment completed. Record the decision next")
            return _to_case(case, "assessment")
    assessment = case.assessment
    blockers = (
        services.assessment_blockers(assessment, case) if assessment.completed_at is None else []
    )
    return web.render_form(
        request,
        "cases/complete_assessment.html",
        {"case": case, "form": form, "assessment": assessment, "blockers": blockers},
    )


# ---------------------------------------------------------------- Outcomes Star


@login_required
def record_star(request: HttpRequest, case_id: int) -> HttpResponse:
    """An Outcomes Star reading, one score per area of the service's default Star."""
    case = _case(request, case_id)
    star = default_star()
    if star is None:
        return render(request, "cases/star_form.html", {"case": case, "form": None})
    form = StarReadingForm(_posted(request), star=star)
    if request.method == "POST" and form.is_valid():
        with web.errors_onto(form) as outcome:
            services.record_star_reading(
                actor=request.user,
                case_id=case.pk,
                kind=form.cleaned_data["kind"],
                taken_on=form.cleaned_data["taken_on"],
                scores=form.scores(),
                star_code=star.code,
                source=web.source(request),
            )
        if outcome.ok:
            messages.success(request, f"{star.name} recorded")
            return _to_case(case, "stars")
    return web.render_form(
        request, "cases/star_form.html", {"case": case, "form": form, "star": star}
    )


# ---------------------------------------------------------------- decision


@login_required
def decision(request: HttpRequest, case_id: int) -> HttpResponse:
    """The decision after assessment: Level 1, 2 or 3/4, case type and rationale."""
    case = _case(request, case_id)
    workers = selectors.eligible_workers(team=case.team)
    form = DecisionForm(_posted(request), workers=workers)
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        with web.errors_onto(form, field_map={"lead_professional": "lead_professional_id"}) as (
            outcome
        ):
            services.record_decision(
                actor=request.user, case_id=case.pk, source=web.source(request), **arguments
            )
        if outcome.ok:
            messages.success(request, _decision_message(arguments["level"]))
            return _to_case(case, "decisions")
    assessment = case.assessment
    ready = assessment.completed_at is not None or (
        assessment.consent == ConsentDecision.REFUSED and bool(assessment.consent_refusal_decision)
    )
    return web.render_form(
        request,
        "cases/decision_form.html",
        {"case": case, "form": form, "ready": ready},
    )


def _decision_message(level: str) -> str:
    if level == Level.LEVEL_1:
        return "Decision recorded and sent to your line manager to agree closure"
    if level == Level.LEVEL_2:
        return "Decision recorded: Level 2. Add the actions of the plan next"
    return "Decision recorded: Level 3/4. The designated safeguarding officers have been told"
