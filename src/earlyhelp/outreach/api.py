"""Outreach and detached sessions, Talkzone contacts and rota, and reach in the API."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from earlyhelp.audit.services import record_denied
from earlyhelp.core.pagination import Page, paginate
from earlyhelp.outreach import selectors, services
from earlyhelp.outreach.reach import ReachCounts, ReachReport, reach_report

router = Router(tags=["Outreach and detached work"])
talkzone_router = Router(tags=["Talkzone"])


def _source(request) -> str:
    return f"API {request.method} {request.path}"


def _require(request, permission: str, object_type: str) -> None:
    if not request.auth.has_perm(permission):
        record_denied(
            actor=request.auth, object_type=object_type, object_id="", source=_source(request)
        )
        raise PermissionDenied("Your role cannot do this.")


def _check_dates(**dates: dt.date | None) -> None:
    """Refuse dates outside the years the service can have records for."""
    errors = {
        name: [
            f"Give a date from {selectors.EARLIEST_DATE:%d %B %Y} to "
            f"{selectors.LATEST_DATE:%d %B %Y}"
        ]
        for name, value in dates.items()
        if value is not None and not selectors.date_in_range(value)
    }
    if errors:
        raise ValidationError(errors)


def _period(since: dt.date | None, until: dt.date | None, days: int) -> tuple[dt.date, dt.date]:
    _check_dates(since=since, until=until)
    until = until or timezone.localdate()
    since = since or until - dt.timedelta(days=days - 1)
    if until < since:
        raise ValidationError({"until": ["The end of the period must be on or after its start"]})
    return since, until


# ---------------------------------------------------------------- outreach sessions


class OutreachSessionIn(Schema):
    kind: str = Field(description="outreach or detached")
    district_id: int
    area: str = Field(description="The neighbourhood, village or estate")
    priority_neighbourhood: bool = False
    venue_type: str = Field(description="partner_venue, village_hall, mobile_vehicle or street")
    venue_name: str = ""
    starts_at: dt.datetime
    ends_at: dt.datetime
    worker_ids: list[int] = Field(description="Staff member ids of the workers present")
    contact_counts: dict[str, int] = Field(
        default_factory=dict, description="Anonymous contacts by age band code"
    )
    issue_codes: list[str] = []
    people_met_ids: list[int] = []
    request_ids: list[int] = Field(default_factory=list, description="Requests for Support made")
    follow_ups: int = 0
    notes: str = ""


class OutreachWorkerOut(Schema):
    id: int
    name: str


class OutreachSessionOut(Schema):
    id: int
    kind: str
    district_id: int
    district: str
    area: str
    priority_neighbourhood: bool
    venue_type: str
    venue_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    workers: list[OutreachWorkerOut]
    issues: list[str]
    contacts: int
    follow_ups: int


class SessionDetailOut(OutreachSessionOut):
    contact_counts: dict[str, int]
    people_met_ids: list[int]
    request_ids: list[int]
    notes: str


def _session_out(session, *, detail: bool = False) -> dict:
    out = {
        "id": session.pk,
        "kind": session.kind,
        "district_id": session.district_id,
        "district": session.district.name,
        "area": session.area,
        "priority_neighbourhood": session.priority_neighbourhood,
        "venue_type": session.venue_type,
        "venue_name": session.venue_name,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "workers": [
            {"id": w.pk, "name": w.user.get_full_name() or w.user.email}
            for w in session.workers.all()
        ],
        "issues": [i.code for i in session.issues.all()],
        "follow_ups": session.follow_ups,
    }
    if detail:
        counts = {c.age_band.code: c.count for c in session.contact_counts.all()}
        out |= {
            "contacts": sum(counts.values()),
            "contact_counts": counts,
            "people_met_ids": [p.pk for p in session.people_met.all()],
            "request_ids": [r.pk for r in session.requests_for_support.all()],
            "notes": session.notes,
        }
    else:
        out["contacts"] = session.contacts
    return out


@router.get(
    "/sessions", response=Page[OutreachSessionOut], summary="Outreach and detached sessions"
)
def list_sessions(
    request,
    since: dt.date | None = None,
    until: dt.date | None = None,
    district_id: int | None = None,
    page: int = 1,
):
    """Sessions from `since` to `until` (the last 90 days by default), newest first."""
    _require(request, "outreach.view_outreachsession", "outreach.outreachsession")
    since, until = _period(since, until, 90)
    sessions = selectors.session_list(district_id=district_id, since=since, until=until)
    return paginate(sessions, page, _session_out)


@router.post("/sessions", response={201: SessionDetailOut}, summary="Record a session")
def record_session(request, payload: OutreachSessionIn):
    """Record an outreach or detached session. 409 `worker_double_booked` when a worker is
    already on another session at the same time; 422 for an end before the start or a
    session that has not started yet."""
    session = services.record_outreach_session(
        actor=request.auth,
        data=services.SessionInput(
            **payload.dict(exclude={"worker_ids", "issue_codes", "people_met_ids", "request_ids"}),
            worker_ids=tuple(payload.worker_ids),
            issue_codes=tuple(payload.issue_codes),
            people_met_ids=tuple(payload.people_met_ids),
            request_ids=tuple(payload.request_ids),
        ),
        source=_source(request),
    )
    return _session_out(selectors.session_detail(session_id=session.pk), detail=True)


@router.get("/sessions/{session_id}", response=SessionDetailOut, summary="One session")
def get_session(request, session_id: int):
    _require(request, "outreach.view_outreachsession", "outreach.outreachsession")
    return _session_out(selectors.session_detail(session_id=session_id), detail=True)


class AreaMonthOut(Schema):
    month: dt.date
    sessions: int
    contacts: int


class AreaOut(Schema):
    district: str
    area: str
    priority_neighbourhood: bool
    sessions: int
    contacts: int
    months: list[AreaMonthOut]


@router.get("/areas", response=list[AreaOut], summary="Areas served, by month")
def areas_served(
    request,
    since: dt.date | None = None,
    until: dt.date | None = None,
    district_id: int | None = None,
):
    """Sessions and anonymous contacts in each area by month (the last 180 days by
    default)."""
    _require(request, "outreach.view_outreachsession", "outreach.outreachsession")
    since, until = _period(since, until, 180)
    table = selectors.areas_served(since=since, until=until, district_id=district_id)
    return [
        {
            "district": row.district,
            "area": row.area,
            "priority_neighbourhood": row.priority,
            "sessions": row.sessions,
            "contacts": row.contacts,
            "months": [
                {"month": month, **cell}
                for month, cell in zip(table.months, row.months, strict=True)
            ],
        }
        for row in table.rows
    ]


class CountsOut(Schema):
    families: int
    young_people: int
    people: int


class ReachRowOut(Schema):
    label: str
    detail: str
    counts: CountsOut


class ReachOut(Schema):
    since: dt.date
    until: dt.date
    district_id: int | None
    total: CountsOut
    by_source: list[ReachRowOut]
    by_district: list[ReachRowOut]
    by_centre: list[ReachRowOut]
    by_target_group: list[ReachRowOut]
    by_priority: list[ReachRowOut]
    anonymous_outreach_contacts: int
    anonymous_talkzone_contacts: int
    groups_included: bool


def _counts(counts: ReachCounts) -> dict:
    return {
        "families": counts.families,
        "young_people": counts.young_people,
        "people": counts.people,
    }


def _reach_out(report: ReachReport) -> dict:
    def rows(items):
        return [{"label": r.label, "detail": r.detail, "counts": _counts(r.counts)} for r in items]

    return {
        "since": report.since,
        "until": report.until,
        "district_id": report.district.pk if report.district else None,
        "total": _counts(report.total),
        "by_source": rows(report.by_source),
        "by_district": rows(report.by_district),
        "by_centre": rows(report.by_centre),
        "by_target_group": rows(report.by_target_group),
        "by_priority": rows(report.by_priority),
        "anonymous_outreach_contacts": report.anonymous_outreach_contacts,
        "anonymous_talkzone_contacts": report.anonymous_talkzone_contacts,
        "groups_included": report.groups_included,
    }


@router.get("/reach", response=ReachOut, summary="Unique families and young people reached")
def reach(
    request,
    since: dt.date | None = None,
    until: dt.date | None = None,
    district_id: int | None = None,
):
    """Unique families and young people reached across casework, groups, outreach and
    Talkzone (the last 90 days by default); a person reached several ways counts once."""
    _require(request, "outreach.view_reach", "outreach.reach")
    since, until = _period(since, until, 90)
    return _reach_out(reach_report(since=since, until=until, district_id=district_id))


# ---------------------------------------------------------------- Talkzone


class TalkzoneContactIn(Schema):
    channel: str = Field(description="phone, sms, email, webtalk or social_media")
    occurred_at: dt.datetime = Field(description="With its time zone; not in the future")
    topic_code: str
    outcome: str = Field(description="information, advice, signposting or follow_up")
    summary: str
    person_id: int | None = Field(None, description="A person you may see; empty if anonymous")
    age_band_code: str = ""
    district_id: int | None = None


class TalkzoneContactOut(Schema):
    id: int
    channel: str
    occurred_at: dt.datetime
    in_hours: bool
    topic: str
    outcome: str
    anonymous: bool
    person_id: int | None
    age_band: str | None
    district_id: int | None
    request_id: int | None


class ContactDetailOut(TalkzoneContactOut):
    summary: str


def _contact_out(contact, *, detail: bool = False) -> dict:
    out = {
        "id": contact.pk,
        "channel": contact.channel,
        "occurred_at": contact.occurred_at,
        "in_hours": contact.in_hours,
        "topic": contact.topic.code,
        "outcome": contact.outcome,
        "anonymous": contact.person_id is None,
        "person_id": contact.person_id,
        "age_band": contact.age_band.code if contact.age_band_id else None,
        "district_id": contact.district_id,
        "request_id": contact.request_for_support_id,
    }
    if detail:
        out["summary"] = contact.summary
    return out


@talkzone_router.get("/contacts", response=Page[TalkzoneContactOut], summary="The contact log")
def list_contacts(
    request,
    since: dt.date | None = None,
    until: dt.date | None = None,
    channel: str = "",
    in_hours: bool | None = None,
    page: int = 1,
):
    """Talkzone contacts (the last 30 days by default), newest first."""
    _require(request, "outreach.view_talkzonecontact", "outreach.talkzonecontact")
    since, until = _period(since, until, 30)
    contacts = selectors.contact_log(since=since, until=until, channel=channel, in_hours=in_hours)
    return paginate(contacts, page, _contact_out)


@talkzone_router.post("/contacts", response={201: ContactDetailOut}, summary="Log a contact")
def record_contact(request, payload: TalkzoneContactIn):
    """Log a contact. In or out of hours is worked out from the configured opening hours.
    422 for a time in the future or a person you may not see."""
    contact = services.record_talkzone_contact(
        actor=request.auth, data=services.ContactInput(**payload.dict()), source=_source(request)
    )
    return _contact_out(selectors.contact_log().get(pk=contact.pk), detail=True)


@talkzone_router.get("/contacts/{contact_id}", response=ContactDetailOut, summary="One contact")
def get_contact(request, contact_id: int):
    contact = selectors.access_contact(
        user=request.auth, contact_id=contact_id, source=_source(request)
    )
    return _contact_out(contact, detail=True)


class DraftMemberOut(Schema):
    first_name: str
    last_name: str
    date_of_birth: dt.date | None
    gender: str


class RequestDraftOut(Schema):
    talkzone_contact: int
    route: str
    received_on: dt.date
    received_time: str
    referrer_name: str
    referrer_organisation: str
    presenting_needs: str
    postcode: str = ""
    member: DraftMemberOut | None


@talkzone_router.get(
    "/contacts/{contact_id}/request-draft",
    response=RequestDraftOut,
    summary="A Request for Support pre-filled from a contact",
)
def request_draft(request, contact_id: int):
    """What a Request for Support made from this contact starts with. Send the request to
    `POST /api/v1/requests`, then link it with `POST .../request`."""
    try:
        return selectors.request_draft_for_contact(
            user=request.auth, contact_id=contact_id, source=_source(request)
        )
    except selectors.RequestAlreadyMade as error:
        raise services.ContactAlreadyLinked(str(error)) from error


class LinkIn(Schema):
    request_id: int


@talkzone_router.post(
    "/contacts/{contact_id}/request",
    response=ContactDetailOut,
    summary="Record the Request for Support a contact became",
)
def link_request(request, contact_id: int, payload: LinkIn):
    """The contact's outcome becomes `rfs_created`. 409 if it already has a request."""
    services.link_contact_request(
        actor=request.auth,
        contact_id=contact_id,
        request_id=payload.request_id,
        source=_source(request),
    )
    return _contact_out(selectors.contact_log().get(pk=contact_id), detail=True)


