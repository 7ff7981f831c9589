"""Calibrate the simulated year from the live database: the arrival rate of Requests for
Support per working day and the case-type mix of the last 12 months.

A request counts as an arrival when it entered the allocation queue in the window (its
`received_at`, which a resubmission after consent moves on) and is awaiting allocation
or allocated: a request still returned for consent never queued, and a withdrawn one
needed no worker. The mix is that of the cases allocated in the window whose case type
has been decided; each type's weeks of support come from the configured case types.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils import timezone

from earlyhelp.domain.resource_model import ScenarioError

MIN_REQUESTS = 30
MIN_TYPED_CASES = 20


class CalibrationError(ScenarioError):
    """The database holds too little of the last 12 months to calibrate from."""

    def __init__(self, problem: str) -> None:
        super().__init__("calibrate_from_database", problem)


@dataclass(frozen=True)
class Calibration:
    """What the last 12 months show: arrivals a working day and the case-type mix (%)."""

    window_start: dt.date
    window_end: dt.date
    working_days: int
    requests: int
    requests_per_working_day: float
    typed_cases: int
    case_type_mix: dict[str, float]
    support_weeks: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the simulate command's JSON output."""
        return {
            "window_start": self.window_start.isoformat(),
            "window_end": self.window_end.isoformat(),
            "working_days": self.working_days,
            "requests": self.requests,
            "requests_per_working_day": round(self.requests_per_working_day, 4),
            "typed_cases": self.typed_cases,
            "case_type_mix": {code: round(share, 4) for code, share in self.case_type_mix.items()},
            "support_weeks": self.support_weeks,
        }


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def calibrate(
    *,
    today: dt.date | None = None,
    min_requests: int = MIN_REQUESTS,
    min_typed_cases: int = MIN_TYPED_CASES,
) -> Calibration:
    """The arrival rate and case-type mix of the 12 months before today (today not
    included); CalibrationError saying what is short when there is too little data."""
    from earlyhelp.cases.models import Case
    from earlyhelp.configuration.models import CaseType
    from earlyhelp.configuration.selectors import service_calendar
    from earlyhelp.referrals.models import RequestForSupport, Status

    today = today or timezone.localdate()
    start = _year_before(today)
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(today, dt.time.min, tzinfo=zone)
    last_day = today - dt.timedelta(days=1)
    # Working days from start to yesterday, both counted.
    working_days = service_calendar().working_days_between(start - dt.timedelta(days=1), last_day)

    requests = RequestForSupport.objects.filter(
        received_at__gte=since,
        received_at__lt=until,
        status__in=[Status.AWAITING_ALLOCATION, Status.ALLOCATED],
    ).count()
    by_type = dict(
        Case.objects.filter(
            allocated_at__gte=since, allocated_at__lt=until, case_type__isnull=False
        )
        .values_list("case_type__code")
        .annotate(cases=Count("pk"))
        .order_by("case_type__sort_order", "case_type__code")
    )
    typed_cases = sum(by_type.values())
    window = f"the 12 months from {start.day} {start:%B %Y} to {last_day.day} {last_day:%B %Y}"
    if requests < min_requests or typed_cases < min_typed_cases:
        raise CalibrationError(
            f"too little data to calibrate from: {window} hold {requests} requests for "
            f"support that entered the allocation queue (at least {min_requests} needed) "
            f"and {typed_cases} allocated cases with a case type (at least "
            f"{min_typed_cases} needed)"
        )
    weeks = dict(CaseType.objects.filter(code__in=by_type).values_list("code", "weeks_of_support"))
    return Calibration(
        window_start=start,
        window_end=last_day,
        working_days=working_days,
        requests=requests,
        requests_per_working_day=requests / working_days,
        typed_cases=typed_cases,
        case_type_mix={code: 100 * cases / typed_cases for code, cases in by_type.items()},
        support_weeks={code: float(weeks[code]) for code in by_type},
    )
