"""The performance dashboard's figures, for a place (locality, district or team) and a
period, and the records behind each figure.

``performance_dashboard`` reads a fixed number of queries whatever the number of cases:
each kind of record (requests, cases allocated, reviews, open cases, closures,
escalations) is read once as plain values over the period, and the rules of
``domain/performance.py`` run over them in memory. The figures are aggregate, over the
whole service, for the roles allowed service-wide figures; the list behind a figure only
ever holds the records the user may open (``cases_visible_to`` / ``requests_for_user``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from earlyhelp.cases.models import Case, ClosureReason, Escalation, Level, Review
from earlyhelp.cases.models import Status as CaseStatus
from earlyhelp.cases.selectors import cases_visible_to
from earlyhelp.centres.selectors import sessions_delivered
from earlyhelp.claims.selectors import ProgressFigures, programme_progress
from earlyhelp.configuration.models import CaseType, District, Locality
from earlyhelp.configuration.selectors import service_calendar, service_timescales
from earlyhelp.domain import performance as rules
from earlyhelp.outcomes.selectors import CohortFilters, CohortOutcomes, cohort_outcomes
from earlyhelp.outreach.selectors import contact_log
from earlyhelp.people.rules import families_visible_to
from earlyhelp.referrals.models import RequestForSupport, Route
from earlyhelp.referrals.selectors import requests_for_user
from earlyhelp.workforce.models import Team

EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
NOT_DECIDED = "Not yet decided (in assessment)"


@dataclass(frozen=True)
class DashboardFilters:
    """Which place and period the figures cover: a locality, district or team (the
    case's or request's team), or the county when none is given."""

    date_from: dt.date
    date_to: dt.date
    locality_id: int | None = None
    district_id: int | None = None
    team_id: int | None = None

    def as_query(self) -> dict[str, str]:
        """The filters as query-string parameters (empty ones left out)."""
        values = {
            "locality": self.locality_id,
            "district": self.district_id,
            "team": self.team_id,
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
        }
        return {k: str(v) for k, v in values.items() if v is not None}

    def cohort(self) -> CohortFilters:
        """The same place and period as the outcomes app's cohort filters."""
        return CohortFilters(
            locality_id=self.locality_id,
            district_id=self.district_id,
            team_id=self.team_id,
            date_from=self.date_from,
            date_to=self.date_to,
        )


def scope_label(filters: DashboardFilters) -> str:
    """The place the figures cover, in words."""
    if filters.team_id:
        team = Team.objects.filter(pk=filters.team_id).first()
        return f"Team: {team.name}" if team else "Team"
    if filters.district_id:
        district = District.objects.filter(pk=filters.district_id).first()
        return f"District: {district.name}" if district else "District"
    if filters.locality_id:
        locality = Locality.objects.filter(pk=filters.locality_id).first()
        return f"Locality: {locality.name}" if locality else "Locality"
    return "County (every locality)"


# ---------------------------------------------------------------- the figures


@dataclass
class CountRow:
    key: str
    label: str
    count: int
    share: float | None = None
    profile_share: float | None = None


@dataclass
class Measure:
    """A timescale measure: how many were counted, how many met it, and the median
    working days taken."""

    counted: int = 0
    on_time: int = 0
    median_days: float | None = None

    @property
    def late(self) -> int:
        return self.counted - self.on_time

    @property
    def share(self) -> float | None:
        return rules.share(self.on_time, self.counted)


@dataclass
class Dashboard:
    filters: DashboardFilters
    allocation_working_days: int
    initial_visit_working_days: int
    review_interval_weeks: int
    received: int = 0
    returned_for_consent: int = 0
    acknowledged: int = 0
    re_referrals: int = 0
    allocation: Measure = field(default_factory=Measure)
    initial_visit: Measure = field(default_factory=Measure)
    reviews: Measure = field(default_factory=Measure)
    open_cases: int = 0
    open_by_level: list[CountRow] = field(default_factory=list)
    open_by_type: list[CountRow] = field(default_factory=list)
    closed: int = 0
    closures_by_reason: list[CountRow] = field(default_factory=list)
    step_ups: int = 0
    step_downs: int = 0
    group_sessions_planned: int = 0
    group_sessions_delivered: int = 0
    weekly_sessions_delivered: int = 0
    weekly_sessions_cancelled: int = 0
    talkzone_in_hours: int = 0
    talkzone_out_of_hours: int = 0
    outcomes: CohortOutcomes | None = None
    troubled_families: ProgressFigures | None = None
    # The ids behind each figure that has a list: ("cases" | "requests", ids).
    behind: dict[str, tuple[str, list[int]]] = field(default_factory=dict)

    @property
    def group_sessions_share(self) -> float | None:
        return rules.share(self.group_sessions_delivered, self.group_sessions_planned)

    @property
    def talkzone_total(self) -> int:
        return self.talkzone_in_hours + self.talkzone_out_of_hours


