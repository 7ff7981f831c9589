"""Workers' caseload capacity, live from the database: open cases by type, absences and
protected time, put through the Appendix C model in ``domain/caseload.py``.

Every function here reads a whole set of workers with a fixed number of aggregate
queries, so a team or district page costs the same whatever its size.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from earlyhelp.cases.models import Case, Status
from earlyhelp.configuration.models import CaseType
from earlyhelp.configuration.selectors import service_calendar, service_settings
from earlyhelp.domain.calendar import WorkingCalendar
from earlyhelp.domain.caseload import CaseloadFlags, CaseloadRules, assess_worker
from earlyhelp.workforce.models import Absence, StaffMember


@dataclass(frozen=True)
class WorkerLoad:
    """One worker's caseload and capacity in the week of a given day."""

    staff_id: int
    user_id: int
    name: str
    team_id: int | None
    district_id: int | None  # the worker's team's district
    fte: Decimal
    protected_hours: Decimal
    open_cases: int
    open_cases_by_type: dict[str | None, int]  # None = still in assessment (no type yet)
    flags: CaseloadFlags  # assess_worker for the week of `on`
    specialisms: frozenset[str]  # configured specialism codes the worker holds
    languages: frozenset[str]  # lower-case language names, e.g. "urdu"
    absent_on: bool  # on leave, sick or otherwise absent on the day `on`
    absent_days_in_week: int  # working days of the week of `on` the worker is absent
    working_days_in_week: int  # working days in the week of `on` (from the calendar)
    version: int = 1  # of the capacity details, for an edit that must not overwrite a newer

    @property
    def absent_all_week(self) -> bool:
        """Absent every working day of the week (a week with working days in it)."""
        return 0 < self.working_days_in_week <= self.absent_days_in_week

    @property
    def headroom_cases(self) -> int:
        """Whole cases more before the 18 x FTE limit; 0 when absent for the whole week."""
        return 0 if self.absent_all_week else self.flags.headroom_cases

    @property
    def headroom_slots(self) -> float:
        """Slots this week less the visits the open cases need; negative when over."""
        return self.flags.headroom_slots

    @property
    def can_take_a_case(self) -> bool:
        """Room for one more case under both limits, and at work some of the week."""
        return self.headroom_cases > 0 and self.headroom_slots > 0


def caseload_rules() -> CaseloadRules:
    """The caseload model's rules from the configuration (service settings and case types)."""
    settings = service_settings()
    visit_every_weeks = dict(CaseType.objects.values_list("code", "visit_every_weeks"))
    return CaseloadRules.from_configuration(
        visit_every_weeks=visit_every_weeks,
        assessment_counts_as=settings.assessment_counts_as,
        slots_per_week=settings.slots_per_week,
        working_weeks_per_year=settings.working_weeks_per_year,
        caseload_per_fte=settings.caseload_per_fte,
    )


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday and Sunday of the week a day is in."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def working_days_in(start: dt.date, end: dt.date, calendar: WorkingCalendar) -> list[dt.date]:
    """The working days from start to end, both included."""
    days, day = [], start
    while day <= end:
        if calendar.is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def leave_days_equivalent(
    absent_days: int, working_days: int, days_per_week: int = 5
) -> Decimal | int:
    """Absent working days as days of a normal working week: absent all four days of a
    bank-holiday week is the whole week."""
    if working_days <= 0 or absent_days <= 0:
        return 0
    absent_days = min(absent_days, working_days)
    return Decimal(absent_days * days_per_week) / Decimal(working_days)


@functools.lru_cache(maxsize=4096)
def _assess(
    fte: Decimal,
    by_type: tuple[tuple[str | None, int], ...],
    leave_days: Decimal | int,
    protected_hours: Decimal,
    rules: CaseloadRules,
) -> CaseloadFlags:
    """assess_worker, remembered: many workers share an FTE, protected time and
    caseload, and a page or a recommendation assesses hundreds at once."""
    return assess_worker(
        fte,
        open_cases_by_type=dict(by_type),
        rules=rules,
        leave_days_in_week=leave_days,
        protected_hours=protected_hours,
    )


def _staff(workers: QuerySet | Iterable[StaffMember]) -> list[StaffMember]:
    if isinstance(workers, QuerySet):
        ids: object = workers.order_by().values("pk")
    else:
        ids = [w.pk for w in workers]
    return list(
        StaffMember.objects.filter(pk__in=ids)
        .select_related("user", "team")
        .prefetch_related("specialisms")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def open_cases_by_worker(user_ids: Iterable[int]) -> dict[int, dict[str | None, int]]:
    """Open cases by case type code of each key worker (by user id), in one query."""
    counts: dict[int, dict[str | None, int]] = defaultdict(dict)
    rows = (
        Case.objects.filter(key_worker_id__in=list(user_ids))
        .exclude(status=Status.CLOSED)
        .order_by()
        .values("key_worker_id", "case_type__code")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["key_worker_id"]][row["case_type__code"]] = row["n"]
    return counts


def absences_between(
    staff_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[int, list[Absence]]:
    """The absences (not cancelled) of each worker that overlap start to end, in one query."""
    found: dict[int, list[Absence]] = defaultdict(list)
    rows = Absence.objects.filter(
        Q(worker_id__in=list(staff_ids)),
        cancelled_at__isnull=True,
        start_date__lte=end,
        end_date__gte=start,
    ).order_by("start_date", "pk")
    for absence in rows:
        found[absence.worker_id].append(absence)
    return found


def worker_loads(
    workers: QuerySet | Iterable[StaffMember],
    *,
    on: dt.date | None = None,
    rules: CaseloadRules | None = None,
) -> dict[int, WorkerLoad]:
    """Loads of the given workers keyed by staff id, in the week of `on` (today by
    default), with a constant number of SQL queries whatever the number of workers and
    cases."""
    on = on or timezone.localdate()
    rules = rules or caseload_rules()
    calendar = service_calendar()
    staff = _staff(workers)
    monday, sunday = week_of(on)
    week_days = working_days_in(monday, sunday, calendar)
    cases = open_cases_by_worker(s.user_id for s in staff)
    absences = absences_between((s.pk for s in staff), monday, sunday)
    loads: dict[int, WorkerLoad] = {}
    for member in staff:
        by_type = dict(cases.get(member.user_id, {}))
        away = absences.get(member.pk, [])
        absent_days = sum(
            1 for day in week_days if any(a.start_date <= day <= a.end_date for a in away)
        )
        flags = _assess(
            member.fte,
            tuple(sorted(by_type.items(), key=lambda item: item[0] or "")),
            leave_days_equivalent(absent_days, len(week_days), rules.working_days_per_week),
            member.protected_hours,
            rules,
        )
        loads[member.pk] = WorkerLoad(
            staff_id=member.pk,
            user_id=member.user_id,
            name=member.user.get_full_name() or member.user.email,
            team_id=member.team_id,
            district_id=member.team.district_id if member.team_id else None,
            fte=member.fte,
            protected_hours=member.protected_hours,
            open_cases=sum(by_type.values()),
            open_cases_by_type=by_type,
            flags=flags,
            specialisms=frozenset(s.code for s in member.specialisms.all()),
            languages=frozenset(str(x).lower() for x in member.languages or ()),
            absent_on=any(a.start_date <= on <= a.end_date for a in away),
            absent_days_in_week=absent_days,
            working_days_in_week=len(week_days),
            version=member.version,
        )
    return loads