class ShiftIn(Schema):
    worker_id: int = Field(description="Staff member id of a Talkzone worker")
    starts_at: dt.datetime
    ends_at: dt.datetime


class ShiftOut(Schema):
    id: int
    worker_id: int
    worker: str
    starts_at: dt.datetime
    ends_at: dt.datetime


class HourOut(Schema):
    start: dt.datetime
    end: dt.datetime
    workers: int
    covered: bool


class TalkzoneRotaOut(Schema):
    week_start: dt.date
    shifts: list[ShiftOut]
    hours: list[HourOut]
    uncovered_hours: int


def _shift_out(shift) -> dict:
    return {
        "id": shift.pk,
        "worker_id": shift.worker_id,
        "worker": shift.worker.user.get_full_name() or shift.worker.user.email,
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
    }


def _aware(local: dt.datetime) -> dt.datetime:
    return timezone.make_aware(local)


@talkzone_router.get("/rota", response=TalkzoneRotaOut, summary="A week's rota and its coverage")
def rota(request, week: dt.date | None = None):
    """The rota of the week containing `week` (this week by default) and every opening
    hour with the number of workers on for all of it; `covered` is false for a gap."""
    _require(request, "outreach.view_talkzoneshift", "outreach.talkzoneshift")
    _check_dates(week=week)
    rota_week = selectors.rota_week(week_of=week or timezone.localdate())
    return {
        "week_start": rota_week.week_start,
        "shifts": [_shift_out(s) for s in rota_week.shifts],
        "hours": [
            {
                "start": _aware(h.start),
                "end": _aware(h.end),
                "workers": h.workers,
                "covered": h.covered,
            }
            for h in rota_week.coverage
        ],
        "uncovered_hours": len(rota_week.uncovered),
    }


@talkzone_router.post("/rota", response={201: ShiftOut}, summary="Add a shift")
def add_shift(request, payload: ShiftIn):
    """409 `worker_double_booked` if the worker is already on the rota then."""
    shift = services.add_talkzone_shift(
        actor=request.auth,
        worker_id=payload.worker_id,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        source=_source(request),
    )
    return _shift_out(shift)


@talkzone_router.delete("/rota/{shift_id}", response={204: None}, summary="Remove a shift")
def remove_shift(request, shift_id: int):
    services.remove_talkzone_shift(actor=request.auth, shift_id=shift_id, source=_source(request))
    return Status(204, None)
