"""Reads of workers' capacity for the worker and team pages and the API: each worker's
load, the visits and reviews their cases need, the annual view, and who may see what.
Query counts do not grow with the number of workers or cases."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.audit.services import record_denied, record_view
from earlyhelp.cases.models import VISIT_TYPES, Case, Contact, Status
from earlyhelp.configuration.models import CaseType
from earlyhelp.domain.caseload import (
    AnnualView,
    CaseloadRules,
    annual_view,
    next_visit_due,
    visit_every_weeks,
)
from earlyhelp.people.selectors import FamilyAccessDenied
from earlyhelp.workforce.capacity import WorkerLoad, caseload_rules, week_of, worker_loads
from earlyhelp.workforce.models import CASEWORKER_ROLES, Absence, StaffMember, Team

# How far ahead a review counts as "due soon" on the pages.
REVIEW_DUE_SOON_DAYS = 14


class WorkerAccessDenied(FamilyAccessDenied):
    """The user may not see this worker's capacity or manage it."""


# ---------------------------------------------------------------- visits and reviews


@dataclass(frozen=True)
class CaseDue:
    """One open case with when its next visit and review are due."""

    case_id: int
    urn: str
    family_name: str
    case_type: str | None
    status: str
    visit_due_on: dt.date | None
    review_due_on: dt.date | None
    today: dt.date

    @property
    def visit_overdue(self) -> bool:
        return self.visit_due_on is not None and self.visit_due_on < self.today

    @property
    def review_overdue(self) -> bool:
        return self.review_due_on is not None and self.review_due_on < self.today

    @property
    def visit_due_this_week(self) -> bool:
        return self.visit_due_on is not None and (
            self.today <= self.visit_due_on <= week_of(self.today)[1]
        )

    @property
    def review_due_soon(self) -> bool:
        return self.review_due_on is not None and (
            self.today <= self.review_due_on <= self.today + dt.timedelta(REVIEW_DUE_SOON_DAYS)
        )


def case_dues(
    user_ids: Iterable[int], *, today: dt.date, rules: CaseloadRules
) -> dict[int, list[CaseDue]]:
    """Each key worker's open cases (by user id) with their visit and review due dates,
    in one query."""
    # The last visit as a subquery per case rather than a join and GROUP BY over every
    # contact: the planner then reads the few open cases by the partial index and each
    # one's latest visit backwards along (case, occurred_at), instead of hashing the
    # whole family table. (occurred_at is never null, so this is the latest visit.)
    last_visit = Contact.objects.filter(case=OuterRef("pk"), contact_type__in=VISIT_TYPES).order_by(
        "-occurred_at"
    )[:1]
    rows = (
        Case.objects.filter(key_worker_id__in=list(user_ids))
        .exclude(status=Status.CLOSED)
        .annotate(last_visit=Subquery(last_visit.values("occurred_at")))
        .order_by("initial_visit_due_by", "pk")
        .values(
            "pk",
            "key_worker_id",
            "urn",
            "family__name",
            "status",
            "case_type__code",
            "initial_visit_due_by",
            "initial_visit_on",
            "next_review_due_by",
            "last_visit",
        )
    )
    found: dict[int, list[CaseDue]] = defaultdict(list)
    for row in rows:
        every = visit_every_weeks(rules, row["case_type__code"])
        last_visit = timezone.localdate(row["last_visit"]) if row["last_visit"] else None
        visit_due = (
            next_visit_due(
                initial_visit_due_by=row["initial_visit_due_by"],
                initial_visit_on=row["initial_visit_on"],
                last_visit_on=last_visit,
                visit_every_weeks=every,
            )
            if every is not None or row["initial_visit_on"] is None
            else None
        )
        found[row["key_worker_id"]].append(
            CaseDue(
                case_id=row["pk"],
                urn=row["urn"],
                family_name=row["family__name"],
                case_type=row["case_type__code"],
                status=row["status"],
                visit_due_on=visit_due,
                review_due_on=row["next_review_due_by"],
                today=today,
            )
        )
    return found


# ---------------------------------------------------------------- the team view


