"""Performance measures: working days over bank holidays, medians, shares, reviews on
time, re-referrals just inside and just outside 12 months, quarters."""

from __future__ import annotations

import datetime as dt

import pytest

from earlyhelp.domain import performance as perf
from earlyhelp.domain.calendar import WorkingCalendar

D = dt.date
CAL = WorkingCalendar()


def test_working_days_taken_counts_from_the_day_after_the_clock_starts():
    # Monday 2 March 2026 to Friday 6 March: four working days.
    assert perf.working_days_taken(CAL, D(2026, 3, 2), D(2026, 3, 6)) == 4


def test_working_days_taken_leaves_out_easter_bank_holidays():
    # Thursday 2 April 2026 to Thursday 9 April: Good Friday and Easter Monday are off,
    # so 3 working days (Tue 7, Wed 8, Thu 9), not 5.
    assert perf.working_days_taken(CAL, D(2026, 4, 2), D(2026, 4, 9)) == 3


def test_working_days_taken_leaves_out_closure_days():
    calendar = WorkingCalendar(closure_days=[D(2026, 3, 4)])
    assert perf.working_days_taken(calendar, D(2026, 3, 2), D(2026, 3, 6)) == 3


def test_a_clock_starting_at_the_weekend_starts_on_monday():
    # Saturday 7 March to Tuesday 10 March: Monday starts the clock, Tuesday is day 1.
    assert perf.working_days_taken(CAL, D(2026, 3, 7), D(2026, 3, 10)) == 1
    assert perf.working_days_taken(CAL, D(2026, 3, 7), D(2026, 3, 9)) == 0


def test_same_day_and_earlier_end_take_no_working_days():
    assert perf.working_days_taken(CAL, D(2026, 3, 4), D(2026, 3, 4)) == 0
    assert perf.working_days_taken(CAL, D(2026, 3, 4), D(2026, 3, 3)) == 0


def test_within_the_timescale_is_no_more_than_the_limit():
    assert perf.within(5, 5)
    assert not perf.within(6, 5)


def test_median_of_odd_and_even_counts_and_none_for_nothing():
    assert perf.median([3, 1, 2]) == 2
    assert perf.median([1, 2, 3, 10]) == 2.5
    assert perf.median([]) is None


def test_share_is_none_for_an_empty_whole():
    assert perf.share(1, 4) == 0.25
    assert perf.share(0, 0) is None


def test_add_months_keeps_the_day_or_takes_the_last_of_a_short_month():
    assert perf.add_months(D(2025, 6, 1), 12) == D(2026, 6, 1)
    assert perf.add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert perf.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert perf.add_months(D(2026, 3, 15), -12) == D(2025, 3, 15)
    assert perf.add_months(D(2026, 11, 30), 1) == D(2026, 12, 30)


def test_re_referral_just_inside_twelve_months():
    assert perf.is_re_referral(D(2025, 6, 2), D(2026, 6, 1))


def test_re_referral_exactly_twelve_months_after_closure_is_not_one():
    assert not perf.is_re_referral(D(2025, 6, 1), D(2026, 6, 1))


def test_no_previous_case_or_a_closure_after_receipt_is_not_a_re_referral():
    assert not perf.is_re_referral(None, D(2026, 6, 1))
    assert not perf.is_re_referral(D(2026, 6, 2), D(2026, 6, 1))
    assert perf.is_re_referral(D(2026, 6, 1), D(2026, 6, 1))


def test_reviews_on_time_each_against_the_one_before():
    held = [D(2026, 2, 26), D(2026, 5, 1)]  # 8 weeks after the plan; then 9 weeks later
    result = perf.reviews_on_time(plan_started_on=D(2026, 1, 1), held=held, interval_weeks=8)
    assert result == [(D(2026, 2, 26), True), (D(2026, 5, 1), False)]


def test_first_review_without_a_plan_start_is_on_time():
    assert perf.reviews_on_time(plan_started_on=None, held=[D(2026, 5, 1)], interval_weeks=8) == [
        (D(2026, 5, 1), True)
    ]


def test_quarters_parse_and_span_their_months():
    quarter = perf.parse_quarter("2026q3")
    assert (quarter.code, quarter.start, quarter.end) == ("2026Q3", D(2026, 7, 1), D(2026, 9, 30))
    assert perf.parse_quarter("2026Q4").end == D(2026, 12, 31)
    assert quarter.label == "July to September 2026"
    assert perf.last_complete_quarter(D(2026, 10, 1)).code == "2026Q3"
    assert perf.last_complete_quarter(D(2026, 2, 1)).code == "2025Q4"


@pytest.mark.parametrize("text", ["2026Q5", "26Q1", "1999Q1", "2101Q1", "", "2026-Q1"])
def test_nonsense_quarters_are_refused(text):
    with pytest.raises(perf.BadQuarter):
        perf.parse_quarter(text)
