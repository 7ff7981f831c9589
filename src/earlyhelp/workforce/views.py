"""Workforce pages: a team's capacity at a glance, a worker's caseload and capacity,
absences, capacity details and the bulk reassignment of a worker's open cases.

Views parse and authorise through the selectors; every change goes through
workforce/services.py, and what a service refuses comes back onto the form."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from earlyhelp.cases import web
from earlyhelp.core.concurrency import StaleRecord, keep_typed_over
from earlyhelp.workforce import selectors, services
from earlyhelp.workforce.charts import bar_chart
from earlyhelp.workforce.forms import AbsenceForm, CapacityForm, ConfirmForm, ReassignForm
from earlyhelp.workforce.models import Absence
from earlyhelp.workforce.selectors import SORT_COLUMNS


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _worker_url(staff_id: int, anchor: str = "") -> str:
    url = reverse("workforce:worker", args=[staff_id])
    return f"{url}#{anchor}" if anchor else url


# ---------------------------------------------------------------- teams


@login_required
def team_index(request: HttpRequest) -> HttpResponse:
    """The teams whose capacity the user sees; straight to it when there is one."""
    teams = list(selectors.teams_managed_by(request.user))
    if len(teams) == 1:
        return redirect("workforce:team", team_id=teams[0].pk)
    return render(request, "workforce/team_index.html", {"teams": teams})


def _sort_headers(request: HttpRequest, current: str, descending: bool) -> list[dict]:
    """GOV.UK table headers whose links sort the table on the server."""
    headers = []
    for key, (label, _) in SORT_COLUMNS.items():
        active = key == current
        next_sort = f"-{key}" if active and not descending else key
        headers.append(
            {
                "key": key,
                "label": label,
                "href": f"?{urlencode({'sort': next_sort})}",
                "aria_sort": ("descending" if descending else "ascending") if active else "none",
                "numeric": key not in {"name", "flags"},
            }
        )
    return headers


@login_required
def team(request: HttpRequest, team_id: int) -> HttpResponse:
    """Each worker's load, headroom, flags and overdue visits and reviews, sortable."""
    found = selectors.access_team(user=request.user, team_id=team_id, source=web.source(request))
    capacity = selectors.team_capacity(team=found, sort=request.GET.get("sort"))
    return render(
        request,
        "workforce/team.html",
        {
            "team": found,
            "capacity": capacity,
            "headers": _sort_headers(request, capacity.sort, capacity.descending),
        },
    )


# ---------------------------------------------------------------- a worker


@login_required
def my_capacity(request: HttpRequest) -> HttpResponse:
    """The signed-in worker's own caseload and capacity."""
    staff = getattr(request.user, "staff", None)
    if staff is None:
        raise Http404("You have no staff record.")
    return redirect("workforce:worker", staff_id=staff.pk)


def _caseload_chart(view: selectors.WorkerCapacity):
    load = view.load
    values = [(bar.label, bar.count) for bar in view.bars] + [("All open cases", load.open_cases)]
    limit = load.flags.caseload_limit
    counts = ", ".join(f"{label}: {value}" for label, value in values)
    return bar_chart(
        title=f"Caseload allocation: {load.open_cases} cases",
        description=(
            f"Open cases by case type against the limit of {limit:g} cases "
            f"({view.caseload_per_fte:g} a FTE x {load.fte:g} FTE). {counts}"
        ),
        values=values,
        axis_label="Number of cases",
        line=limit,
        line_label=f"Limit {limit:g}",
        total_label="All open cases",
    )


def _week_chart(view: selectors.WorkerCapacity):
    flags = view.load.flags
    return bar_chart(
        title="This week: visits needed against visit slots",
        description=(
            f"Visits needed this week: {flags.demand_slots:g}. "
            f"Visit slots available: {flags.capacity_slots:g}."
        ),
        values=[("Visits needed", flags.demand_slots), ("Slots available", flags.capacity_slots)],
        axis_label="Visit slots a week",
        line=flags.capacity_slots,
        line_label=f"Capacity {flags.capacity_slots:g}",
    )


@login_required
def worker(request: HttpRequest, staff_id: int) -> HttpResponse:
    """A worker's caseload by case type against 18 x FTE, the week's demand against
    capacity, the year's slots against 506 x FTE, visits and reviews due, absences."""
    staff = selectors.access_worker(
        user=request.user, staff_id=staff_id, source=web.source(request)
    )
    view = selectors.worker_capacity(staff=staff)
    return render(
        request,
        "workforce/worker.html",
        {
            "staff": staff,
            "view": view,
            "own": staff.user_id == request.user.pk,
            "manages": request.user.has_perm("workforce.manage_worker", staff),
            "caseload_chart": _caseload_chart(view),
            "week_chart": _week_chart(view),
        },
    )