@dataclass(frozen=True)
class WorkerRow:
    """A worker's line on the team page."""

    staff: StaffMember
    load: WorkerLoad
    dues: list[CaseDue]

    @property
    def overdue_visits(self) -> int:
        return sum(1 for d in self.dues if d.visit_overdue)

    @property
    def overdue_reviews(self) -> int:
        return sum(1 for d in self.dues if d.review_overdue)

    @property
    def visits_due_this_week(self) -> int:
        return sum(1 for d in self.dues if d.visit_due_this_week)

    @property
    def reviews_due_soon(self) -> int:
        return sum(1 for d in self.dues if d.review_due_soon)

    @property
    def flags(self) -> list[str]:
        """Plain words for what needs a manager's attention."""
        words = []
        if self.load.flags.over_caseload:
            words.append("Over caseload")
        if self.load.flags.over_capacity:
            words.append("Over capacity")
        if self.load.absent_on:
            words.append("Absent")
        return words


# Sortable columns: key -> (heading, value of a row to sort by).
SORT_COLUMNS: dict[str, tuple[str, object]] = {
    "name": ("Worker", lambda r: (r.staff.user.last_name.lower(), r.staff.user.first_name.lower())),
    "fte": ("FTE", lambda r: r.load.fte),
    "cases": ("Open cases", lambda r: r.load.open_cases),
    "headroom": ("Headroom (cases)", lambda r: r.load.headroom_cases),
    "slots": ("Visits needed of slots this week", lambda r: r.load.headroom_slots),
    "flags": ("Flags", lambda r: len(r.flags)),
    "visits": ("Overdue visits", lambda r: r.overdue_visits),
    "reviews": ("Overdue reviews", lambda r: r.overdue_reviews),
}
DEFAULT_SORT = "name"


@dataclass(frozen=True)
class TeamCapacity:
    team: Team
    on: dt.date
    rows: list[WorkerRow]
    sort: str
    descending: bool
    totals: dict[str, float] = field(default_factory=dict)
    caseload_per_fte: float = 18.0
    slots_per_week: float = 11.0


def parse_sort(value: str | None) -> tuple[str, bool]:
    """``?sort=headroom`` ascending, ``?sort=-headroom`` descending; unknown: by name."""
    value = (value or "").strip()
    descending = value.startswith("-")
    key = value.lstrip("-")
    if key not in SORT_COLUMNS:
        return DEFAULT_SORT, False
    return key, descending


def team_members(team: Team) -> QuerySet[StaffMember]:
    """The team's active case-holding workers."""
    return (
        StaffMember.objects.filter(
            team=team,
            user__is_active=True,
            user__groups__name__in=[r.value for r in CASEWORKER_ROLES],
        )
        .select_related("user", "team")
        .distinct()
    )


def team_capacity(
    *, team: Team, on: dt.date | None = None, sort: str | None = None
) -> TeamCapacity:
    """Every case-holding worker of the team with load, headroom, flags and overdue
    visits and reviews, sorted by a column."""
    on = on or timezone.localdate()
    rules = caseload_rules()
    staff = list(team_members(team).order_by("user__last_name", "user__first_name", "pk"))
    loads = worker_loads(staff, on=on, rules=rules)
    dues = case_dues((s.user_id for s in staff), today=on, rules=rules)
    rows = [WorkerRow(staff=s, load=loads[s.pk], dues=dues.get(s.user_id, [])) for s in staff]
    key, descending = parse_sort(sort)
    rows.sort(key=SORT_COLUMNS[key][1], reverse=descending)
    totals = {
        "fte": float(sum((r.load.fte for r in rows), 0)),
        "cases": sum(r.load.open_cases for r in rows),
        "headroom": sum(max(r.load.headroom_cases, 0) for r in rows),
        "capacity": sum(r.load.flags.capacity_slots for r in rows),
        "demand": sum(r.load.flags.demand_slots for r in rows),
        "visits": sum(r.overdue_visits for r in rows),
        "reviews": sum(r.overdue_reviews for r in rows),
    }
    return TeamCapacity(team=team, on=on, rows=rows, sort=key, descending=descending, totals=totals)


