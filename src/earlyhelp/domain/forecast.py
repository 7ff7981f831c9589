"""Will each waiting Request for Support be allocated in time? No Django here.

The waiting requests are taken in due-date order. They fill the team's free places first
(headroom now: allocated today); each later one waits for a place to free up, and places
free up at the team's recent rate of case closures (closures per working day). A request
forecast to be placed after its due date is at risk.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from earlyhelp.domain.calendar import WorkingCalendar


@dataclass(frozen=True)
class Waiting:
    request_id: int
    due_by: dt.date | None


@dataclass(frozen=True)
class ForecastLine:
    request_id: int
    due_by: dt.date | None
    position: int  # 1 for the first in the queue
    working_day: int | None  # working days from today until a place is expected; None: never
    expected_on: dt.date | None
    on_track: bool

    @property
    def label(self) -> str:
        """ "on track", or "at risk: expected day N" (N working days from today)."""
        if self.on_track:
            return "on track"
        if self.working_day is None:
            return "at risk: no place frees up at the present rate of closures"
        return f"at risk: expected day {self.working_day}"


def closure_rate(closures: int, working_days: int) -> Fraction:
    """Closures per working day over a period of working days (0 for an empty period)."""
    if closures < 0 or working_days < 0:
        raise ValueError("closures and working days cannot be negative")
    return Fraction(closures, working_days) if working_days else Fraction(0)


def _exact(rate: Fraction | Decimal | float | int) -> Fraction:
    value = Fraction(repr(rate)) if isinstance(rate, float) else Fraction(rate)
    if value < 0:
        raise ValueError(f"the closure rate cannot be negative (got {rate})")
    return value


def forecast(
    requests: Iterable[Waiting],
    *,
    free_places: int,
    closures_per_working_day: Fraction | Decimal | float | int,
    today: dt.date,
    calendar: WorkingCalendar,
) -> list[ForecastLine]:
    """For each waiting request, nearest due date first, the working day a place is
    expected for it and whether that is on or before its due date."""
    rate = _exact(closures_per_working_day)
    free = max(free_places, 0)
    ordered = sorted(requests, key=lambda r: (r.due_by or dt.date.max, r.request_id))
    lines = []
    for position, request in enumerate(ordered, start=1):
        waiting_for = position - free  # places that must free up first
        if waiting_for <= 0:
            day: int | None = 0
        elif rate > 0:
            day = math.ceil(waiting_for / rate)
        else:
            day = None
        expected = calendar.add_working_days(today, day) if day is not None else None
        on_track = expected is not None and (request.due_by is None or expected <= request.due_by)
        lines.append(
            ForecastLine(
                request_id=request.request_id,
                due_by=request.due_by,
                position=position,
                working_day=day,
                expected_on=expected,
                on_track=on_track,
            )
        )
    return lines
