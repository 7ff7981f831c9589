"""The working-day calendar: England and Wales bank holidays, closure days, and the rule
that a deadline of N working days is the Nth working day after the clock starts."""

from __future__ import annotations

import dataclasses
import datetime as dt

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from earlyhelp.domain.calendar import WorkingCalendar

D = dt.date
CALENDAR = WorkingCalendar()
# The service closes between Christmas and New Year in 2026.
CHRISTMAS_CLOSURE = WorkingCalendar(
    closure_days=[D(2026, 12, 29), D(2026, 12, 30), D(2026, 12, 31)]
)


# --- the bank holidays themselves -------------------------------------------------------

# As published on gov.uk for England and Wales (weekend days are listed where the package
# lists them, with the substitute weekday after).
BANK_HOLIDAYS_2026 = [
    D(2026, 1, 1),  # New Year's Day, Thursday
    D(2026, 4, 3),  # Good Friday
    D(2026, 4, 6),  # Easter Monday
    D(2026, 5, 4),  # Early May bank holiday
    D(2026, 5, 25),  # Spring bank holiday
    D(2026, 8, 31),  # Summer bank holiday
    D(2026, 12, 25),  # Christmas Day, Friday
    D(2026, 12, 28),  # Boxing Day (substitute day: 26 December is a Saturday)
]
BANK_HOLIDAYS_2027 = [
    D(2027, 1, 1),  # New Year's Day, Friday
    D(2027, 3, 26),  # Good Friday
    D(2027, 3, 29),  # Easter Monday
    D(2027, 5, 3),  # Early May bank holiday
    D(2027, 5, 31),  # Spring bank holiday
    D(2027, 8, 30),  # Summer bank holiday
    D(2027, 12, 27),  # Christmas Day (substitute day)
    D(2027, 12, 28),  # Boxing Day (substitute day)
]