def _bounds(filters: DashboardFilters) -> tuple[dt.datetime, dt.datetime]:
    """The period as aware datetimes: from midnight of the first day to midnight after
    the last (Europe/London)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _place(prefix: str, filters: DashboardFilters) -> Q:
    """The place filter on a model reached through ``prefix`` + ``team``."""
    q = Q()
    if filters.locality_id:
        q &= Q(**{f"{prefix}team__district__locality_id": filters.locality_id})
    if filters.district_id:
        q &= Q(**{f"{prefix}team__district_id": filters.district_id})
    if filters.team_id:
        q &= Q(**{f"{prefix}team_id": filters.team_id})
    return q


def _local_date(moment: dt.datetime) -> dt.date:
    # The service's own time zone, as timezone.localtime gives it, without looking up the
    # current zone again for each of the tens of thousands of rows a year's figures read.
    return moment.astimezone(timezone.get_default_timezone()).date()


def _request_figures(board: Dashboard, filters: DashboardFilters) -> None:
    start, end = _bounds(filters)
    requests = RequestForSupport.objects.filter(_place("", filters))
    received_ids: list[int] = []
    received: list[tuple[int, int, dt.date]] = []
    returned: list[int] = []
    acknowledged: list[int] = []
    step_downs: list[int] = []
    rows = requests.filter(
        Q(first_received_at__gte=start, first_received_at__lt=end)
        | Q(returned_at__gte=start, returned_at__lt=end)
        | Q(acknowledged_at__gte=start, acknowledged_at__lt=end)
    ).values_list("pk", "family_id", "first_received_at", "returned_at", "acknowledged_at", "route")
    for pk, family_id, first_received_at, returned_at, acknowledged_at, route in rows:
        if start <= first_received_at < end:
            received_ids.append(pk)
            received.append((pk, family_id, _local_date(first_received_at)))
            if route == Route.STEP_DOWN:
                step_downs.append(pk)
        if returned_at is not None and start <= returned_at < end:
            returned.append(pk)
        if acknowledged_at is not None and start <= acknowledged_at < end:
            acknowledged.append(pk)

    # Re-referrals: the family's cases closed before each request (its own case aside).
    closures: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    families = (
        requests.filter(first_received_at__gte=start, first_received_at__lt=end)
        .values("family_id")
        .order_by()
    )
    for family_id, closed_on, request_id in Case.objects.filter(
        family_id__in=families, closed_on__isnull=False, closed_on__lte=filters.date_to
    ).values_list("family_id", "closed_on", "request_id"):
        closures[family_id].append((closed_on, request_id))
    re_referrals = []
    for pk, family_id, received_on in received:
        previous = max(
            (
                closed_on
                for closed_on, request_id in closures.get(family_id, ())
                if request_id != pk and closed_on <= received_on
            ),
            default=None,
        )
        if rules.is_re_referral(previous, received_on):
            re_referrals.append(pk)

    board.received = len(received_ids)
    board.returned_for_consent = len(returned)
    board.acknowledged = len(acknowledged)
    board.re_referrals = len(re_referrals)
    board.step_downs = len(step_downs)
    board.behind |= {
        "received": ("requests", received_ids),
        "returned-for-consent": ("requests", returned),
        "acknowledged": ("requests", acknowledged),
        "re-referrals": ("requests", re_referrals),
        "step-downs": ("requests", step_downs),
    }


def _timescale_figures(board: Dashboard, filters: DashboardFilters, today: dt.date) -> None:
    start, end = _bounds(filters)
    calendar = service_calendar()
    cases = Case.objects.filter(_place("", filters))
    allocated_ids, alloc_on_time, alloc_late, alloc_days = [], [], [], []
    visit_counted, visit_on_time, visit_late, visit_days = [], [], [], []
    for pk, received_at, allocated_at, visited_on in cases.filter(
        allocated_at__gte=start, allocated_at__lt=end
    ).values_list("pk", "request__received_at", "allocated_at", "initial_visit_on"):
        allocated_on = _local_date(allocated_at)
        taken = rules.working_days_taken(calendar, _local_date(received_at), allocated_on)
        allocated_ids.append(pk)
        alloc_days.append(taken)
        ok = rules.within(taken, board.allocation_working_days)
        (alloc_on_time if ok else alloc_late).append(pk)
        if visited_on is None:
            due = calendar.add_working_days(allocated_on, board.initial_visit_working_days)
            if due >= today:
                continue  # not visited yet, and not yet late
            visit_counted.append(pk)
            visit_late.append(pk)
            continue
        days = rules.working_days_taken(calendar, allocated_on, visited_on)
        visit_days.append(days)
        visit_counted.append(pk)
        ok = rules.within(days, board.initial_visit_working_days)
        (visit_on_time if ok else visit_late).append(pk)
    board.allocation = Measure(len(allocated_ids), len(alloc_on_time), rules.median(alloc_days))
    board.initial_visit = Measure(len(visit_counted), len(visit_on_time), rules.median(visit_days))

    # Reviews held in the period, each against the review before it (or the plan's start).
    in_period = Review.objects.filter(
        held_on__gte=filters.date_from, held_on__lte=filters.date_to
    ).values("case_id")
    held: dict[int, list[dt.date]] = defaultdict(list)
    plan_start: dict[int, dt.date | None] = {}
    for case_id, held_on, started in (
        Review.objects.filter(_place("case__", filters))
        .filter(case_id__in=in_period, held_on__lte=filters.date_to)
        .values_list("case_id", "held_on", "case__plan_started_on")
    ):
        held[case_id].append(held_on)
        plan_start[case_id] = started
    review_cases, on_time_cases, late_cases = set(), set(), set()
    counted = on_time = 0
    for case_id, days in held.items():
        for day, ok in rules.reviews_on_time(
            plan_started_on=plan_start[case_id],
            held=days,
            interval_weeks=board.review_interval_weeks,
        ):
            if day < filters.date_from:
                continue
            counted += 1
            review_cases.add(case_id)
            if ok:
                on_time += 1
                on_time_cases.add(case_id)
            else:
                late_cases.add(case_id)
    board.reviews = Measure(counted, on_time, None)
    board.behind |= {
        "allocated": ("cases", allocated_ids),
        "allocated-on-time": ("cases", alloc_on_time),
        "allocated-late": ("cases", alloc_late),
        "initial-visits": ("cases", visit_counted),
        "initial-visits-on-time": ("cases", visit_on_time),
        "initial-visits-late": ("cases", visit_late),
        "reviews": ("cases", sorted(review_cases)),
        "reviews-on-time": ("cases", sorted(on_time_cases)),
        "reviews-late": ("cases", sorted(late_cases)),
    }


def _caseload_figures(board: Dashboard, filters: DashboardFilters) -> None:
    start, end = _bounds(filters)
    cases = Case.objects.filter(_place("", filters))
    # Open at the end of the period: allocated by then and not closed by then.
    open_rows = cases.filter(allocated_at__lt=end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=filters.date_to)
    )
    by_level: dict[str, list[int]] = defaultdict(list)
    by_type: dict[int | None, list[int]] = defaultdict(list)
    open_ids = []
    # A case closed without a closure date is left out rather than counted open.
    open_rows = open_rows.exclude(status=CaseStatus.CLOSED, closed_on__isnull=True)
    for pk, level, case_type_id in open_rows.values_list("pk", "level", "case_type_id"):
        open_ids.append(pk)
        by_level[level].append(pk)
        by_type[case_type_id].append(pk)
    total = len(open_ids)
    board.open_cases = total
    board.behind["open"] = ("cases", open_ids)
    level_names = {"": NOT_DECIDED, **dict(Level.choices)}
    for code, name in level_names.items():
        ids = by_level.get(code, [])
        board.open_by_level.append(
            CountRow(code or "none", name, len(ids), rules.share(len(ids), total))
        )
        board.behind[f"open-level-{code or 'none'}"] = ("cases", ids)
    typed = sum(len(ids) for key, ids in by_type.items() if key is not None)
    for case_type in CaseType.objects.order_by("sort_order", "code"):
        ids = by_type.get(case_type.pk, [])
        board.open_by_type.append(
            CountRow(
                case_type.code,
                case_type.name,
                len(ids),
                rules.share(len(ids), typed),
                float(case_type.demand_share or Decimal(0)),
            )
        )
        board.behind[f"open-type-{case_type.code}"] = ("cases", ids)

    by_reason: dict[str, list[int]] = defaultdict(list)
    closed_ids = []
    for pk, reason in cases.filter(
        closed_on__gte=filters.date_from, closed_on__lte=filters.date_to
    ).values_list("pk", "closure_reason"):
        closed_ids.append(pk)
        by_reason[reason].append(pk)
    board.closed = len(closed_ids)
    board.behind["closed"] = ("cases", closed_ids)
    for code, name in ClosureReason.choices:
        ids = by_reason.get(code, [])
        board.closures_by_reason.append(
            CountRow(code, name, len(ids), rules.share(len(ids), len(closed_ids)))
        )
        board.behind[f"closed-{code}"] = ("cases", ids)

    step_ups = sorted(
        set(
            Escalation.objects.filter(
                _place("case__", filters),
                csc_referral_made=True,
                recorded_at__gte=start,
                recorded_at__lt=end,
            ).values_list("case_id", flat=True)
        )
    )
    board.step_ups = len(step_ups)
    board.behind["step-ups"] = ("cases", step_ups)


def _district_filter(filters: DashboardFilters) -> list[int] | None:
    """The districts a place covers, for figures kept by district (centres, Talkzone)."""
    if filters.team_id:
        team = Team.objects.filter(pk=filters.team_id).values_list("district_id", flat=True)
        return list(team)
    if filters.district_id:
        return [filters.district_id]
    if filters.locality_id:
        return list(
            District.objects.filter(locality_id=filters.locality_id).values_list("pk", flat=True)
        )
    return None


def _community_figures(board: Dashboard, filters: DashboardFilters) -> None:
    districts = _district_filter(filters)
    sessions = sessions_delivered(
        since=filters.date_from, until=filters.date_to, district_ids=districts
    )
    board.group_sessions_planned = sessions.group_planned
    board.group_sessions_delivered = sessions.group_delivered
    board.weekly_sessions_delivered = sessions.weekly_delivered
    board.weekly_sessions_cancelled = sessions.weekly_cancelled
    talkzone = contact_log(since=filters.date_from, until=filters.date_to)
    if districts is not None:
        talkzone = talkzone.filter(district_id__in=districts)
    contacts = talkzone.order_by().aggregate(
        during=Count("pk", filter=Q(in_hours=True)),
        outside=Count("pk", filter=Q(in_hours=False)),
    )
    board.talkzone_in_hours = contacts["during"]
    board.talkzone_out_of_hours = contacts["outside"]


def _counted_records(filters: DashboardFilters, today: dt.date) -> Dashboard:
    """The figures that count cases and requests (each with the ids behind it)."""
    timescales = service_timescales()
    board = Dashboard(
        filters=filters,
        allocation_working_days=timescales.allocation_working_days,
        initial_visit_working_days=timescales.initial_visit_working_days,
        review_interval_weeks=timescales.review_interval_weeks,
    )
    _request_figures(board, filters)
    _timescale_figures(board, filters, today)
    _caseload_figures(board, filters)
    return board


def performance_dashboard(
    *, user, filters: DashboardFilters, today: dt.date | None = None
) -> Dashboard:
    """Every figure of the performance dashboard for the place and period: requests
    received, returned for consent and acknowledged; allocation and initial visit within
    their working-day timescales; reviews on time; open cases by level and case type
    against the configured profile; closures by reason; step-ups (escalations with a
    referral to Children's Social Care) and step-downs (requests by the step-down route);
    re-referrals within 12 months; group sessions delivered; Talkzone contacts in and out
    of hours; outcomes and Troubled Families progress. A fixed number of queries."""
    board = _counted_records(filters, today or timezone.localdate())
    _community_figures(board, filters)
    board.outcomes = cohort_outcomes(user=user, filters=filters.cohort())
    board.troubled_families = programme_progress(
        user=user,
        start=filters.date_from,
        end=filters.date_to,
        locality_id=filters.locality_id,
        district_id=filters.district_id,
        team_id=filters.team_id,
    ).total
    return board


# ---------------------------------------------------------------- behind a figure


class UnknownFigure(ValueError):
    """The figure named is not one of the dashboard's."""


@dataclass(frozen=True)
class RecordsBehind:
    """The records behind a figure: cases or requests, how many the figure counted and
    the ids of those the user may open."""

    figure: str
    kind: str
    counted: int
    visible_ids: list[int]


def records_behind(
    *, user, filters: DashboardFilters, figure: str, today: dt.date | None = None
) -> RecordsBehind:
    """The cases (or requests) a dashboard figure counted, narrowed to those the user may
    open, in id order."""
    board = _counted_records(filters, today or timezone.localdate())
    if figure not in board.behind:
        raise UnknownFigure(figure)
    kind, ids = board.behind[figure]
    return RecordsBehind(
        figure=figure,
        kind=kind,
        counted=len(ids),
        visible_ids=visible_ids(user=user, kind=kind, ids=ids),
    )


def visible_ids(*, user, kind: str, ids: list[int]) -> list[int]:
    """Of the ids, those the user may open, in order. Reads the user's visible ids once
    rather than passing thousands of ids as parameters."""
    if not ids:
        return []
    wanted = set(ids)
    if kind == "cases":
        if not families_visible_to(user):
            return sorted(wanted)  # the user may see every family
        mine = cases_visible_to(user=user).values_list("pk", flat=True)
    else:
        mine = requests_for_user(user=user).values_list("pk", flat=True)
    allowed = wanted.intersection(mine.order_by())
    return sorted(allowed)


def cases_for_list(ids: list[int]) -> list[Case]:
    """A page of cases (already access-checked), in the order given, in one query."""
    found = Case.objects.filter(pk__in=ids).select_related(
        "family", "team__district", "case_type", "key_worker"
    )
    by_id = {c.pk: c for c in found}
    return [by_id[pk] for pk in ids if pk in by_id]


def requests_for_list(ids: list[int]) -> list[RequestForSupport]:
    """A page of requests (already access-checked), in the order given, in one query."""
    found = RequestForSupport.objects.filter(pk__in=ids).select_related("family", "team")
    by_id = {r.pk: r for r in found}
    return [by_id[pk] for pk in ids if pk in by_id]


def figure_url(base: str, filters: DashboardFilters, figure: str) -> str:
    """The link from a figure to the records behind it."""
    return f"{base}?{urlencode({**filters.as_query(), 'figure': figure})}"


# ---------------------------------------------------------------- extracts


def case_extract(*, filters: DashboardFilters) -> QuerySet:
    """Cases open at any time in the period, as plain rows with no free-text notes."""
    return (
        Case.objects.filter(_place("", filters))
        .filter(allocated_at__lt=_bounds(filters)[1])
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=filters.date_from))
        .order_by("pk")
        .values_list(
            "pk",
            "urn",
            "family_id",
            "team__name",
            "team__district__name",
            "team__district__locality__name",
            "status",
            "level",
            "case_type__code",
            "is_re_referral",
            "allocated_at",
            "initial_visit_due_by",
            "initial_visit_on",
            "last_reviewed_on",
            "closure_reason",
            "closed_on",
        )
    )


