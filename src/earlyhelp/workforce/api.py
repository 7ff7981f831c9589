"""Workforce capacity in the API: a worker's load, a team's capacity, absences, capacity
details and the bulk reassignment of a worker's open cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from earlyhelp.core.pagination import Page, paginate
from earlyhelp.workforce import selectors, services
from earlyhelp.workforce.capacity import WorkerLoad, worker_loads
from earlyhelp.workforce.models import Absence

router = Router(tags=["Workforce"])


# Loads are for the working weeks around now: a day further off is refused (422).
FURTHEST_DAY = dt.timedelta(days=5 * 366)


def _source(request) -> str:
    return f"API {request.method} {request.path}"


def _day(on: dt.date | None) -> dt.date | None:
    """The day asked about, or a 422 problem when it is years away."""
    if on is not None and abs(on - timezone.localdate()) > FURTHEST_DAY:
        raise ValidationError({"on": ["Choose a day within 5 years of today"]})
    return on


class FlagsOut(Schema):
    capacity_slots: float = Field(
        description="Visit slots this week: 11 x FTE less leave and protected time"
    )
    demand_slots: float = Field(description="Visits a week the open cases need")
    headroom_slots: float
    caseload_limit: float = Field(description="18 x FTE")
    headroom_cases: int
    over_caseload: bool
    over_capacity: bool


class WorkerLoadOut(Schema):
    staff_id: int
    user_id: int
    name: str
    team_id: int | None
    district_id: int | None
    fte: Decimal
    protected_hours: Decimal
    open_cases: int
    open_cases_by_type: dict[str, int] = Field(
        description='Open cases by case type code; "assessment" for cases with no type yet'
    )
    flags: FlagsOut
    headroom_cases: int = Field(description="0 when absent all week")
    headroom_slots: float
    specialisms: list[str]
    languages: list[str]
    absent_on: bool
    absent_days_in_week: int
    working_days_in_week: int
    version: int = Field(description="Of the capacity details: send it back to change them")


def _load_out(load: WorkerLoad) -> dict:
    return {
        **{
            name: getattr(load, name)
            for name in (
                "staff_id",
                "user_id",
                "name",
                "team_id",
                "district_id",
                "fte",
                "protected_hours",
                "open_cases",
                "absent_on",
                "absent_days_in_week",
                "working_days_in_week",
                "headroom_cases",
                "headroom_slots",
                "version",
            )
        },
        "open_cases_by_type": {
            (code or "assessment"): n for code, n in load.open_cases_by_type.items()
        },
        "flags": load.flags.__dict__,
        "specialisms": sorted(load.specialisms),
        "languages": sorted(load.languages),
    }


class TeamRowOut(Schema):
    load: WorkerLoadOut
    overdue_visits: int
    overdue_reviews: int
    visits_due_this_week: int
    reviews_due_soon: int
    flags: list[str] = Field(description="Over caseload, Over capacity, Absent")


class TeamCapacityOut(Schema):
    team_id: int
    team: str
    on: dt.date
    sort: str
    descending: bool
    workers: list[TeamRowOut]


class AbsenceIn(Schema):
    kind: str = Field(description="annual_leave, sickness or other")
    start_date: dt.date
    end_date: dt.date = Field(description="The last day away, on or after start_date")
    note: str = ""


class AbsenceOut(Schema):
    id: int
    worker_id: int
    kind: str
    start_date: dt.date
    end_date: dt.date
    note: str
    recorded_at: dt.datetime
    cancelled_at: dt.datetime | None


class CapacityIn(Schema):
    fte: Decimal = Field(description="More than 0 and at most 1.0")
    protected_hours: Decimal = Field(Decimal(0), description="Hours a week free of visits")
    specialisms: list[str] = Field([], description="Configured specialism codes")
    languages: list[str] = []
    expected_version: int | None = Field(
        None,
        description="The `version` you read (from the worker's load); if someone has saved "
        "since, the answer is 409 with `current_version` and the `differences`",
    )


class ReassignmentIn(Schema):
    case_id: int
    new_worker_id: int = Field(description="The new key worker's user id")
    reason: str = Field("", description="Required when the new worker has no headroom")


class BulkReassignmentIn(Schema):
    reason: str = Field(description="Why the cases are moving (leaving, long-term sickness)")
    cases: list[ReassignmentIn]


class ReassignedCaseOut(Schema):
    case_id: int
    urn: str
    key_worker_id: int
    team_id: int


def _absence_out(absence: Absence) -> dict:
    return {
        "id": absence.pk,
        "worker_id": absence.worker_id,
        "kind": absence.kind,
        "start_date": absence.start_date,
        "end_date": absence.end_date,
        "note": absence.note,
        "recorded_at": absence.recorded_at,
        "cancelled_at": absence.cancelled_at,
    }


@router.get("/workers/{staff_id}/load", response=WorkerLoadOut, summary="A worker's load")
def worker_load(request, staff_id: int, on: dt.date | None = None):
    """Open cases by type, capacity and headroom in the week of `on` (today by default).
    A worker sees their own; their managers see their team's."""
    staff = selectors.access_worker(user=request.auth, staff_id=staff_id, source=_source(request))
    return _load_out(worker_loads([staff], on=_day(on))[staff.pk])