def teams_managed_by(user) -> QuerySet[Team]:
    """The teams whose capacity the user sees: their own as team manager, their
    locality's as locality manager, all as head of service."""
    teams = Team.objects.select_related("district__locality", "manager").order_by("name")
    if not user.is_authenticated:
        return teams.none()
    if user.has_role(Role.HEAD_OF_SERVICE):
        return teams
    rule = Q(manager=user)
    staff = getattr(user, "staff", None)
    if user.has_role(Role.LOCALITY_MANAGER) and staff is not None and staff.locality_id:
        rule |= Q(district__locality_id=staff.locality_id)
    if not user.has_role(Role.OPERATIONS_DELIVERY_LEADER, Role.LOCALITY_MANAGER):
        return teams.none()
    return teams.filter(rule)


def access_team(*, user, team_id: int, source: str) -> Team:
    """A team whose capacity the user may see; a refusal is audited."""
    team = Team.objects.select_related("district__locality", "manager").filter(pk=team_id).first()
    if team is None:
        raise Http404("No team with that reference.")
    if not user.has_perm("workforce.view_team_capacity", team):
        record_denied(actor=user, object_type="workforce.team", object_id=team_id, source=source)
        raise WorkerAccessDenied("You do not manage this team.")
    return team


# ---------------------------------------------------------------- the worker view


@dataclass(frozen=True)
class CaseTypeBar:
    code: str | None
    label: str
    count: int
    visits_per_week: float


@dataclass(frozen=True)
class WorkerCapacity:
    staff: StaffMember
    load: WorkerLoad
    bars: list[CaseTypeBar]
    dues: list[CaseDue]
    annual: AnnualView
    year_start: dt.date
    absences: list[Absence]
    on: dt.date
    caseload_per_fte: float = 18.0
    slots_per_week: float = 11.0

    @property
    def overdue_visits(self) -> list[CaseDue]:
        return [d for d in self.dues if d.visit_overdue]

    @property
    def overdue_reviews(self) -> list[CaseDue]:
        return [d for d in self.dues if d.review_overdue]


def year_start(day: dt.date) -> dt.date:
    """The first day of the council's financial year (1 April) that a day falls in."""
    start = dt.date(day.year, 4, 1)
    return start if day >= start else dt.date(day.year - 1, 4, 1)


def access_worker(*, user, staff_id: int, source: str) -> StaffMember:
    """A worker whose capacity the user may see (their own, or one they manage); the
    view is audited, and so is a refusal."""
    staff = (
        StaffMember.objects.select_related(
            "user", "team__district__locality", "team__manager", "line_manager__staff"
        )
        .prefetch_related("specialisms")
        .filter(pk=staff_id)
        .first()
    )
    if staff is None:
        raise Http404("No member of staff with that reference.")
    if not user.has_perm("workforce.view_worker_capacity", staff):
        record_denied(
            actor=user, object_type="workforce.staffmember", object_id=staff_id, source=source
        )
        raise WorkerAccessDenied("You do not manage this worker.")
    record_view(actor=user, instance=staff, source=source, code="staffmember.capacity_viewed")
    return staff


def access_manageable_worker(*, user, staff_id: int, source: str) -> StaffMember:
    """A worker the user manages (for absences, capacity details and reassignment); a
    refusal is audited."""
    staff = (
        StaffMember.objects.select_related(
            "user", "team__district__locality", "team__manager", "line_manager__staff"
        )
        .filter(pk=staff_id)
        .first()
    )
    if staff is None:
        raise Http404("No member of staff with that reference.")
    if not user.has_perm("workforce.manage_worker", staff):
        record_denied(
            actor=user, object_type="workforce.staffmember", object_id=staff_id, source=source
        )
        raise WorkerAccessDenied("You do not manage this worker.")
    return staff