CASE_EXTRACT_COLUMNS = (
    "case_id",
    "urn",
    "family_id",
    "team",
    "district",
    "locality",
    "status",
    "level",
    "case_type",
    "is_re_referral",
    "allocated_at",
    "initial_visit_due_by",
    "initial_visit_on",
    "last_reviewed_on",
    "closure_reason",
    "closed_on",
)


def request_extract(*, filters: DashboardFilters) -> QuerySet:
    """Requests first received in the period, with no free-text (needs, referrer)."""
    start, end = _bounds(filters)
    return (
        RequestForSupport.objects.filter(_place("", filters))
        .filter(first_received_at__gte=start, first_received_at__lt=end)
        .order_by("pk")
        .values_list(
            "pk",
            "family_id",
            "team__name",
            "team__district__name",
            "team__district__locality__name",
            "status",
            "route",
            "first_received_at",
            "received_at",
            "acknowledged_at",
            "returned_at",
            "allocation_due_by",
            "is_re_referral",
        )
    )


REQUEST_EXTRACT_COLUMNS = (
    "request_id",
    "family_id",
    "team",
    "district",
    "locality",
    "status",
    "route",
    "first_received_at",
    "received_at",
    "acknowledged_at",
    "returned_at",
    "allocation_due_by",
    "is_re_referral",
)


def contact_extract(*, filters: DashboardFilters) -> QuerySet:
    """Contacts with families in the period (no notes), by the case's place."""
    from earlyhelp.cases.models import Contact

    start, end = _bounds(filters)
    return (
        Contact.objects.filter(_place("case__", filters))
        .filter(occurred_at__gte=start, occurred_at__lt=end)
        .order_by("pk")
        .values_list(
            "pk",
            "case_id",
            "case__team__name",
            "occurred_at",
            "contact_type",
            "duration_minutes",
            "referrer_attended",
        )
    )


CONTACT_EXTRACT_COLUMNS = (
    "contact_id",
    "case_id",
    "team",
    "occurred_at",
    "contact_type",
    "duration_minutes",
    "referrer_attended",
)

EXTRACTS = {
    "cases": (case_extract, CASE_EXTRACT_COLUMNS),
    "requests": (request_extract, REQUEST_EXTRACT_COLUMNS),
    "contacts": (contact_extract, CONTACT_EXTRACT_COLUMNS),
}
