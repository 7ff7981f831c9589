"""Case pages from the Level 2 plan to closure (Appendix L, boxes 6-7): plan actions, the
TAF meeting, submitting the CAF, reviews, closure, safeguarding and the chronology.

A view opens the case with ``selectors.access_case`` (the look is audited; a refusal is
the 403 page), parses the form and calls one service; what the service refuses comes
back onto the form (cases/web.py)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from earlyhelp.audit.services import record_denied, record_view
from earlyhelp.cases import selectors, services, web
from earlyhelp.cases.forms import ConfirmForm, default_star
from earlyhelp.cases.models import (
    Agency,
    ReviewOutcome,
    SafeguardingConcern,
    StarReadingKind,
    Status,
)
from earlyhelp.cases.plan_forms import (
    ActionForm,
    ClosureForm,
    ConcernForm,
    ConcernOutcomeForm,
    ReviewForm,
    SafeguardingNoteForm,
    TafForm,
)
from earlyhelp.configuration.models import ServiceOutcome
from earlyhelp.configuration.selectors import service_settings, service_timescales
from earlyhelp.domain import casework


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def _when(value: dt.datetime) -> str:
    local = timezone.localtime(value)
    return f"{_day(local)} at {local:%H:%M}"


def _access(request, case_id: int):
    return selectors.access_case(user=request.user, case_id=case_id, source=web.source(request))


def _refusal(case, action: str) -> str | None:
    """Why the case's stage does not allow this step, in plain words; None if it does."""
    status = casework.CaseStatus(case.status)
    try:
        if action in casework.CASE_ACTIONS_ALLOWED:
            casework.check_case_action(action, status)
        else:
            casework.next_case_status(action, status)
    except casework.TransitionNotAllowed:
        return f"{web.TRANSITION_MESSAGES[action]}. This case is: {case.get_status_display()}."
    return None


def _not_now(request, case, *, title: str, reason: str) -> HttpResponse:
    """The step is not open at the case's stage (409): say why, with the way back."""
    return render(
        request,
        "cases/plan_not_now.html",
        {"case": case, "title": title, "reason": reason},
        status=409,
    )


def _bound(request):
    return request.POST if request.method == "POST" else None