def worker_capacity(*, staff: StaffMember, on: dt.date | None = None) -> WorkerCapacity:
    """One worker's caseload by case type, week, visits and reviews due, the year's slots
    against 506 x FTE, and their absences from this week on."""
    on = on or timezone.localdate()
    rules = caseload_rules()
    load = worker_loads([staff], on=on, rules=rules)[staff.pk]
    types = list(CaseType.objects.order_by("sort_order", "code"))
    bars = [
        CaseTypeBar(
            code=t.code,
            label=t.code,
            count=load.open_cases_by_type.get(t.code, 0),
            visits_per_week=float(rules.visits_for(t.code)),
        )
        for t in types
    ]
    bars.append(
        CaseTypeBar(
            code=None,
            label="In assessment",
            count=load.open_cases_by_type.get(None, 0),
            visits_per_week=float(rules.visits_for(None)),
        )
    )
    start = year_start(on)
    slots_used = Contact.objects.filter(
        recorded_by_id=staff.user_id, occurred_at__date__gte=start, occurred_at__date__lte=on
    ).count()
    cases_this_year = (
        Case.objects.filter(
            key_worker_id=staff.user_id, allocated_at__date__gte=start, allocated_at__date__lte=on
        )
        .aggregate(n=Count("pk"))
        .get("n", 0)
    )
    monday, _ = week_of(on)
    absences = list(
        Absence.objects.filter(worker=staff, end_date__gte=monday)
        .select_related("recorded_by", "cancelled_by")
        .order_by("start_date", "pk")
    )
    return WorkerCapacity(
        staff=staff,
        load=load,
        bars=bars,
        dues=case_dues([staff.user_id], today=on, rules=rules).get(staff.user_id, []),
        annual=annual_view(
            staff.fte, slots_used=slots_used, cases_this_year=cases_this_year, rules=rules
        ),
        year_start=start,
        absences=absences,
        on=on,
        caseload_per_fte=float(rules.caseload_per_fte),
        slots_per_week=float(rules.slots_per_week_per_fte),
    )


# ---------------------------------------------------------------- bulk reassignment


@dataclass(frozen=True)
class ReassignmentPlan:
    """A worker's open cases, who may take them, and a suggested new worker for each."""

    staff: StaffMember
    cases: list[CaseDue]
    targets: list[WorkerLoad]
    team_names: dict[int, str]
    suggestions: dict[int, int]  # case id -> suggested new worker's user id

    def choices(self) -> list[tuple[int, str]]:
        return [
            (
                load.user_id,
                f"{load.name}, {self.team_names.get(load.team_id or 0, 'no team')}: "
                f"headroom {load.headroom_cases} case{'' if load.headroom_cases == 1 else 's'}"
                + (", absent" if load.absent_on else ""),
            )
            for load in self.targets
        ]


def eligible_targets(staff: StaffMember) -> QuerySet[StaffMember]:
    """Who may take the worker's cases: active key workers and senior practitioners in
    a team of the same district, other than the worker."""
    if staff.team_id is None:
        return StaffMember.objects.none()
    return (
        StaffMember.objects.filter(
            user__is_active=True,
            user__groups__name__in=[r.value for r in CASEWORKER_ROLES],
            team__district_id=staff.team.district_id,
        )
        .exclude(pk=staff.pk)
        .distinct()
    )


def reassignment_plan(*, staff: StaffMember, on: dt.date | None = None) -> ReassignmentPlan:
    """The worker's open cases with a suggestion each: the eligible worker of their team
    with most headroom (then of the district), counting the cases already suggested;
    none when nobody has room."""
    on = on or timezone.localdate()
    rules = caseload_rules()
    cases = case_dues([staff.user_id], today=on, rules=rules).get(staff.user_id, [])
    targets = list(eligible_targets(staff))
    loads = worker_loads(targets, on=on, rules=rules)
    ordered = sorted(loads.values(), key=lambda x: (-x.headroom_cases, x.name, x.staff_id))
    team_names = dict(
        Team.objects.filter(pk__in={x.team_id for x in ordered if x.team_id}).values_list(
            "pk", "name"
        )
    )
    room = {x.user_id: x.headroom_cases if not x.absent_on else 0 for x in ordered}
    slots = {x.user_id: x.headroom_slots for x in ordered}
    suggestions: dict[int, int] = {}
    for case in cases:
        visits = float(rules.visits_for(case.case_type))
        best = sorted(
            (x for x in ordered if room[x.user_id] > 0 and slots[x.user_id] >= visits),
            key=lambda x: (x.team_id != staff.team_id, -room[x.user_id], x.name, x.staff_id),
        )
        if best:
            chosen = best[0].user_id
            suggestions[case.case_id] = chosen
            room[chosen] -= 1
            slots[chosen] -= visits
    return ReassignmentPlan(
        staff=staff, cases=cases, targets=ordered, team_names=team_names, suggestions=suggestions
    )
