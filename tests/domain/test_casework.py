import datetime as dt

import pytest

from earlyhelp.domain.calendar import WorkingCalendar
from earlyhelp.domain.casework import (
    CaseStatus,
    RequestStatus,
    Timescales,
    TransitionNotAllowed,
    allocation_due_by,
    check_case_action,
    initial_visit_due_by,
    is_re_referral,
    is_twelve_week_review,
    next_case_status,
    next_request_status,
    next_review_due_by,
    review_overdue_after,
)
from earlyhelp.domain.people import format_urn, young_person_age_problem

CAL = WorkingCalendar()
T = Timescales()


def test_a_request_without_consent_is_returned_and_cannot_be_allocated():
    assert (
        next_request_status("receive_without_consent", None) is RequestStatus.RETURNED_FOR_CONSENT
    )
    with pytest.raises(TransitionNotAllowed) as error:
        next_request_status("allocate", RequestStatus.RETURNED_FOR_CONSENT)
    assert error.value.rule == "request_allocate"


def test_a_request_is_allocated_once():
    assert (
        next_request_status("allocate", RequestStatus.AWAITING_ALLOCATION)
        is RequestStatus.ALLOCATED
    )
    with pytest.raises(TransitionNotAllowed):
        next_request_status("allocate", RequestStatus.ALLOCATED)


def test_a_case_cannot_be_closed_before_a_decision():
    with pytest.raises(TransitionNotAllowed) as error:
        next_case_status("request_closure", CaseStatus.ASSESSMENT)
    assert "closure" in str(error.value)


def test_level_2_plan_can_step_up_to_escalation():
    assert next_case_status("decide_level_2", CaseStatus.ASSESSMENT) is CaseStatus.PLANNING
    assert next_case_status("decide_level_3_4", CaseStatus.PLANNING) is CaseStatus.ESCALATED


def test_reviews_only_happen_on_a_plan():
    check_case_action("review", CaseStatus.PLANNING)
    with pytest.raises(TransitionNotAllowed):
        check_case_action("review", CaseStatus.ASSESSMENT)


def test_allocation_due_counts_five_working_days_over_christmas():
    # Received Wednesday 23 December 2026: 24 Dec, 29, 30, 31 Dec, 4 Jan (25, 28 Dec
    # and 1 Jan are bank holidays).
    assert allocation_due_by(dt.date(2026, 12, 23), CAL, T) == dt.date(2027, 1, 4)


def test_initial_visit_due_seven_working_days_after_allocation_over_easter():
    # Allocated Thursday 2 April 2026: Good Friday 3 and Easter Monday 6 April are skipped,
    # so the seventh working day is Wednesday 15 April.
    assert initial_visit_due_by(dt.date(2026, 4, 2), CAL, T) == dt.date(2026, 4, 15)


def test_reviews_due_six_weeks_after_the_plan_starts_and_overdue_after_eight():
    start = dt.date(2026, 1, 5)
    assert next_review_due_by(start, T) == dt.date(2026, 2, 16)
    assert review_overdue_after(start, T) == dt.date(2026, 3, 2)


def test_the_twelve_week_review_is_the_one_at_eleven_weeks_or_later():
    start = dt.date(2026, 1, 5)
    assert not is_twelve_week_review(start, start + dt.timedelta(weeks=6), T)
    assert is_twelve_week_review(start, start + dt.timedelta(weeks=12), T)


def test_re_referral_within_twelve_months_of_closure():
    closed = dt.date(2025, 12, 1)
    assert is_re_referral(closed, dt.date(2026, 12, 1))
    assert not is_re_referral(closed, dt.date(2026, 12, 2))
    assert not is_re_referral(None, dt.date(2026, 12, 2))


def test_ages_outside_the_service_are_refused():
    today = dt.date(2026, 11, 24)
    assert young_person_age_problem(dt.date(2027, 1, 1), has_send=False, today=today)
    assert young_person_age_problem(dt.date(2006, 11, 23), has_send=False, today=today)
    assert young_person_age_problem(dt.date(2006, 11, 23), has_send=True, today=today) is None
    assert young_person_age_problem(dt.date(2000, 11, 23), has_send=True, today=today)
    assert young_person_age_problem(dt.date(2007, 11, 25), has_send=False, today=today) is None


def test_urn_in_the_configured_format():
    assert (
        format_urn(template="{prefix}-{year}-{number:06d}", prefix="LAN", year=2026, number=123)
        == "LAN-2026-000123"
    )