@pytest.mark.parametrize(
    ("year", "published"), [(2026, BANK_HOLIDAYS_2026), (2027, BANK_HOLIDAYS_2027)]
)
def test_weekday_bank_holidays_match_the_published_england_and_wales_list(year, published):
    package = holidays.country_holidays("GB", subdiv="ENG", years=year)
    assert sorted(day for day in package if day.weekday() < 5) == published
    weekdays = [D(year, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    off = [day for day in weekdays if day.weekday() < 5 and not CALENDAR.is_working_day(day)]
    assert off == published


def test_england_and_wales_share_their_bank_holidays():
    england = holidays.country_holidays("GB", subdiv="ENG", years=range(2000, 2041))
    wales = holidays.country_holidays("GB", subdiv="WLS", years=range(2000, 2041))
    assert sorted(england) == sorted(wales)


def test_one_off_bank_holidays_are_not_working_days():
    assert not CALENDAR.is_working_day(D(2022, 6, 3))  # Platinum Jubilee
    assert not CALENDAR.is_working_day(D(2022, 9, 19))  # State funeral of Queen Elizabeth II
    assert not CALENDAR.is_working_day(D(2023, 5, 8))  # Coronation of King Charles III


def test_scottish_only_bank_holidays_are_working_days():
    assert CALENDAR.is_working_day(D(2026, 1, 2))  # 2 January (Scotland)
    assert CALENDAR.is_working_day(D(2026, 11, 30))  # St Andrew's Day (Scotland)


def test_weekends_are_not_working_days():
    assert not CALENDAR.is_working_day(D(2026, 3, 7))  # Saturday
    assert not CALENDAR.is_working_day(D(2026, 3, 8))  # Sunday
    assert CALENDAR.is_working_day(D(2026, 3, 9))  # Monday


def test_closure_days_are_not_working_days():
    assert CALENDAR.is_working_day(D(2026, 12, 29))
    assert not CHRISTMAS_CLOSURE.is_working_day(D(2026, 12, 29))
    assert not CHRISTMAS_CLOSURE.is_working_day(D(2026, 12, 31))


# --- next_working_day -------------------------------------------------------------------


def test_next_working_day_is_the_day_itself_when_it_is_a_working_day():
    assert CALENDAR.next_working_day(D(2026, 3, 11)) == D(2026, 3, 11)


def test_next_working_day_skips_a_weekend():
    assert CALENDAR.next_working_day(D(2026, 3, 7)) == D(2026, 3, 9)


def test_next_working_day_skips_christmas_boxing_day_substitute_and_closures():
    assert CALENDAR.next_working_day(D(2026, 12, 25)) == D(2026, 12, 29)
    assert CHRISTMAS_CLOSURE.next_working_day(D(2026, 12, 25)) == D(2027, 1, 4)


# --- add_working_days: the deadline rule ------------------------------------------------


def test_one_working_day_after_a_working_day_is_the_next_working_day():
    assert CALENDAR.add_working_days(D(2026, 3, 10), 1) == D(2026, 3, 11)  # Tue -> Wed
    assert CALENDAR.add_working_days(D(2026, 3, 13), 1) == D(2026, 3, 16)  # Fri -> Mon


def test_five_working_days_from_a_midweek_start_is_the_same_weekday_next_week():
    assert CALENDAR.add_working_days(D(2026, 3, 11), 5) == D(2026, 3, 18)


def test_allocation_due_counts_five_working_days_over_christmas():
    # Tue 22 Dec 2026: 23, 24, (25 Christmas, 26-27 weekend, 28 Boxing Day substitute), 29, 30, 31.
    assert CALENDAR.add_working_days(D(2026, 12, 22), 5) == D(2026, 12, 31)


def test_closure_days_extend_a_deadline_over_christmas_and_new_year():
    # 23, 24, then closed 29-31 Dec, New Year's Day Fri 1 Jan 2027, so 4, 5, 6 Jan.
    assert CHRISTMAS_CLOSURE.add_working_days(D(2026, 12, 22), 5) == D(2027, 1, 6)


def test_one_working_day_after_new_years_eve_skips_new_years_day():
    assert CALENDAR.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_deadline_over_easter_skips_good_friday_and_easter_monday():
    # Thu 2 Apr 2026: (3 Good Friday, 4-5 weekend, 6 Easter Monday), 7, 8, 9, 10, 13.
    assert CALENDAR.add_working_days(D(2026, 4, 2), 5) == D(2026, 4, 13)


def test_initial_visit_due_counts_seven_working_days_over_the_early_may_bank_holiday():
    # Wed 29 Apr 2026: 30 Apr, 1 May, (4 May bank holiday), 5, 6, 7, 8, 11 May.
    assert CALENDAR.add_working_days(D(2026, 4, 29), 7) == D(2026, 5, 11)


def test_a_clock_starting_on_a_saturday_starts_on_the_monday():
    # Sat 7 Mar 2026: the clock starts Mon 9 Mar; five working days later is Mon 16 Mar.
    assert CALENDAR.add_working_days(D(2026, 3, 7), 5) == D(2026, 3, 16)
    assert CALENDAR.add_working_days(D(2026, 3, 7), 1) == D(2026, 3, 10)


def test_a_clock_starting_on_a_bank_holiday_starts_on_the_next_working_day():
    # Good Friday and Easter Monday 2026 both start the clock on Tue 7 Apr.
    assert CALENDAR.add_working_days(D(2026, 4, 3), 5) == D(2026, 4, 14)
    assert CALENDAR.add_working_days(D(2026, 4, 6), 5) == D(2026, 4, 14)


def test_a_clock_starting_on_christmas_day_starts_after_the_boxing_day_substitute():
    # Starts Tue 29 Dec 2026: 30, 31, (1 Jan New Year's Day), 4, 5, 6 Jan 2027.
    assert CALENDAR.add_working_days(D(2026, 12, 25), 5) == D(2027, 1, 6)


def test_zero_working_days_is_the_day_the_clock_starts():
    assert CALENDAR.add_working_days(D(2026, 3, 11), 0) == D(2026, 3, 11)
    assert CALENDAR.add_working_days(D(2026, 3, 7), 0) == D(2026, 3, 9)


def test_a_negative_number_of_working_days_is_refused():
    with pytest.raises(ValueError, match="negative"):
        CALENDAR.add_working_days(D(2026, 3, 11), -1)


def test_a_closure_on_a_weekend_or_bank_holiday_changes_nothing():
    closed_anyway = WorkingCalendar(
        closure_days=[D(2026, 12, 25), D(2026, 12, 26), D(2026, 12, 28)]
    )
    assert closed_anyway.add_working_days(D(2026, 12, 22), 5) == D(2026, 12, 31)
    assert closed_anyway.working_days_between(D(2026, 12, 1), D(2027, 1, 31)) == (
        CALENDAR.working_days_between(D(2026, 12, 1), D(2027, 1, 31))
    )


# --- working_days_between: days left and days overdue -----------------------------------


def test_days_left_count_the_working_days_after_today_up_to_the_due_date():
    # Mon 21 Dec 2026 to Thu 31 Dec: 22, 23, 24, 29, 30, 31.
    assert CALENDAR.working_days_between(D(2026, 12, 21), D(2026, 12, 31)) == 6


def test_days_overdue_are_negative():
    # Due Thu 31 Dec 2026, today Mon 4 Jan 2027: one working day (4 Jan) has passed.
    assert CALENDAR.working_days_between(D(2027, 1, 4), D(2026, 12, 31)) == -1


def test_due_today_is_zero_days_left():
    assert CALENDAR.working_days_between(D(2026, 3, 11), D(2026, 3, 11)) == 0


def test_from_a_saturday_the_monday_is_one_working_day_left():
    assert CALENDAR.working_days_between(D(2026, 3, 7), D(2026, 3, 9)) == 1


def test_from_a_saturday_a_deadline_on_the_friday_before_is_zero_not_yet_overdue_a_day():
    assert CALENDAR.working_days_between(D(2026, 3, 7), D(2026, 3, 6)) == 0


def test_a_clock_on_a_non_working_day_counts_from_the_next_working_day():
    start = D(2026, 12, 25)
    due = CALENDAR.add_working_days(start, 5)
    assert CALENDAR.working_days_between(CALENDAR.next_working_day(start), due) == 5
    # Counted from the holiday itself, the first working day after it is counted too.
    assert CALENDAR.working_days_between(start, due) == 6


def test_closure_days_are_not_counted_as_days_left():
    assert CHRISTMAS_CLOSURE.working_days_between(D(2026, 12, 21), D(2027, 1, 4)) == 4


def test_counting_across_ten_years_does_not_walk_day_by_day(monkeypatch):
    calls = 0
    original = WorkingCalendar.is_working_day

    def counted(self, day):
        nonlocal calls
        calls += 1
        return original(self, day)

    monkeypatch.setattr(WorkingCalendar, "is_working_day", counted)
    count = CALENDAR.working_days_between(D(2016, 1, 1), D(2026, 1, 1))
    due = CALENDAR.add_working_days(D(2016, 1, 4), count)
    assert calls <= 5
    assert count == reference_between(D(2016, 1, 1), D(2026, 1, 1), frozenset())
    assert due == D(2026, 1, 2)


# --- the calendar as a value ------------------------------------------------------------


def test_calendars_with_the_same_closures_are_equal_and_hash_alike():
    a = WorkingCalendar(closure_days=[D(2026, 12, 29), D(2026, 12, 30)])
    b = WorkingCalendar(closure_days=(d for d in (D(2026, 12, 30), D(2026, 12, 29))))
    assert a == b
    assert hash(a) == hash(b)
    assert a != CALENDAR
    assert a.closure_days == frozenset({D(2026, 12, 29), D(2026, 12, 30)})


def test_a_calendar_cannot_be_changed():
    with pytest.raises(dataclasses.FrozenInstanceError):
        CALENDAR.closure_days = frozenset({D(2026, 12, 29)})  # type: ignore[misc]


def test_a_closure_day_must_be_a_date_not_a_datetime():
    with pytest.raises(TypeError, match="dates"):
        WorkingCalendar(closure_days=[dt.datetime(2026, 12, 29, tzinfo=dt.UTC)])


# --- properties against a slow day-by-day reference -------------------------------------

_REFERENCE_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG")


def reference_is_working(day: dt.date, closures: frozenset[dt.date]) -> bool:
    return day.weekday() < 5 and day not in _REFERENCE_HOLIDAYS and day not in closures


def reference_add(start: dt.date, n: int, closures: frozenset[dt.date]) -> dt.date:
    day = start
    while not reference_is_working(day, closures):
        day += dt.timedelta(days=1)
    for _ in range(n):
        day += dt.timedelta(days=1)
        while not reference_is_working(day, closures):
            day += dt.timedelta(days=1)
    return day


def reference_between(a: dt.date, b: dt.date, closures: frozenset[dt.date]) -> int:
    low, high = min(a, b), max(a, b)
    count = 0
    day = low + dt.timedelta(days=1)
    while day <= high:
        count += reference_is_working(day, closures)
        day += dt.timedelta(days=1)
    return count if a <= b else -count


dates = st.dates(min_value=D(2018, 1, 1), max_value=D(2034, 12, 31))
# Closures cluster around the dates drawn so that they often fall inside a range.
closures = st.frozensets(st.dates(min_value=D(2025, 1, 1), max_value=D(2027, 12, 31)), max_size=60)
calendars = closures.map(WorkingCalendar)
working_days_to_add = st.integers(min_value=0, max_value=400)


@given(calendar=calendars, start=dates, n=working_days_to_add)
def test_a_deadline_is_always_a_working_day(calendar, start, n):
    assert calendar.is_working_day(calendar.add_working_days(start, n))


@given(calendar=calendars, start=dates, n=working_days_to_add)
def test_a_longer_deadline_is_always_later(calendar, start, n):
    assert calendar.add_working_days(start, n + 1) > calendar.add_working_days(start, n)


@given(calendar=calendars, start=dates, n=working_days_to_add)
def test_a_deadline_matches_counting_day_by_day(calendar, start, n):
    assert calendar.add_working_days(start, n) == reference_add(start, n, calendar.closure_days)


@given(calendar=calendars, start=dates, n=working_days_to_add)
def test_counting_from_the_clock_start_to_the_deadline_gives_back_n(calendar, start, n):
    due = calendar.add_working_days(start, n)
    assert calendar.working_days_between(calendar.next_working_day(start), due) == n
    if calendar.is_working_day(start):
        assert calendar.working_days_between(start, due) == n


@given(calendar=calendars, a=dates, b=dates)
def test_counting_backwards_is_the_mirror_of_counting_forwards(calendar, a, b):
    assert calendar.working_days_between(a, b) == -calendar.working_days_between(b, a)


@given(calendar=calendars, a=dates, b=dates)
def test_working_days_between_matches_counting_day_by_day(calendar, a, b):
    expected = reference_between(a, b, calendar.closure_days)
    assert calendar.working_days_between(a, b) == expected


@given(calendar=calendars, day=dates)
def test_next_working_day_is_the_first_working_day_on_or_after_the_day(calendar, day):
    result = calendar.next_working_day(day)
    assert result == reference_add(day, 0, calendar.closure_days)
    assert calendar.is_working_day(result)
    assert calendar.is_working_day(day) == (result == day)
