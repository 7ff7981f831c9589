"""Opening hours of a service line such as Talkzone, and the rota check against them.

No Django here. Times are local wall-clock times (naive ``datetime``s in the service's
time zone): callers convert aware datetimes to local time first. A window whose closing
time is at or before its opening time runs past midnight into the next day, so a window
of 20:00-02:00 on a Friday covers Friday 20:00 to Saturday 02:00.

On the two nights a year the clocks change, a window that crosses 01:00-02:00 is an hour
longer or shorter in real time than on the wall clock; coverage is checked on the wall
clock, which is how a rota is written.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class OpeningWindow:
    """Open from ``opens`` to ``closes`` on ``weekday`` (0 is Monday; None: every day)."""

    opens: dt.time
    closes: dt.time
    weekday: int | None = None

    def __post_init__(self) -> None:
        if self.weekday is not None and not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")
        if self.opens == self.closes:
            raise ValueError("an opening window must not open and close at the same time")

    @property
    def crosses_midnight(self) -> bool:
        return self.closes < self.opens

    def applies_on(self, day: dt.date) -> bool:
        return self.weekday is None or day.weekday() == self.weekday

    def interval_on(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """The window that opens on ``day``, as local start and end."""
        start = dt.datetime.combine(day, self.opens)
        end = dt.datetime.combine(day + DAY if self.crosses_midnight else day, self.closes)
        return start, end


@dataclass(frozen=True)
class Interval:
    """A stretch of local time, start included and end excluded."""

    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("an interval must end after it starts")

    def covers(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class HourCoverage:
    """One opening hour of the rota: how many workers are on for all of it."""

    start: dt.datetime
    end: dt.datetime
    workers: int
    required: int

    @property
    def covered(self) -> bool:
        return self.workers >= self.required


class OpeningHours:
    """A set of opening windows."""

    def __init__(self, windows: Iterable[OpeningWindow]) -> None:
        self.windows: tuple[OpeningWindow, ...] = tuple(windows)

    def __repr__(self) -> str:
        return f"OpeningHours({list(self.windows)!r})"

    def intervals(self, first_day: dt.date, last_day: dt.date) -> list[Interval]:
        """The windows opening on each day from ``first_day`` to ``last_day``, merged where
        they touch or overlap, in time order."""
        raw: list[tuple[dt.datetime, dt.datetime]] = []
        day = first_day
        while day <= last_day:
            raw += [w.interval_on(day) for w in self.windows if w.applies_on(day)]
            day += DAY
        merged: list[list[dt.datetime]] = []
        for start, end in sorted(raw):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        return [Interval(start, end) for start, end in merged]

    def is_open(self, at: dt.datetime) -> bool:
        """Whether the local time ``at`` falls within a window (a window that opened the
        evening before and runs past midnight counts)."""
        if at.tzinfo is not None:
            raise ValueError("is_open takes a local time without a time zone")
        day = at.date()
        return any(i.start <= at < i.end for i in self.intervals(day - DAY, day))

    def hours(self, first_day: dt.date, last_day: dt.date) -> list[Interval]:
        """Each opening hour of windows opening from ``first_day`` to ``last_day``: hour
        slots counted from each window's opening; a last part-hour is its own slot."""
        slots = []
        for interval in self.intervals(first_day, last_day):
            start = interval.start
            while start < interval.end:
                end = min(start + HOUR, interval.end)
                slots.append(Interval(start, end))
                start = end
        return slots


def workers_throughout(slot: Interval, shifts: Sequence[Interval]) -> int:
    """The fewest workers on at any moment of ``slot``, given each worker's shifts."""
    overlapping = [s for s in shifts if s.overlaps(slot)]
    if not overlapping:
        return 0
    cuts = sorted(
        {slot.start, slot.end}
        | {t for s in overlapping for t in (s.start, s.end) if slot.start < t < slot.end}
    )
    fewest = None
    for start, end in itertools.pairwise(cuts):
        piece = Interval(start, end)
        on = sum(1 for s in overlapping if s.covers(piece))
        fewest = on if fewest is None else min(fewest, on)
    return fewest or 0


def rota_coverage(
    opening: OpeningHours,
    shifts: Iterable[Interval],
    first_day: dt.date,
    last_day: dt.date,
    *,
    required: int = 1,
) -> list[HourCoverage]:
    """Every opening hour from ``first_day`` to ``last_day`` with the workers on for all of
    it. An hour is covered only when ``required`` workers are on from its start to its
    end; a worker who leaves half way does not cover it."""
    if required < 1:
        raise ValueError(f"at least one worker must be required, not {required}")
    shifts = list(shifts)
    return [
        HourCoverage(
            start=slot.start,
            end=slot.end,
            workers=workers_throughout(slot, shifts),
            required=required,
        )
        for slot in opening.hours(first_day, last_day)
    ]


def uncovered_hours(
    opening: OpeningHours,
    shifts: Iterable[Interval],
    first_day: dt.date,
    last_day: dt.date,
    *,
    required: int = 1,
) -> list[HourCoverage]:
    """The opening hours the rota leaves without ``required`` workers throughout."""
    return [
        hour
        for hour in rota_coverage(opening, shifts, first_day, last_day, required=required)
        if not hour.covered
    ]


def week_starting(day: dt.date) -> dt.date:
    """The Monday of the week ``day`` is in."""
    return day - dt.timedelta(days=day.weekday())
