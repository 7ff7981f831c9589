"""Performance measures of the service: working days taken against a timescale, medians,
shares, reviews on time, re-referrals within twelve months and reporting quarters.
No Django here.

Working days are the service calendar's (domain/calendar.py): a clock that starts on a
weekend or holiday starts on the next working day, and the day the clock starts is not
counted, so a request received on Monday and allocated on Friday took 4 working days.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import median as _median

from earlyhelp.domain.calendar import WorkingCalendar

RE_REFERRAL_MONTHS = 12


def working_days_taken(calendar: WorkingCalendar, start: dt.date, end: dt.date) -> int:
    """Working days from the clock's start (not counted) up to and including end; 0 when
    end is on or before the clock's start (next working day on or after start)."""
    clock = calendar.next_working_day(start)
    if end <= clock:
        return 0
    return calendar.working_days_between(clock, end)


def within(taken: int, limit: int) -> bool:
    """A measure is met when it took no more working days than its timescale."""
    return taken <= limit


def median(values: Iterable[float]) -> float | None:
    """The median, or None for no values."""
    found = list(values)
    return float(_median(found)) if found else None


def share(part: int, whole: int) -> float | None:
    """part out of whole as a fraction between 0 and 1, or None when whole is 0."""
    return part / whole if whole else None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day months later, the month's last day when it has no such day
    (29 February plus 12 months is 28 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def is_re_referral(previous_closed_on: dt.date | None, received_on: dt.date) -> bool:
    """A request is a re-referral when the family's previous case closed on or before the
    day it was received and less than 12 months before it (a case closed exactly 12
    months earlier is not)."""
    if previous_closed_on is None or previous_closed_on > received_on:
        return False
    return received_on < add_months(previous_closed_on, RE_REFERRAL_MONTHS)


def review_due_by(previous: dt.date, interval_weeks: int) -> dt.date:
    """A review is due interval_weeks after the previous review (or the plan's start)."""
    return previous + dt.timedelta(weeks=interval_weeks)


def reviews_on_time(
    *, plan_started_on: dt.date | None, held: Sequence[dt.date], interval_weeks: int
) -> list[tuple[dt.date, bool]]:
    """Each review held (in date order) with whether it was held by its due date: the
    first within interval_weeks of the plan's start, each next within interval_weeks of
    the one before. Without a plan start the first review is counted on time."""
    result = []
    previous = plan_started_on
    for day in sorted(held):
        on_time = previous is None or day <= review_due_by(previous, interval_weeks)
        result.append((day, on_time))
        previous = day
    return result


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter: 2026Q3 is 1 July to 30 September 2026."""

    year: int
    number: int

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        return add_months(self.start, 3) - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.start:%B} to {self.end:%B %Y}"

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)


_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


class BadQuarter(ValueError):
    """Not a quarter written as YYYYQn between 2000 and 2100."""


def parse_quarter(text: str) -> Quarter:
    """A quarter written as 2026Q3 (years 2000 to 2100)."""
    found = _QUARTER.match(text.strip().upper())
    if not found:
        raise BadQuarter(f"Enter a quarter like 2026Q3, not {text!r}")
    year = int(found.group(1))
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise BadQuarter(f"Enter a year between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return Quarter(year, int(found.group(2)))


def quarter_of(day: dt.date) -> Quarter:
    """The quarter a day falls in."""
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def last_complete_quarter(today: dt.date) -> Quarter:
    """The latest quarter that has ended by today."""
    return quarter_of(today).previous()
