"""Outreach, detached work, Talkzone and reach pages. Views parse and authorise; the
services decide and the selectors read."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from earlyhelp.accounts.roles import Role
from earlyhelp.audit.services import record_denied
from earlyhelp.core.errors import DomainError
from earlyhelp.core.forms import error_summary_items
from earlyhelp.outreach import charts, selectors, services
from earlyhelp.outreach.forms import (
    ContactForm,
    PeriodForm,
    SessionForm,
    ShiftForm,
    apply_service_error,
)
from earlyhelp.outreach.reach import reach_report
from earlyhelp.workforce.models import StaffMember

PAGE_SIZE = 50
REFUSALS = (ValidationError, DomainError)


def _require(request: HttpRequest, permission: str, object_type: str) -> None:
    if not request.user.has_perm(permission):
        record_denied(
            actor=request.user, object_type=object_type, object_id="", source=request.path
        )
        raise PermissionDenied("Your role cannot see this page.")


def _render_form(request, template: str, context: dict) -> HttpResponse:
    forms_ = [f for f in (context.get("form"),) if f is not None]
    return render(request, template, {**context, "error_summary": error_summary_items(*forms_)})


# ---------------------------------------------------------------- outreach sessions


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    """Outreach and detached sessions, newest first, filtered by period and district."""
    _require(request, "outreach.view_outreachsession", "outreach.outreachsession")
    filters = PeriodForm(request.GET or None, districts=selectors.districts())
    since, until, district_id = filters.period()
    sessions = selectors.session_list(district_id=district_id, since=since, until=until)
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "outreach/session_list.html",
        {
            "filters": filters,
            "page": page,
            "since": since,
            "until": until,
            "query": query.urlencode(),
            "can_record": request.user.has_perm("outreach.add_outreachsession"),
            "can_see_reach": request.user.has_perm("outreach.view_reach"),
        },
    )


def _worker_choices(user) -> list[StaffMember]:
    """The actor, their team, and the service's outreach workers."""
    staff = getattr(user, "staff", None)
    workers = selectors.outreach_workers()
    if staff is not None and staff.team_id is not None:
        chosen = workers.filter(team_id=staff.team_id)
    else:
        chosen = workers.filter(user__groups__name=Role.OUTREACH_WORKER.value)
    rows = list(chosen.order_by("user__first_name", "user__last_name", "pk"))
    if staff is not None and all(w.pk != staff.pk for w in rows):
        rows.insert(0, staff)
    return rows


def _recent_requests(user):
    from earlyhelp.referrals.models import RequestForSupport

    since = timezone.now() - dt.timedelta(days=30)
    return (
        RequestForSupport.objects.filter(created_by=user, received_at__gte=since)
        .select_related("family")
        .order_by("-received_at")[:20]
    )


def _session_form(request: HttpRequest) -> SessionForm:
    return SessionForm(
        request.POST if request.method == "POST" else None,
        districts=selectors.districts(),
        workers=_worker_choices(request.user),
        issues=selectors.active_issues(),
        age_bands=selectors.active_age_bands(),
        people=selectors.nameable_people(user=request.user),
        requests=_recent_requests(request.user),
        initial=_session_initial(request.user),
    )


def _session_initial(user) -> dict:
    staff = getattr(user, "staff", None)
    initial: dict = {}
    if staff is not None:
        initial["workers"] = [staff.pk]
        if staff.team_id is not None:
            initial["district"] = staff.team.district_id
    return initial


@login_required
def record_session(request: HttpRequest) -> HttpResponse:
    """Record an outreach or detached session (laid out for a phone)."""
    _require(request, "outreach.add_outreachsession", "outreach.outreachsession")
    form = _session_form(request)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        starts_at, ends_at = form.session_times()
        try:
            session = services.record_outreach_session(
                actor=request.user,
                data=services.SessionInput(
                    kind=d["kind"],
                    district_id=d["district"],
                    area=d["area"],
                    priority_neighbourhood=d["priority_neighbourhood"],
                    venue_type=d["venue_type"],
                    venue_name=d["venue_name"],
                    starts_at=starts_at,
                    ends_at=ends_at,
                    worker_ids=tuple(d["workers"]),
                    contact_counts=form.contact_counts(),
                    issue_codes=tuple(d["issues"]),
                    people_met_ids=tuple(d["people_met"]),
                    request_ids=tuple(d["requests"]),
                    follow_ups=d["follow_ups"] or 0,
                    notes=d["notes"],
                ),
                source=request.path,
            )
        except REFUSALS as error:
            apply_service_error(form, error, form.field_map())
        else:
            messages.success(request, "Session recorded")
            return redirect("outreach:session-detail", session_id=session.pk)
    return _render_form(request, "outreach/session_form.html", {"form": form})


@login_required
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    _require(request, "outreach.view_outreachsession", "outreach.outreachsession")
    session = selectors.session_detail(session_id=session_id)
    return render(
        request,
        "outreach/session_detail.html",
        {
            "session": session,
            "total_contacts": sum(c.count for c in session.contact_counts.all()),
        },
    )


@login_required
def areas_served(request: HttpRequest) -> HttpResponse:
    """Areas served over time: sessions and contacts by area and month."""
    _require(request, "outreach.view_outreachsession", "outreach.outreachsession")
    filters = PeriodForm(request.GET or None, districts=selectors.districts(), default_days=180)
    since, until, district_id = filters.period()
    table = selectors.areas_served(since=since, until=until, district_id=district_id)
    return render(
        request,
        "outreach/areas_served.html",
        {"filters": filters, "table": table, "since": since, "until": until},
    )


