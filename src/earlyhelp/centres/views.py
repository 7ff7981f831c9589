"""Centre pages: centres by district, a centre's week, the specification check, the
group programme catalogue, runs and their registers (made for a phone: a worker takes a
register in the room). Views parse and authorise; every change is a service call, and a
service's refusal comes back onto the form by its field."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from earlyhelp.audit.services import record_denied, record_view
from earlyhelp.centres import selectors, services
from earlyhelp.centres.forms import (
    EnrolForm,
    GroupRunForm,
    OccurrenceForm,
    ProgrammeSessionForm,
    RegisterForm,
    RotaForm,
)
from earlyhelp.centres.models import WEEKDAYS, SessionType
from earlyhelp.centres.rules import plannable_centres
from earlyhelp.core.concurrency import StaleRecord, keep_typed_over
from earlyhelp.core.errors import DomainError
from earlyhelp.core.forms import error_summary_items

VIEW = "centres.view_centre"
SESSION_TYPE_LABELS = dict(SessionType.choices)


def _source(request: HttpRequest) -> str:
    return request.path


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


class errors_onto:
    """Run a service call; a refusal lands on the form by its field, ``ok`` turns False."""

    def __init__(self, form, *, field_map: dict[str, str] | None = None):
        self.form, self.field_map, self.ok = form, field_map or {}, True
        self.error: Exception | None = None

    def __enter__(self) -> errors_onto:
        return self

    def _field(self, key: str | None) -> str | None:
        if not key:
            return None
        name = self.field_map.get(key, key)
        if name not in self.form.fields and key.startswith("head_counts."):
            name = "band_" + key.partition(".")[2]
        if name not in self.form.fields or self.form.fields[name].widget.is_hidden:
            return None  # in the error summary: a hidden field has nowhere to show it
        return name

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is None or not isinstance(exc, DomainError | ValidationError):
            return False
        self.ok = False
        self.error = exc
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            for key, errors in exc.message_dict.items():
                field = None if key == NON_FIELD_ERRORS else self._field(key)
                self.form.add_error(field, errors)
        elif isinstance(exc, ValidationError):
            self.form.add_error(None, exc.messages)
        else:
            self.form.add_error(self._field(exc.field), exc.message)
        return True


def _render(request: HttpRequest, template: str, context: dict, *forms_) -> HttpResponse:
    summary = error_summary_items(*(forms_ or (context.get("form"),)))
    return render(request, template, {**context, "error_summary": summary})


def _centre(centre_id: int):
    centre = selectors.centre_detail(centre_id=centre_id)
    if centre is None:
        raise Http404("No such centre.")
    return centre


def _require(request: HttpRequest, permission: str, obj, object_type: str, object_id) -> None:
    if not request.user.has_perm(permission, obj):
        record_denied(
            actor=request.user, object_type=object_type, object_id=object_id, source=request.path
        )
        raise PermissionDenied("You cannot do this at this centre.")


# ---------------------------------------------------------------- centres


@login_required
@permission_required(VIEW, raise_exception=True)
def centre_list(request: HttpRequest) -> HttpResponse:
    """Every centre, by district, with its offer and sessions a week."""
    by_district: dict[str, list] = defaultdict(list)
    for centre in selectors.centre_list():
        by_district[centre.district.name].append(centre)
    return render(
        request,
        "centres/centre_list.html",
        {
            "districts": sorted(by_district.items()),
            "can_plan": request.user.has_perm("centres.plan_at_centre"),
        },
    )


def _timetable(centre) -> list[dict]:
    """The week as days, each with its sessions in time order."""
    sessions = list(centre.sessions.all())
    days = []
    for number, name in WEEKDAYS:
        todays = [s for s in sessions if s.weekday == number]
        if todays:
            days.append({"name": name, "sessions": todays})
    return days


@login_required
@permission_required(VIEW, raise_exception=True)
def centre_detail(request: HttpRequest, centre_id: int) -> HttpResponse:
    """A centre: address, offer, rooms, opening, partners and its weekly programme."""
    centre = _centre(centre_id)
    holder = centre.shares_offer_of or centre
    requirements = list(holder.offer.requirements.all()) if holder.offer_id else []
    return render(
        request,
        "centres/centre_detail.html",
        {
            "centre": centre,
            "holder": holder,
            "requirements": requirements,
            "required_total": sum(r.sessions_per_week for r in requirements),
            "days": _timetable(centre),
            "session_count": len(centre.sessions.all()),
            "can_plan": request.user.has_perm("centres.plan_at_centre", centre),
        },
    )


@login_required
def session_new(request: HttpRequest, centre_id: int) -> HttpResponse:
    """Add a weekly session to the centre's timetable."""
    centre = _centre(centre_id)
    _require(request, "centres.plan_at_centre", centre, "centres.centre", centre.pk)
    form = ProgrammeSessionForm(_posted(request), centre=centre)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_onto(form) as outcome:
            session = services.add_programme_session(
                actor=request.user,
                centre_id=centre.pk,
                weekday=data["weekday"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                title=data["title"],
                room_id=data["room"].pk if data["room"] else None,
                expected_attendance=data["expected_attendance"] or 0,
                group_run_id=data["group_run"].pk if data["group_run"] else None,
                staff=form.staff(),
                source=_source(request),
            )
        if outcome.ok:
            messages.success(
                request,
                f"Session added: {session.get_session_type_display().lower()}, "
                f"{session.get_weekday_display()}s {session.starts_at:%H:%M}",
            )
            return redirect("centres:detail", centre.pk)
    return _render(request, "centres/session_form.html", {"centre": centre, "form": form})


def _session(session_id: int):
    session = selectors.programme_session(session_id=session_id)
    if session is None:
        raise Http404("No such session.")
    return session


@login_required
@permission_required(VIEW, raise_exception=True)
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    """A weekly session: its staffing against the offer, rota and recent deliveries."""
    session = _session(session_id)
    return _session_page(request, session, RotaForm(session=session), OccurrenceForm())


def _session_page(request, session, rota_form, occurrence_form) -> HttpResponse:
    holder = session.centre.shares_offer_of or session.centre
    requirement = None
    if holder.offer_id:
        requirement = holder.offer.requirements.filter(session_type=session.session_type).first()
    return _render(
        request,
        "centres/session_detail.html",
        {
            "session": session,
            "requirement": requirement,
            "rota_form": rota_form,
            "occurrence_form": occurrence_form,
            "can_plan": request.user.has_perm("centres.plan_at_centre", session),
            "can_record": request.user.has_perm("centres.record_at_centre", session),
        },
        rota_form,
        occurrence_form,
    )


@login_required
@require_POST
def rota_add(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(session_id)
    _require(request, "centres.plan_at_centre", session, "centres.programmesession", session.pk)
    form = RotaForm(request.POST, session=session)
    if form.is_valid():
        with errors_onto(form) as outcome:
            entry = services.add_to_rota(
                actor=request.user,
                session_id=session.pk,
                staff_id=form.cleaned_data["staff"].pk,
                post=form.cleaned_data["post"],
                source=_source(request),
            )
        if outcome.ok:
            messages.success(request, f"{entry.staff.user} is on the rota")
            return redirect("centres:session", session.pk)
    return _session_page(request, session, form, OccurrenceForm())


@login_required
@require_POST
def rota_remove(request: HttpRequest, session_id: int, staff_id: int) -> HttpResponse:
    session = _session(session_id)
    _require(request, "centres.plan_at_centre", session, "centres.programmesession", session.pk)
    try:
        services.remove_from_rota(
            actor=request.user, session_id=session.pk, staff_id=staff_id, source=_source(request)
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Taken off the rota")
    return redirect("centres:session", session.pk)


@login_required
@require_POST
def session_withdraw(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(session_id)
    _require(request, "centres.plan_at_centre", session, "centres.programmesession", session.pk)
    try:
        services.withdraw_programme_session(
            actor=request.user, session_id=session.pk, source=_source(request)
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("centres:session", session.pk)
    messages.success(request, "Session withdrawn from the timetable")
    return redirect("centres:detail", session.centre_id)


@login_required
@require_POST
def occurrence_record(request: HttpRequest, session_id: int) -> HttpResponse:
    """Record the session on a date as delivered or cancelled."""
    session = _session(session_id)
    _require(request, "centres.record_at_centre", session, "centres.programmesession", session.pk)
    form = OccurrenceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with errors_onto(form) as outcome:
            occurrence = services.record_session_occurrence(
                actor=request.user,
                session_id=session.pk,
                date=data["date"],
                status=data["status"],
                cancellation_reason=data["cancellation_reason"],
                staff_present=data["staff_present"] or 0,
                attendance=data["attendance"] or 0,
                source=_source(request),
            )
        if outcome.ok:
            messages.success(
                request,
                f"Recorded as {occurrence.get_status_display().lower()} on "
                f"{occurrence.date:%-d %B %Y}",
            )
            return redirect("centres:session", session.pk)
    return _session_page(request, session, RotaForm(session=session), form)


# ---------------------------------------------------------------- specification check


def _week_starting(request: HttpRequest) -> dt.date:
    raw = request.GET.get("week", "")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        today = timezone.localdate()
        return today - dt.timedelta(days=today.weekday() + 7)


@login_required
@permission_required(VIEW, raise_exception=True)
def specification_check(request: HttpRequest) -> HttpResponse:
    """Sessions planned and delivered against the offers, by county, locality, district
    and centre; staff against the model; weeks open against the configured year."""
    week = _week_starting(request)
    check = selectors.specification_check(week_starting=week)
    return render(
        request,
        "centres/check.html",
        {
            "check": check,
            "previous_week": (check.week_starting - dt.timedelta(weeks=1)).isoformat(),
            "next_week": (check.week_starting + dt.timedelta(weeks=1)).isoformat(),
            "session_types": SessionType.choices,
        },
    )


# ---------------------------------------------------------------- group programmes


@login_required
@permission_required(VIEW, raise_exception=True)
def programme_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "centres/programme_list.html", {"programmes": selectors.programme_catalogue()}
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = selectors.programme_detail(programme_id=programme_id)
    if programme is None:
        raise Http404("No such programme.")
    return render(
        request,
        "centres/programme_detail.html",
        {"programme": programme, "can_plan": request.user.has_perm("centres.plan_at_centre")},
    )


@login_required
def run_new(request: HttpRequest, programme_id: int) -> HttpResponse:
    """Run a catalogue programme at a centre, with its dated sessions."""
    programme = selectors.programme_detail(programme_id=programme_id)
    if programme is None:
        raise Http404("No such programme.")
    if not request.user.has_perm("centres.plan_at_centre"):
        _require(request, "centres.plan_at_centre", None, "centres.groupprogramme", programme.pk)
    form = GroupRunForm(_posted(request))
    form.fields["centre"].queryset = form.fields["centre"].queryset.filter(
        plannable_centres(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_onto(form) as outcome:
            run = services.create_group_run(
                actor=request.user,
                centre_id=data["centre"].pk,
                programme_id=programme.pk,
                starts_on=data["starts_on"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                partner_venue=data["partner_venue"],
                weeks_between=data["weeks_between"],
                source=_source(request),
            )
        if outcome.ok:
            messages.success(request, f"{programme.name} run created with its sessions")
            return redirect("centres:run", run.pk)
    return _render(request, "centres/run_form.html", {"programme": programme, "form": form})


def _run(request: HttpRequest, run_id: int):
    run = selectors.run_detail(run_id=run_id)
    if run is None:
        raise Http404("No such group run.")
    record_view(actor=request.user, instance=run, source=request.path, code="group_run.viewed")
    return run


@login_required
@permission_required(VIEW, raise_exception=True)
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """A run: its dated sessions with registers, participants and their completion."""
    run = _run(request, run_id)
    return _run_page(request, run, EnrolForm())


def _run_page(request, run, enrol_form) -> HttpResponse:
    return _render(
        request,
        "centres/run_detail.html",
        {
            "run": run,
            "completion": selectors.run_completion(run=run),
            "enrol_form": enrol_form,
            "today": timezone.localdate(),
            "can_record": request.user.has_perm("centres.record_at_centre", run),
        },
        enrol_form,
    )


@login_required
@require_POST
def run_enrol(request: HttpRequest, run_id: int) -> HttpResponse:
    """Enrol a participant found by name and date of birth, with their consent."""
    run = _run(request, run_id)
    _require(request, "centres.record_at_centre", run, "centres.grouprun", run.pk)
    form = EnrolForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with errors_onto(form, field_map={"consent_given": "consent"}) as outcome:
            if not data["consent"]:
                raise services.ProgrammeRuleBroken(
                    "Attendance is only recorded by name with consent. Without it, count "
                    "them in the head count",
                    field="consent",
                )
            person = services.find_person(
                first_name=data["first_name"],
                last_name=data["last_name"],
                date_of_birth=data["date_of_birth"],
            )
            services.enrol_participant(
                actor=request.user,
                run_id=run.pk,
                person_id=person.pk,
                consent_given=data["consent"],
                source=_source(request),
            )
        if outcome.ok:
            messages.success(request, f"{person} is on the register")
            return redirect("centres:run", run.pk)
    return _run_page(request, run, form)


@login_required
def register(request: HttpRequest, session_id: int) -> HttpResponse:
    """Take a session's register: named participants present, and everyone by age band."""
    session = selectors.group_session_for_register(session_id=session_id)
    if session is None:
        raise Http404("No such group session.")
    _require(request, "centres.record_at_centre", session, "centres.groupsession", session.pk)
    record_view(
        actor=request.user, instance=session, source=request.path, code="group_register.viewed"
    )
    bands = selectors.age_bands()
    form = RegisterForm(_posted(request), session=session, bands=bands)
    first_band = f"band_{bands[0].code}" if bands else None
    stale: StaleRecord | None = None
    if request.method == "POST" and form.is_valid():
        present = [int(pk) for pk in form.cleaned_data["present"]]
        with errors_onto(
            form, field_map={"head_counts": first_band or "present", "person": "present"}
        ) as outcome:
            services.record_register(
                actor=request.user,
                session_id=session.pk,
                present_person_ids=present,
                head_counts=form.head_counts(),
                expected_version=form.cleaned_data["version"],
                source=_source(request),
            )
        if isinstance(outcome.error, StaleRecord):
            stale = outcome.error
            keep_typed_over(form, stale)
        if outcome.ok:
            messages.success(
                request,
                f"Register saved: {len(present)} named, {sum(form.head_counts().values())} "
                "in the head count",
            )
            return redirect(reverse("centres:run", args=[session.run_id]))
    return _render(
        request,
        "centres/register.html",
        {
            "session": session,
            "form": form,
            "happened": session.date <= timezone.localdate(),
            "stale": stale,
        },
    )
