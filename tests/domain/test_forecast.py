"""The SLA forecast: free places first, then places freed at the closure rate."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from earlyhelp.domain.calendar import WorkingCalendar
from earlyhelp.domain.forecast import Waiting, closure_rate, forecast

MONDAY = dt.date(2026, 11, 30)
CALENDAR = WorkingCalendar()


def queue(*dues: dt.date) -> list[Waiting]:
    return [Waiting(request_id=i + 1, due_by=due) for i, due in enumerate(dues)]


def test_requests_fill_free_places_today():
    lines = forecast(
        queue(MONDAY, MONDAY),
        free_places=2,
        closures_per_working_day=0,
        today=MONDAY,
        calendar=CALENDAR,
    )

    assert [(line.working_day, line.expected_on, line.on_track) for line in lines] == [
        (0, MONDAY, True),
        (0, MONDAY, True),
    ]


def test_later_requests_wait_for_closures_at_the_recent_rate():
    due = CALENDAR.add_working_days(MONDAY, 5)  # Monday 7 December
    lines = forecast(
        queue(due, due, due, due),
        free_places=1,
        closures_per_working_day=Fraction(1, 2),  # a case closes every other working day
        today=MONDAY,
        calendar=CALENDAR,
    )

    assert [line.working_day for line in lines] == [0, 2, 4, 6]
    assert [line.on_track for line in lines] == [True, True, True, False]
    assert lines[3].expected_on == dt.date(2026, 12, 8)
    assert lines[3].label == "at risk: expected day 6"
    assert lines[0].label == "on track"


def test_the_queue_is_served_nearest_due_date_first():
    late, soon = MONDAY + dt.timedelta(days=9), MONDAY + dt.timedelta(days=1)
    lines = forecast(
        [Waiting(1, late), Waiting(2, soon)],
        free_places=1,
        closures_per_working_day=0,
        today=MONDAY,
        calendar=CALENDAR,
    )

    assert [(line.request_id, line.on_track) for line in lines] == [(2, True), (1, False)]
    assert lines[1].label == "at risk: no place frees up at the present rate of closures"


def test_expected_days_skip_weekends_and_bank_holidays():
    # Thursday; Friday 25 and Monday 28 December (Boxing Day's substitute) are bank holidays
    christmas_eve = dt.date(2026, 12, 24)
    lines = forecast(
        queue(dt.date(2026, 12, 30)),
        free_places=0,
        closures_per_working_day=Fraction(1, 2),
        today=christmas_eve,
        calendar=CALENDAR,
    )

    assert lines[0].working_day == 2
    assert lines[0].expected_on == dt.date(2026, 12, 30)
    assert lines[0].on_track


def test_closure_rate_is_closures_per_working_day():
    assert closure_rate(6, 20) == Fraction(3, 10)
    assert closure_rate(0, 0) == 0
    with pytest.raises(ValueError, match="cannot be negative"):
        closure_rate(-1, 5)
