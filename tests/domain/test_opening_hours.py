"""Opening hours: in-hours or out-of-hours of a time, windows past midnight, and the rota
check that flags every opening hour no worker covers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from earlyhelp.domain.opening_hours import (
    Interval,
    OpeningHours,
    OpeningWindow,
    rota_coverage,
    uncovered_hours,
    week_starting,
    workers_throughout,
)

T = dt.time
D = dt.date
DT = dt.datetime
TALKZONE = OpeningHours([OpeningWindow(opens=T(14), closes=T(22))])
LATE_LINE = OpeningHours([OpeningWindow(opens=T(20), closes=T(2))])
MONDAY = D(2026, 3, 2)


@pytest.mark.parametrize(
    ("at", "open_"),
    [
        (DT(2026, 3, 2, 13, 59), False),
        (DT(2026, 3, 2, 14, 0), True),
        (DT(2026, 3, 2, 21, 59, 59), True),
        (DT(2026, 3, 2, 22, 0), False),
        (DT(2026, 12, 25, 15, 0), True),  # 365 days a year
        (DT(2026, 3, 3, 1, 0), False),
    ],
)
def test_talkzone_is_open_from_two_until_ten_every_day(at, open_):
    assert TALKZONE.is_open(at) is open_


@pytest.mark.parametrize(
    ("at", "open_"),
    [
        (DT(2026, 3, 2, 19, 59), False),
        (DT(2026, 3, 2, 20, 0), True),
        (DT(2026, 3, 2, 23, 59), True),
        (DT(2026, 3, 3, 0, 0), True),
        (DT(2026, 3, 3, 1, 59), True),
        (DT(2026, 3, 3, 2, 0), False),
        (DT(2026, 3, 3, 12, 0), False),
    ],
)
def test_a_window_past_midnight_is_open_after_midnight_until_it_closes(at, open_):
    assert LATE_LINE.is_open(at) is open_


def test_a_friday_only_window_past_midnight_is_open_early_on_saturday_not_on_friday_morning():
    friday_nights = OpeningHours([OpeningWindow(opens=T(21), closes=T(3), weekday=4)])
    friday, saturday = D(2026, 3, 6), D(2026, 3, 7)

    assert friday_nights.is_open(dt.datetime.combine(saturday, T(2, 30)))
    assert not friday_nights.is_open(dt.datetime.combine(friday, T(2, 30)))
    assert not friday_nights.is_open(dt.datetime.combine(D(2026, 3, 8), T(2, 30)))


def test_is_open_refuses_an_aware_time():
    with pytest.raises(ValueError, match="local time"):
        TALKZONE.is_open(DT(2026, 3, 2, 15, tzinfo=dt.UTC))


def test_a_window_that_opens_and_closes_at_once_is_refused():
    with pytest.raises(ValueError, match="same time"):
        OpeningWindow(opens=T(14), closes=T(14))


def test_talkzone_has_eight_opening_hours_a_day_and_56_a_week():
    hours = TALKZONE.hours(MONDAY, MONDAY + dt.timedelta(days=6))

    assert len(hours) == 56
    assert hours[0] == Interval(DT(2026, 3, 2, 14), DT(2026, 3, 2, 15))
    assert hours[-1] == Interval(DT(2026, 3, 8, 21), DT(2026, 3, 8, 22))


def test_a_part_hour_at_the_end_of_a_window_is_its_own_slot():
    opening = OpeningHours([OpeningWindow(opens=T(14, 30), closes=T(16))])

    assert [(h.start.time(), h.end.time()) for h in opening.hours(MONDAY, MONDAY)] == [
        (T(14, 30), T(15, 30)),
        (T(15, 30), T(16)),
    ]


def test_a_full_rota_leaves_no_hour_uncovered():
    shifts = [
        Interval(DT(2026, 3, 2, 14), DT(2026, 3, 2, 18)),
        Interval(DT(2026, 3, 2, 18), DT(2026, 3, 2, 22)),
    ]

    assert uncovered_hours(TALKZONE, shifts, MONDAY, MONDAY) == []


def test_every_hour_without_a_worker_is_flagged():
    shifts = [Interval(DT(2026, 3, 2, 14), DT(2026, 3, 2, 17))]

    gaps = uncovered_hours(TALKZONE, shifts, MONDAY, MONDAY)

    assert [g.start.hour for g in gaps] == [17, 18, 19, 20, 21]
    assert all(g.workers == 0 for g in gaps)


def test_an_hour_a_worker_leaves_half_way_through_is_not_covered():
    shifts = [
        Interval(DT(2026, 3, 2, 14), DT(2026, 3, 2, 18, 30)),
        Interval(DT(2026, 3, 2, 19), DT(2026, 3, 2, 22)),
    ]

    gaps = uncovered_hours(TALKZONE, shifts, MONDAY, MONDAY)

    assert [(g.start.hour, g.workers) for g in gaps] == [(18, 0)]


def test_two_half_hour_shifts_back_to_back_cover_the_hour():
    shifts = [
        Interval(DT(2026, 3, 2, 14), DT(2026, 3, 2, 14, 30)),
        Interval(DT(2026, 3, 2, 14, 30), DT(2026, 3, 2, 15)),
    ]

    assert workers_throughout(Interval(DT(2026, 3, 2, 14), DT(2026, 3, 2, 15)), shifts) == 1


def test_a_shift_past_midnight_covers_the_late_lines_hours_after_midnight():
    shifts = [Interval(DT(2026, 3, 2, 20), DT(2026, 3, 3, 1))]

    gaps = uncovered_hours(LATE_LINE, shifts, MONDAY, MONDAY)

    assert [g.start for g in gaps] == [DT(2026, 3, 3, 1)]


def test_two_workers_required_flags_hours_with_one():
    shifts = [
        Interval(DT(2026, 3, 2, 14), DT(2026, 3, 2, 22)),
        Interval(DT(2026, 3, 2, 14), DT(2026, 3, 2, 20)),
    ]

    coverage = rota_coverage(TALKZONE, shifts, MONDAY, MONDAY, required=2)

    assert [h.start.hour for h in coverage if not h.covered] == [20, 21]
    assert [h.workers for h in coverage] == [2, 2, 2, 2, 2, 2, 1, 1]


def test_week_starting_is_the_monday():
    assert week_starting(D(2026, 3, 8)) == MONDAY
    assert week_starting(MONDAY) == MONDAY


minutes = st.integers(min_value=0, max_value=24 * 60 - 1)


def _time(minute: int) -> dt.time:
    return T(minute // 60, minute % 60)


@given(opens=minutes, closes=minutes, at=st.integers(min_value=0, max_value=3 * 24 * 60 - 1))
def test_is_open_agrees_with_the_window_counted_minute_by_minute(opens, closes, at):
    if opens == closes:
        return
    window = OpeningWindow(opens=_time(opens), closes=_time(closes))
    moment = DT(2026, 3, 2) + dt.timedelta(minutes=at)
    minute_of_day = at % (24 * 60)
    if closes > opens:
        expected = opens <= minute_of_day < closes
    else:
        expected = minute_of_day >= opens or minute_of_day < closes

    assert OpeningHours([window]).is_open(moment) is expected


shift_strategy = st.tuples(
    st.integers(min_value=0, max_value=14 * 60), st.integers(min_value=1, max_value=12 * 60)
)


@given(st.lists(shift_strategy, max_size=6))
def test_an_hour_is_flagged_exactly_when_some_minute_of_it_has_no_worker(raw_shifts):
    day_start = DT(2026, 3, 2, 10)
    shifts = [
        Interval(day_start + dt.timedelta(minutes=s), day_start + dt.timedelta(minutes=s + n))
        for s, n in raw_shifts
    ]
    gaps = {g.start for g in uncovered_hours(TALKZONE, shifts, MONDAY, MONDAY)}

    for slot in TALKZONE.hours(MONDAY, MONDAY):
        minute_uncovered = any(
            not any(s.start <= slot.start + dt.timedelta(minutes=m) < s.end for s in shifts)
            for m in range(60)
        )
        assert (slot.start in gaps) is minute_uncovered