@login_required
def record_absence(request: HttpRequest, staff_id: int) -> HttpResponse:
    """A manager records a worker's leave, sickness or other absence."""
    staff = selectors.access_manageable_worker(
        user=request.user, staff_id=staff_id, source=web.source(request)
    )
    form = AbsenceForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with web.errors_onto(form) as outcome:
            services.record_absence(
                actor=request.user,
                worker_id=staff.pk,
                kind=data["kind"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                note=data["note"],
                source=web.source(request),
            )
        if outcome.ok:
            messages.success(request, "Absence recorded")
            return redirect(_worker_url(staff.pk, "absences"))
    return web.render_form(request, "workforce/absence_form.html", {"staff": staff, "form": form})


@login_required
def cancel_absence(request: HttpRequest, absence_id: int) -> HttpResponse:
    """Confirm, then cancel, a recorded absence."""
    absence = (
        Absence.objects.select_related("worker__user", "worker__team__district")
        .filter(pk=absence_id)
        .first()
    )
    if absence is None:
        raise Http404("No absence with that reference.")
    staff = selectors.access_manageable_worker(
        user=request.user, staff_id=absence.worker_id, source=web.source(request)
    )
    form = ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        with web.errors_onto(form) as outcome:
            services.cancel_absence(
                actor=request.user, absence_id=absence.pk, source=web.source(request)
            )
        if outcome.ok:
            messages.success(request, "Absence cancelled")
            return redirect(_worker_url(staff.pk, "absences"))
    return web.render_form(
        request,
        "workforce/absence_cancel.html",
        {"staff": staff, "absence": absence, "form": form},
    )


@login_required
def edit_capacity(request: HttpRequest, staff_id: int) -> HttpResponse:
    """A manager changes a worker's FTE, protected hours, specialisms and languages."""
    staff = selectors.access_manageable_worker(
        user=request.user, staff_id=staff_id, source=web.source(request)
    )
    initial = {
        "fte": staff.fte,
        "protected_hours": staff.protected_hours,
        "specialisms": [s.code for s in staff.specialisms.all()],
        "languages": ", ".join(x.title() for x in staff.languages or ()),
        "version": staff.version,
    }
    form = CapacityForm(_posted(request), initial=initial)
    stale: StaleRecord | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with web.errors_onto(form) as outcome:
            services.update_worker_capacity(
                actor=request.user,
                worker_id=staff.pk,
                fte=data["fte"],
                protected_hours=data["protected_hours"],
                specialism_codes=data["specialisms"],
                languages=data["languages"],
                expected_version=data["version"],
                source=web.source(request),
            )
        if outcome.ok:
            messages.success(request, "Capacity details saved")
            return redirect(_worker_url(staff.pk))
        if isinstance(outcome.error, StaleRecord):
            stale = outcome.error
            keep_typed_over(form, stale)
    return web.render_form(
        request,
        "workforce/capacity_form.html",
        {"staff": staff, "form": form, "stale": stale},
    )


@login_required
def reassign(request: HttpRequest, staff_id: int) -> HttpResponse:
    """A manager hands a leaver's or long-absent worker's open cases to others at once."""
    staff = selectors.access_manageable_worker(
        user=request.user, staff_id=staff_id, source=web.source(request)
    )
    plan = selectors.reassignment_plan(staff=staff)
    form = ReassignForm(
        _posted(request),
        cases=plan.cases,
        choices=plan.choices(),
        suggestions=plan.suggestions,
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.chosen()
        field_map = {f"case-{case_id}": f"worker-{case_id}" for case_id, _, _ in chosen}
        field_map["cases"] = "reason"
        with web.errors_onto(form, field_map=field_map) as outcome:
            services.reassign_caseload(
                actor=request.user,
                worker_id=staff.pk,
                reassignments=[
                    services.Reassignment(case_id=c, new_worker_id=w, reason=r)
                    for c, w, r in chosen
                ],
                reason=form.cleaned_data["reason"],
                source=web.source(request),
            )
        if outcome.ok:
            messages.success(
                request,
                f"{len(chosen)} case{'' if len(chosen) == 1 else 's'} reassigned; "
                "each new key worker has been told",
            )
            return redirect(_worker_url(staff.pk))
    return web.render_form(
        request, "workforce/reassign.html", {"staff": staff, "plan": plan, "form": form}
    )
