"""The service's working-day calendar: Monday to Friday, less England and Wales bank
holidays and the service's configured closure days. No Django here.

A deadline of N working days is the Nth working day after the day the clock starts,
that day not counted; a clock that starts on a weekend or holiday counts as starting on
the next working day.

Counting is arithmetic (whole weeks, then bank holidays and closures in range found by
bisecting sorted tuples), so a deadline or a count across years costs a handful of
operations, not a loop over every day.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import holidays

# England and Wales share their bank holidays; the package files them under ENG.
_COUNTRY = "GB"
_SUBDIVISION = "ENG"


@lru_cache(maxsize=512)
def _weekday_bank_holidays(year: int) -> tuple[dt.date, ...]:
    """Sorted bank holidays of the year that fall Monday to Friday (weekends are off anyway)."""
    days = holidays.country_holidays(_COUNTRY, subdiv=_SUBDIVISION, years=year)
    return tuple(sorted(day for day in days if day.weekday() < 5))


def _weekdays_to(day: dt.date) -> int:
    """Number of Mondays-to-Fridays from 1 January of year 1 (a Monday) up to and including day."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def _weekday_at(index: int) -> dt.date:
    """The Monday-to-Friday numbered index by _weekdays_to (the inverse for weekdays)."""
    weeks, rest = divmod(index - 1, 5)
    return dt.date.fromordinal(weeks * 7 + rest + 1)


def _count_in(days: tuple[dt.date, ...], after: dt.date, upto: dt.date) -> int:
    """How many of the sorted days fall after `after` up to and including `upto`."""
    return bisect_right(days, upto) - bisect_right(days, after)


@dataclass(frozen=True, init=False)
class WorkingCalendar:
    """Working days: Monday to Friday, not an England and Wales bank holiday, not a closure."""

    closure_days: frozenset[dt.date]
    # Weekday closures that are not already bank holidays, sorted, for counting in a range.
    _extra_closures: tuple[dt.date, ...] = field(repr=False, compare=False)

    def __init__(self, closure_days: Iterable[dt.date] = ()) -> None:
        closures = frozenset(closure_days)
        for day in closures:
            # A datetime would never equal the date it falls on, so it would silently not close.
            if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
                raise TypeError(f"closure days must be dates, not {type(day).__name__}")
        extra = sorted(
            day
            for day in closures
            if day.weekday() < 5 and day not in _weekday_bank_holidays(day.year)
        )
        object.__setattr__(self, "closure_days", closures)
        object.__setattr__(self, "_extra_closures", tuple(extra))

    def is_working_day(self, day: dt.date) -> bool:
        """A working day is Monday to Friday, not a bank holiday and not a closure day."""
        return (
            day.weekday() < 5
            and day not in self.closure_days
            and day not in _weekday_bank_holidays(day.year)
        )

    def next_working_day(self, day: dt.date) -> dt.date:
        """The day itself if it is a working day, otherwise the first working day after it."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The Nth working day after the clock starts (start not counted); a clock starting on
        a non-working day starts on the next working day, and n=0 gives that day."""
        if n < 0:
            raise ValueError(f"a deadline cannot be a negative number of working days ({n})")
        clock = self.next_working_day(start)
        # Step forward by weekdays, then by the shortfall the holidays in range caused, until
        # exactly n working days lie after the clock start. Each step is short of or lands on
        # the Nth working day, never past it, and a step that makes up the last of the
        # shortfall ends on a working day.
        due = clock
        shortfall = n
        while shortfall:
            due = _weekday_at(_weekdays_to(due) + shortfall)
            shortfall = n - self.working_days_between(clock, due)
        return due

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days after a up to and including b; minus the count after b up to and
        including a when b is before a; 0 when they are the same day.

        A counts itself from its own date whether or not it is a working day: from a
        non-working a, the next working day is the first counted. So for a clock starting on
        a non-working a the deadline count is taken from next_working_day(a), and
        working_days_between(a, add_working_days(a, n)) is n + 1. Read as "working days
        left", from a Saturday to the following Monday is 1; from a Saturday back to the
        Friday is 0 (no working day has yet passed since it).
        """
        if b < a:
            return -self.working_days_between(b, a)
        if a == b:
            return 0
        weekdays = _weekdays_to(b) - _weekdays_to(a)
        bank_holidays = sum(
            _count_in(_weekday_bank_holidays(year), a, b) for year in range(a.year, b.year + 1)
        )
        return weekdays - bank_holidays - _count_in(self._extra_closures, a, b)