def _done(request, case, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("cases:detail", case_id=case.pk)


# ---------------------------------------------------------------- the plan


@login_required
@require_http_methods(["GET", "POST"])
def add_action(request, case_id: int):
    """A SMART action for the plan: what, who, by when, how success is measured."""
    case = _access(request, case_id)
    if reason := _refusal(case, "plan"):
        return _not_now(request, case, title="You cannot add an action now", reason=reason)
    form = ActionForm(_bound(request), outcomes=ServiceOutcome.objects.order_by("number"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with web.errors_onto(form, field_map=form.field_map) as outcome:
            services.add_plan_action(
                actor=request.user,
                case_id=case.pk,
                what=data["what"],
                who=data["who"],
                by_when=data["by_when"],
                success_measure=data["success_measure"],
                outcome_number=data["outcome"],
                source=web.source(request),
            )
        if outcome.ok:
            return _done(request, case, "Action added to the plan")
    return web.render_form(request, "cases/plan_action.html", {"case": case, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def schedule_taf(request, case_id: int):
    """A TAF meeting; each invited agency is sent an invitation through the outbox."""
    case = _access(request, case_id)
    if reason := _refusal(case, "plan"):
        return _not_now(request, case, title="You cannot schedule a TAF meeting now", reason=reason)
    form = TafForm(_bound(request), agencies=Agency.objects.order_by("name"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scheduled_for = timezone.make_aware(
            dt.datetime.combine(data["meeting_date"], data["meeting_time"])
        )
        with web.errors_onto(form, field_map=form.field_map) as outcome:
            services.schedule_taf_meeting(
                actor=request.user,
                case_id=case.pk,
                scheduled_for=scheduled_for,
                venue=data["venue"],
                agency_ids=data["agencies"],
                source=web.source(request),
            )
        if outcome.ok:
            invited = len(data["agencies"])
            return _done(
                request,
                case,
                f"TAF meeting scheduled for {_when(scheduled_for)}. Invitations sent to "
                f"{invited} {'agency' if invited == 1 else 'agencies'}",
            )
    return web.render_form(request, "cases/plan_taf.html", {"case": case, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def submit_caf(request, case_id: int):
    """Check the plan, then submit the CAF/TAF to the CAF mailbox, or send the plan to
    the line manager for sign-off first when the configuration asks for that."""
    case = _access(request, case_id)
    if reason := _refusal(case, "plan"):
        return _not_now(request, case, title="You cannot submit the CAF now", reason=reason)
    if case.caf_submitted_at is not None:
        return _not_now(
            request,
            case,
            title="The CAF has already been submitted",
            reason=f"It was submitted on {_when(case.caf_submitted_at)}.",
        )
    pending = [a for a in case.approvals.all() if a.kind == "plan" and a.status == "pending"]
    if pending:
        return _not_now(
            request,
            case,
            title="The plan is waiting for sign-off",
            reason=f"It was sent to {pending[0].approver} on {_when(pending[0].requested_at)}.",
        )
    settings = service_settings()
    approver = services.line_manager_for(case)
    form = ConfirmForm(_bound(request))
    if request.method == "POST" and form.is_valid():
        with web.errors_onto(form) as outcome:
            result = services.submit_caf(
                actor=request.user, case_id=case.pk, source=web.source(request)
            )
        if outcome.ok:
            if result.caf_submitted_at is not None:
                return _done(request, case, "CAF and TAF plan submitted to the CAF mailbox")
            return _done(
                request,
                case,
                f"Plan sent to {approver} for sign-off. It is submitted to the CAF mailbox "
                "when they approve it",
            )
    return web.render_form(
        request,
        "cases/plan_submit.html",
        {
            "case": case,
            "form": form,
            "needs_approval": settings.plan_needs_approval,
            "approver": approver,
            "caf_mailbox": settings.caf_mailbox,
        },
    )


# ---------------------------------------------------------------- reviews


@login_required
@require_http_methods(["GET", "POST"])
def record_review(request, case_id: int):
    """A review: progress on every action, summary, outcome, and the Star at 12 weeks."""
    case = _access(request, case_id)
    if reason := _refusal(case, "review"):
        return _not_now(request, case, title="You cannot record a review now", reason=reason)
    form = ReviewForm(_bound(request), actions=case.actions.all(), star=default_star())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with web.errors_onto(form, field_map=form.field_map) as outcome:
            review = services.record_review(
                actor=request.user,
                case_id=case.pk,
                held_on=data["held_on"],
                progress=form.progress(),
                summary=data["summary"],
                outcome=data["outcome"],
                star_scores=form.star_scores(),
                source=web.source(request),
            )
        if outcome.ok:
            message = "Review recorded and submitted to the CAF mailbox"
            if review.outcome in (ReviewOutcome.CONTINUE, ReviewOutcome.EXTEND):
                message += f". The next review is due by {_day(review.case.next_review_due_by)}"
            return _done(request, case, message)
    # The Star is taken at the first review held 12 weeks or more into the plan.
    star_taken = any(r.star_reading_id for r in case.reviews.all())
    held_on = getattr(form, "cleaned_data", {}).get("held_on") or timezone.localdate()
    star_due = not star_taken and casework.is_twelve_week_review(
        case.plan_started_on, held_on, service_timescales()
    )
    return web.render_form(
        request,
        "cases/plan_review.html",
        {
            "case": case,
            "form": form,
            "star_due": star_due,
            "star_open": star_due or form.star_entered() or form.star_has_errors(),
        },
    )


# ---------------------------------------------------------------- closure


@login_required
@require_http_methods(["GET", "POST"])
def request_closure(request, case_id: int):
    """Ask the line manager to agree closure, with the reason and the closing Star."""
    case = _access(request, case_id)
    if reason := _refusal(case, "request_closure"):
        return _not_now(request, case, title="You cannot ask to close this case now", reason=reason)
    form = ClosureForm(_bound(request), star=default_star())
    approver = services.line_manager_for(case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with web.errors_onto(form, field_map=form.field_map) as outcome:
            services.request_closure(
                actor=request.user,
                case_id=case.pk,
                reason=data["reason"],
                notes=data["notes"],
                star_scores=form.star_scores(),
                source=web.source(request),
            )
        if outcome.ok:
            return _done(request, case, f"Closure sent to {approver} for agreement")
    # A Level 2 plan closes with the Outcomes Star (unless it was already taken at closure).
    closure_star_taken = any(r.kind == StarReadingKind.CLOSURE for r in case.star_readings.all())
    star_required = case.status == Status.PLANNING and not closure_star_taken
    return web.render_form(
        request,
        "cases/plan_closure.html",
        {
            "case": case,
            "form": form,
            "approver": approver,
            "star_required": star_required,
            "star_open": star_required or form.star_entered() or form.star_has_errors(),
        },
    )


# ---------------------------------------------------------------- safeguarding


@login_required
@require_http_methods(["GET", "POST"])
def raise_safeguarding(request, case_id: int):
    """ "Child needs protection": anyone who can see the case, at any open stage."""
    case = _access(request, case_id)
    if reason := _refusal(case, "raise_safeguarding"):
        return _not_now(request, case, title="You cannot raise a concern here", reason=reason)
    form = ConcernForm(_bound(request))
    if request.method == "POST" and form.is_valid():
        with web.errors_onto(form) as outcome:
            services.raise_safeguarding_concern(
                actor=request.user,
                case_id=case.pk,
                concern=form.cleaned_data["concern"],
                source=web.source(request),
            )
        if outcome.ok:
            return _done(
                request,
                case,
                "Safeguarding concern raised. The designated safeguarding officers and the "
                "line manager have been alerted, and the case is flagged",
            )
    return web.render_form(request, "cases/plan_safeguarding.html", {"case": case, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def safeguarding_outcome(request, concern_id: int):
    """A designated safeguarding officer records a concern's outcome; nobody else may."""
    if not request.user.has_perm("cases.record_safeguarding_outcome"):
        record_denied(
            actor=request.user,
            object_type="cases.safeguardingconcern",
            object_id=concern_id,
            source=web.source(request),
        )
        raise PermissionDenied("Only a designated safeguarding officer can record the outcome.")
    case_id = (
        SafeguardingConcern.objects.filter(pk=concern_id).values_list("case_id", flat=True).first()
    )
    if case_id is None:
        raise Http404("No such safeguarding concern.")
    case = _access(request, case_id)
    concern = next(c for c in case.safeguarding_concerns.all() if c.pk == concern_id)
    if not request.user.has_perm("cases.record_safeguarding_outcome", concern):
        record_denied(
            actor=request.user,
            object_type="cases.safeguardingconcern",
            object_id=concern_id,
            source=web.source(request),
        )
        raise PermissionDenied(
            "Only a designated safeguarding officer covering the family's district can record "
            "the outcome."
        )
    if not concern.is_open:
        return _not_now(
            request,
            case,
            title="The outcome of this concern is already recorded",
            reason=f"It was recorded on {_when(concern.outcome_recorded_at)}.",
        )
    form = ConcernOutcomeForm(_bound(request))
    if request.method == "POST" and form.is_valid():
        with web.errors_onto(form) as outcome:
            services.record_safeguarding_outcome(
                actor=request.user,
                concern_id=concern.pk,
                outcome=form.cleaned_data["outcome"],
                source=web.source(request),
            )
        if outcome.ok:
            return _done(request, case, "Safeguarding outcome recorded")
    concern_readable = selectors.can_read_safeguarding_concern(user=request.user, concern=concern)
    if concern_readable:
        record_view(
            actor=request.user,
            instance=case,
            source=web.source(request),
            code="safeguarding_details.viewed",
        )
    return web.render_form(
        request,
        "cases/plan_safeguarding_outcome.html",
        {"case": case, "form": form, "concern": concern, "concern_readable": concern_readable},
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_safeguarding_note(request, case_id: int):
    """A restricted safeguarding note: the case's key worker, their line management and
    the DSOs covering the case; anyone else gets the 403 page (audited)."""
    source = web.source(request)
    case = selectors.access_case_for_safeguarding_note(
        user=request.user, case_id=case_id, source=source
    )
    notes = selectors.safeguarding_notes_for(user=request.user, case=case, source=source) or []
    initial = {}
    if (corrects := request.GET.get("corrects", "")).isdigit():
        initial["corrects"] = int(corrects)
    form = SafeguardingNoteForm(_bound(request), notes=notes, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with web.errors_onto(
            form, field_map={"occurred_at": "occurred_on", "corrects_id": "corrects"}
        ) as outcome:
            services.record_safeguarding_note(
                actor=request.user,
                case_id=case.pk,
                text=data["text"],
                occurred_at=timezone.make_aware(
                    dt.datetime.combine(data["occurred_on"], data["occurred_at_time"])
                ),
                category=data["category"],
                corrects_id=data.get("corrects"),
                source=source,
            )
        if outcome.ok:
            messages.success(request, "Safeguarding note added")
            return redirect(reverse("cases:detail", args=[case.pk]) + "#safeguarding-notes")
    return web.render_form(
        request, "cases/safeguarding_note_form.html", {"case": case, "form": form}
    )


# ---------------------------------------------------------------- chronology


@login_required
@require_GET
def chronology(request, case_id: int):
    """Every significant event of the case in date order, laid out to print."""
    case = _access(request, case_id)
    entries = selectors.case_chronology(case=case, user=request.user)
    return render(
        request,
        "cases/plan_chronology.html",
        {
            "case": case,
            "entries": entries,
            "notes_restricted": not selectors.can_read_safeguarding_notes(
                user=request.user, case=case
            ),
        },
    )