@login_required
def reach(request: HttpRequest) -> HttpResponse:
    """Unique families and young people reached, across every way of working."""
    _require(request, "outreach.view_reach", "outreach.reach")
    filters = PeriodForm(request.GET or None, districts=selectors.districts())
    since, until, district_id = filters.period()
    report = reach_report(since=since, until=until, district_id=district_id)
    return render(
        request,
        "outreach/reach.html",
        {
            "filters": filters,
            "report": report,
            "chart": charts.bar_chart(
                title="Young people reached by district",
                description=(
                    f"Unique young people reached in each district from {since:%d %B %Y} "
                    f"to {until:%d %B %Y}"
                ),
                bars=[(row.label, row.counts.young_people) for row in report.by_district],
            ),
            "error_summary": error_summary_items(filters),
        },
    )


# ---------------------------------------------------------------- Talkzone


@login_required
def contact_log(request: HttpRequest) -> HttpResponse:
    """The Talkzone contact log, newest first."""
    _require(request, "outreach.view_talkzonecontact", "outreach.talkzonecontact")
    filters = PeriodForm(request.GET or None, districts=selectors.districts(), default_days=30)
    since, until, _ = filters.period()
    contacts = selectors.contact_log(since=since, until=until)
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "outreach/contact_log.html",
        {
            "filters": filters,
            "page": page,
            "since": since,
            "until": until,
            "query": query.urlencode(),
            "opening": selectors.opening_description(),
            "can_record": request.user.has_perm("outreach.add_talkzonecontact"),
        },
    )


@login_required
def record_contact(request: HttpRequest) -> HttpResponse:
    """Log a Talkzone contact."""
    _require(request, "outreach.add_talkzonecontact", "outreach.talkzonecontact")
    form = ContactForm(
        request.POST if request.method == "POST" else None,
        topics=selectors.active_topics(),
        age_bands=selectors.active_age_bands(),
        districts=selectors.districts(),
        people=selectors.nameable_people(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            contact = services.record_talkzone_contact(
                actor=request.user,
                data=services.ContactInput(
                    channel=d["channel"],
                    occurred_at=form.occurred_at(),
                    topic_code=d["topic"],
                    outcome=d["outcome"],
                    summary=d["summary"],
                    person_id=d["person"],
                    age_band_code=d["age_band"],
                    district_id=d["district"],
                ),
                source=request.path,
            )
        except REFUSALS as error:
            apply_service_error(form, error, ContactForm.FIELD_MAP)
        else:
            when = "in hours" if contact.in_hours else "out of hours"
            messages.success(request, f"Contact recorded ({when})")
            return redirect("talkzone:contact-detail", contact_id=contact.pk)
    return _render_form(
        request,
        "outreach/contact_form.html",
        {"form": form, "opening": selectors.opening_description()},
    )


@login_required
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = selectors.access_contact(
        user=request.user, contact_id=contact_id, source=request.path
    )
    can_refer = (
        contact.request_for_support_id is None
        and request.user.has_perm("referrals.submit_request")
        and request.user.has_perm("outreach.add_talkzonecontact")
    )
    return render(
        request,
        "outreach/contact_detail.html",
        {
            "contact": contact,
            "can_refer": can_refer,
            "refer_url": f"{reverse('referrals:new')}?talkzone_contact={contact.pk}",
        },
    )


def _week_of(request: HttpRequest) -> dt.date:
    try:
        week = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        return timezone.localdate()
    return week if selectors.date_in_range(week) else timezone.localdate()


def _rota_page(request: HttpRequest, form: ShiftForm | None, week_of: dt.date) -> HttpResponse:
    week = selectors.rota_week(week_of=week_of)
    return render(
        request,
        "outreach/rota.html",
        {
            "week": week,
            "form": form,
            "previous_week": week.week_start - dt.timedelta(days=7),
            "next_week": week.week_start + dt.timedelta(days=7),
            "opening": selectors.opening_description(),
            "can_change": request.user.has_perm("outreach.add_talkzoneshift"),
            "can_remove": request.user.has_perm("outreach.delete_talkzoneshift"),
            "error_summary": error_summary_items(form) if form is not None else [],
        },
    )


@login_required
def rota(request: HttpRequest) -> HttpResponse:
    """The Talkzone rota for a week, with every opening hour nobody covers flagged."""
    _require(request, "outreach.view_talkzoneshift", "outreach.talkzoneshift")
    week_of = _week_of(request)
    can_change = request.user.has_perm("outreach.add_talkzoneshift")
    form = None
    if can_change or request.method == "POST":
        if request.method == "POST":
            _require(request, "outreach.add_talkzoneshift", "outreach.talkzoneshift")
        form = ShiftForm(
            request.POST if request.method == "POST" else None,
            workers=selectors.talkzone_workers().order_by("user__first_name", "pk"),
            initial={"date": week_of},
        )
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.times()
        try:
            services.add_talkzone_shift(
                actor=request.user,
                worker_id=form.cleaned_data["worker"],
                starts_at=starts_at,
                ends_at=ends_at,
                source=request.path,
            )
        except REFUSALS as error:
            apply_service_error(form, error, ShiftForm.FIELD_MAP)
        else:
            messages.success(request, "Shift added to the rota")
            day = form.cleaned_data["date"]
            return redirect(f"{reverse('talkzone:rota')}?week={day.isoformat()}")
        week_of = form.cleaned_data.get("date") or week_of
    return _rota_page(request, form, week_of)


@login_required
@require_POST
def remove_shift(request: HttpRequest, shift_id: int) -> HttpResponse:
    week = request.POST.get("week", "")
    services.remove_talkzone_shift(actor=request.user, shift_id=shift_id, source=request.path)
    messages.success(request, "Shift removed from the rota")
    return redirect(f"{reverse('talkzone:rota')}?week={week}")
