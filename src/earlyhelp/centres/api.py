"""Centres in the API: centres, the weekly programme and its rota, delivered sessions,
the specification check, the group programme catalogue, runs, enrolments and registers.
Refusals are problem+json (core/api.py): 403, 404, and 422 naming the field."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from earlyhelp.audit.services import record_denied, record_view
from earlyhelp.centres import selectors, services
from earlyhelp.centres.models import POST_FIELDS
from earlyhelp.core.pagination import Page, paginate

router = Router(tags=["Centres"])
VIEW = "centres.view_centre"


def _source(request) -> str:
    return f"API {request.method} {request.path}"


def _may_view(request) -> None:
    if not request.auth.has_perm(VIEW):
        raise PermissionDenied("You cannot see the centres.")


class CentreOut(Schema):
    id: int
    code: str
    name: str
    district: str
    locality: str
    offer: str | None
    shares_offer_of: int | None
    town: str
    postcode: str
    sessions_per_week: int


class RoomOut(Schema):
    id: int
    name: str
    capacity: int


class OpeningOut(Schema):
    weekday: int
    opens_at: dt.time
    closes_at: dt.time


class PartnerOut(Schema):
    kind: str
    name: str


class RotaOut(Schema):
    staff_id: int
    name: str
    post: str


class SessionOut(Schema):
    id: int
    centre_id: int
    weekday: int
    starts_at: dt.time
    ends_at: dt.time
    session_type: str
    title: str
    room_id: int | None
    expected_attendance: int
    group_run_id: int | None
    staff: dict[str, int]
    rota: list[RotaOut]


class CentreDetailOut(CentreOut):
    address_line_1: str
    address_line_2: str
    rooms: list[RoomOut]
    opening_times: list[OpeningOut]
    partners: list[PartnerOut]
    sessions: list[SessionOut]


def _centre_out(centre, sessions: int) -> dict:
    return {
        "id": centre.pk,
        "code": centre.code,
        "name": centre.name,
        "district": centre.district.code,
        "locality": centre.district.locality.code,
        "offer": centre.offer.code if centre.offer_id else None,
        "shares_offer_of": centre.shares_offer_of_id,
        "town": centre.town,
        "postcode": centre.postcode,
        "sessions_per_week": sessions,
    }


def _session_out(session) -> dict:
    return {
        "id": session.pk,
        "centre_id": session.centre_id,
        "weekday": session.weekday,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "session_type": session.session_type,
        "title": session.label,
        "room_id": session.room_id,
        "expected_attendance": session.expected_attendance,
        "group_run_id": session.group_run_id,
        "staff": session.staff_by_post,
        "rota": [
            {"staff_id": e.staff_id, "name": str(e.staff.user), "post": e.post}
            for e in session.rota.all()
        ],
    }


@router.get("", response=Page[CentreOut], summary="Centres, by district")
def list_centres(request, page: int = 1):
    _may_view(request)
    return paginate(selectors.centre_list(), page, lambda c: _centre_out(c, c.session_count))


@router.get("/check", summary="The specification check")
def check(request, week_starting: dt.date | None = None):
    """Sessions planned and delivered against the offers, staff against the model, weeks
    open against the configured year: by county, locality, district and centre."""
    _may_view(request)
    # The last full week by default, as on the page: this week's deliveries are not all in.
    week = week_starting or timezone.localdate() - dt.timedelta(weeks=1)
    result = selectors.specification_check(week_starting=week)

    def row(r) -> dict:
        t = r.tally
        out = {
            "label": r.label,
            "id": r.object_id,
            "offers": t.offers,
            "sessions_required": t.sessions_required,
            "sessions_planned": t.sessions_planned,
            "sessions_delivered": t.sessions_delivered,
            "sessions_cancelled": t.sessions_cancelled,
            "staff_sessions_required": t.staff_sessions_required,
            "staff_sessions_planned": t.staff_sessions_planned,
            "sessions_short_staffed": t.sessions_short_staffed,
            "sessions_by_type_planned": t.by_kind_planned,
            "sessions_by_type_required": t.by_kind_required,
        }
        if r.weeks_open is not None:
            out["weeks_open"] = r.weeks_open
        return out

    return {
        "week_starting": result.week_starting,
        "weeks_required": result.weeks_required,
        "county": row(result.county),
        "localities": [row(r) for r in result.localities],
        "districts": [row(r) for r in result.districts],
        "centres": [row(r) for r in result.centres],
    }


@router.get("/{int:centre_id}", response=CentreDetailOut, summary="A centre and its week")
def centre_detail(request, centre_id: int):
    _may_view(request)
    centre = selectors.centre_detail(centre_id=centre_id)
    if centre is None:
        raise Http404("No such centre.")
    sessions = list(centre.sessions.all())
    return {
        **_centre_out(centre, len(sessions)),
        "address_line_1": centre.address_line_1,
        "address_line_2": centre.address_line_2,
        "rooms": [{"id": r.pk, "name": r.name, "capacity": r.capacity} for r in centre.rooms.all()],
        "opening_times": [
            {"weekday": o.weekday, "opens_at": o.opens_at, "closes_at": o.closes_at}
            for o in centre.opening_times.all()
        ],
        "partners": [{"kind": p.kind, "name": p.name} for p in centre.partners.all()],
        "sessions": [_session_out(s) for s in sessions],
    }


class SessionIn(Schema):
    weekday: int = Field(description="0 Monday ... 6 Sunday")
    starts_at: dt.time
    ends_at: dt.time
    title: str = ""
    room_id: int | None = None
    expected_attendance: int = Field(0, ge=0)
    group_run_id: int | None = None
    staff: dict[str, int] = Field(
        default_factory=dict, description=f"Staff by post: {', '.join(POST_FIELDS.values())}"
    )


@router.post(
    "/{int:centre_id}/sessions", response={201: SessionOut}, summary="Add a weekly session"
)
def add_session(request, centre_id: int, payload: SessionIn):
    session = services.add_programme_session(
        actor=request.auth, centre_id=centre_id, source=_source(request), **payload.dict()
    )
    return Status(201, _session_out(selectors.programme_session(session_id=session.pk)))


@router.get("/sessions/{int:session_id}", response=SessionOut, summary="A weekly session")
def session_detail(request, session_id: int):
    _may_view(request)
    session = selectors.programme_session(session_id=session_id)
    if session is None:
        raise Http404("No such session.")
    return _session_out(session)


@router.post(
    "/sessions/{int:session_id}/withdraw", response=SessionOut, summary="Withdraw a session"
)
def withdraw_session(request, session_id: int):
    services.withdraw_programme_session(
        actor=request.auth, session_id=session_id, source=_source(request)
    )
    return _session_out(selectors.programme_session(session_id=session_id))


class RotaIn(Schema):
    staff_id: int
    post: str = Field(description="grade_6, outreach_a, outreach_b or delivery_support")


@router.post(
    "/sessions/{int:session_id}/rota", response={201: SessionOut}, summary="Add to the rota"
)
def add_rota(request, session_id: int, payload: RotaIn):
    services.add_to_rota(
        actor=request.auth, session_id=session_id, source=_source(request), **payload.dict()
    )
    return Status(201, _session_out(selectors.programme_session(session_id=session_id)))


@router.delete(
    "/sessions/{int:session_id}/rota/{int:staff_id}",
    response={204: None},
    summary="Take off the rota",
)
def remove_rota(request, session_id: int, staff_id: int):
    services.remove_from_rota(
        actor=request.auth, session_id=session_id, staff_id=staff_id, source=_source(request)
    )
    return Status(204, None)


class OccurrenceIn(Schema):
    date: dt.date
    status: str = Field(description="delivered or cancelled")
    cancellation_reason: str = ""
    staff_present: int = Field(0, ge=0)
    attendance: int = Field(0, ge=0)


class OccurrenceOut(Schema):
    id: int
    session_id: int
    date: dt.date
    status: str
    cancellation_reason: str
    staff_present: int
    attendance: int


@router.post(
    "/sessions/{int:session_id}/occurrences",
    response={201: OccurrenceOut},
    summary="Record a session delivered or cancelled",
)
def record_occurrence(request, session_id: int, payload: OccurrenceIn):
    occurrence = services.record_session_occurrence(
        actor=request.auth, session_id=session_id, source=_source(request), **payload.dict()
    )
    return Status(201, occurrence)


# ---------------------------------------------------------------- group programmes


class ProgrammeOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    theme: str
    min_age: int
    max_age: int | None
    number_of_sessions: int
    completion_sessions: int
    is_drop_in: bool
    facilitator_requirements: str
    outcomes: list[int]
    target_groups: list[str]


PROGRAMME_FIELDS = (
    "code", "name", "kind", "theme", "min_age", "max_age", "number_of_sessions",
    "completion_sessions", "is_drop_in", "facilitator_requirements",
)  # fmt: skip


def _programme_out(p) -> dict:
    return {
        **{f: getattr(p, f) for f in PROGRAMME_FIELDS},
        "id": p.pk,
        "outcomes": [o.number for o in p.outcomes.all()],
        "target_groups": [g.code for g in p.target_groups.all()],
    }


@router.get("/programmes", response=Page[ProgrammeOut], summary="The programme catalogue")
def programmes(request, page: int = 1):
    _may_view(request)
    return paginate(selectors.programme_catalogue(), page, _programme_out)


class RunSummaryOut(Schema):
    id: int
    centre_id: int
    venue: str
    starts_on: dt.date
    participants: int


class ProgrammeDetailOut(ProgrammeOut):
    runs: list[RunSummaryOut]


@router.get(
    "/programmes/{int:programme_id}",
    response=ProgrammeDetailOut,
    summary="A programme and its runs",
)
def programme_detail(request, programme_id: int):
    _may_view(request)
    programme = selectors.programme_detail(programme_id=programme_id)
    if programme is None:
        raise Http404("No such programme.")
    return {
        **_programme_out(programme),
        "runs": [
            {
                "id": run.pk,
                "centre_id": run.centre_id,
                "venue": run.venue,
                "starts_on": run.starts_on,
                "participants": run.participant_count,
            }
            for run in programme.runs.all()
        ],
    }


class RunIn(Schema):
    centre_id: int
    starts_on: dt.date
    starts_at: dt.time
    ends_at: dt.time
    partner_venue: str = ""
    facilitator_id: int | None = None
    weeks_between: int = Field(1, ge=1)


class GroupSessionOut(Schema):
    id: int
    number: int
    date: dt.date
    register_taken: bool
    named: int
    head_count: int
    version: int = Field(description="Of the register: send it back to take or correct it")


class ParticipantOut(Schema):
    person_id: int
    name: str
    attended: int
    completed: bool


class RunOut(Schema):
    id: int
    programme: str
    centre_id: int
    venue: str
    starts_on: dt.date
    sessions: list[GroupSessionOut]
    participants: list[ParticipantOut]


def _run_out(run) -> dict:
    return {
        "id": run.pk,
        "programme": run.programme.code,
        "centre_id": run.centre_id,
        "venue": run.venue,
        "starts_on": run.starts_on,
        "sessions": [
            {
                "id": s.pk,
                "number": s.number,
                "date": s.date,
                "register_taken": s.register_taken_at is not None,
                "named": s.named_count,
                "head_count": s.head_count or 0,
                "version": s.version,
            }
            for s in run.sessions.all()
        ],
        "participants": [
            {
                "person_id": c.participant.person_id,
                "name": str(c.participant.person),
                "attended": c.attended,
                "completed": c.completed,
            }
            for c in selectors.run_completion(run=run)
        ],
    }


def _run(request, run_id: int):
    run = selectors.run_detail(run_id=run_id)
    if run is None:
        raise Http404("No such group run.")
    if not request.auth.has_perm(VIEW):
        record_denied(
            actor=request.auth, object_type="centres.grouprun", object_id=run_id,
            source=_source(request),
        )  # fmt: skip
        raise PermissionDenied("You cannot see group runs.")
    record_view(actor=request.auth, instance=run, source=_source(request), code="group_run.viewed")
    return run


@router.post(
    "/programmes/{int:programme_id}/runs", response={201: RunOut}, summary="Run a programme"
)
def create_run(request, programme_id: int, payload: RunIn):
    run = services.create_group_run(
        actor=request.auth, programme_id=programme_id, source=_source(request), **payload.dict()
    )
    return Status(201, _run_out(selectors.run_detail(run_id=run.pk)))


@router.get("/runs/{int:run_id}", response=RunOut, summary="A run, its sessions and participants")
def run_detail(request, run_id: int):
    return _run_out(_run(request, run_id))


class EnrolIn(Schema):
    person_id: int
    consent_given: bool = Field(
        description="Consent to record their attendance by name; without it, head count only"
    )


@router.post("/runs/{int:run_id}/participants", response={201: RunOut}, summary="Add a participant")
def enrol(request, run_id: int, payload: EnrolIn):
    services.enrol_participant(
        actor=request.auth, run_id=run_id, source=_source(request), **payload.dict()
    )
    return Status(201, _run_out(selectors.run_detail(run_id=run_id)))


class RegisterIn(Schema):
    present_person_ids: list[int] = Field(default_factory=list)
    head_counts: dict[str, int] = Field(
        default_factory=dict, description="Everyone present by age band code, named or not"
    )
    expected_version: int | None = Field(
        None,
        description="The register's `version` you read; if someone has saved since, the "
        "answer is 409 with `current_version` and the `differences`",
    )


class RegisterOut(Schema):
    session_id: int
    date: dt.date
    present_person_ids: list[int]
    head_counts: dict[str, int]
    version: int = Field(description="Of the register: send it back to correct it")


@router.put(
    "/group-sessions/{int:session_id}/register", response=RegisterOut, summary="Take a register"
)
def take_register(request, session_id: int, payload: RegisterIn):
    session = services.record_register(
        actor=request.auth, session_id=session_id, source=_source(request), **payload.dict()
    )
    return {
        "session_id": session.pk,
        "date": session.date,
        "present_person_ids": sorted(session.attendances.values_list("person_id", flat=True)),
        "head_counts": dict(session.head_counts.values_list("age_band__code", "count")),
        "version": session.version,
    }