@router.get("/teams/{team_id}/capacity", response=TeamCapacityOut, summary="A team's capacity")
def team_capacity(request, team_id: int, sort: str = "name", on: dt.date | None = None):
    """Each case-holding worker's load, headroom, flags and overdue visits and reviews.
    `sort` is a column (name, fte, cases, headroom, slots, flags, visits, reviews); a
    leading minus sorts descending."""
    team = selectors.access_team(user=request.auth, team_id=team_id, source=_source(request))
    capacity = selectors.team_capacity(team=team, on=_day(on), sort=sort)
    return {
        "team_id": team.pk,
        "team": team.name,
        "on": capacity.on,
        "sort": capacity.sort,
        "descending": capacity.descending,
        "workers": [
            {
                "load": _load_out(row.load),
                "overdue_visits": row.overdue_visits,
                "overdue_reviews": row.overdue_reviews,
                "visits_due_this_week": row.visits_due_this_week,
                "reviews_due_soon": row.reviews_due_soon,
                "flags": row.flags,
            }
            for row in capacity.rows
        ],
    }


@router.get(
    "/workers/{staff_id}/absences", response=Page[AbsenceOut], summary="A worker's absences"
)
def list_absences(request, staff_id: int, include_cancelled: bool = False, page: int = 1):
    """Latest first."""
    staff = selectors.access_worker(user=request.auth, staff_id=staff_id, source=_source(request))
    absences = Absence.objects.filter(worker=staff).order_by("-start_date", "-pk")
    if not include_cancelled:
        absences = absences.filter(cancelled_at__isnull=True)
    return paginate(absences, page, _absence_out)


@router.post(
    "/workers/{staff_id}/absences", response={201: AbsenceOut}, summary="Record an absence"
)
def record_absence(request, staff_id: int, payload: AbsenceIn):
    """A manager records leave, sickness or other absence; end before start is refused."""
    absence = services.record_absence(
        actor=request.auth, worker_id=staff_id, source=_source(request), **payload.dict()
    )
    return Status(201, _absence_out(absence))


@router.post("/absences/{absence_id}/cancel", response=AbsenceOut, summary="Cancel an absence")
def cancel_absence(request, absence_id: int):
    absence = services.cancel_absence(
        actor=request.auth, absence_id=absence_id, source=_source(request)
    )
    return _absence_out(absence)


@router.put("/workers/{staff_id}/capacity", response=WorkerLoadOut, summary="Set capacity details")
def set_capacity(request, staff_id: int, payload: CapacityIn):
    """A manager sets a worker's FTE (more than 0, at most 1.0), protected hours,
    specialisms and languages."""
    staff = services.update_worker_capacity(
        actor=request.auth,
        worker_id=staff_id,
        fte=payload.fte,
        protected_hours=payload.protected_hours,
        specialism_codes=payload.specialisms,
        languages=payload.languages,
        expected_version=payload.expected_version,
        source=_source(request),
    )
    return _load_out(worker_loads([staff])[staff.pk])


@router.post(
    "/workers/{staff_id}/reassignments",
    response=list[ReassignedCaseOut],
    summary="Reassign a worker's open cases",
)
def reassign_caseload(request, staff_id: int, payload: BulkReassignmentIn):
    """Hand a leaver's or long-absent worker's open cases to others in one transaction.
    A new worker without headroom is refused (422) unless that line gives a reason."""
    cases = services.reassign_caseload(
        actor=request.auth,
        worker_id=staff_id,
        reassignments=[
            services.Reassignment(case_id=c.case_id, new_worker_id=c.new_worker_id, reason=c.reason)
            for c in payload.cases
        ],
        reason=payload.reason,
        source=_source(request),
    )
    return [
        {"case_id": c.pk, "urn": c.urn, "key_worker_id": c.key_worker_id, "team_id": c.team_id}
        for c in cases
    ]
