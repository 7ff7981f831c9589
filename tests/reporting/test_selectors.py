"""Each dashboard figure against the hand-built data set (tests/reporting/data.py)."""

from __future__ import annotations

import pytest

from earlyhelp.reporting import selectors
from earlyhelp.reporting.selectors import DashboardFilters
from tests.reporting.data import Q_FROM, Q_TO, TODAY, build_reporting_data


@pytest.fixture
def data(world):
    return build_reporting_data(world)


@pytest.fixture
def board(world, data):
    return selectors.performance_dashboard(
        user=world.head, filters=DashboardFilters(date_from=Q_FROM, date_to=Q_TO), today=TODAY
    )


def ids(board, figure):
    return set(board.behind[figure][1])


def test_requests_received_returned_and_acknowledged(board, data):
    assert board.received == 5
    assert board.returned_for_consent == 1
    assert board.acknowledged == 2
    assert ids(board, "returned-for-consent") == {data.e.pk}
    assert ids(board, "acknowledged") == {data.a.request_id, data.b.request_id}


def test_re_referral_just_inside_twelve_months_counts_and_exactly_twelve_does_not(board, data):
    assert board.re_referrals == 1
    assert ids(board, "re-referrals") == {data.a.request_id}


def test_allocation_within_five_working_days_leaves_out_bank_holidays(board, data):
    assert board.allocation.counted == 4
    assert board.allocation.on_time == 3
    assert ids(board, "allocated-late") == {data.b.pk}
    # Working days: A 3 (over Easter), B 6 (over 4 May), C 1, D 5: median 4.
    assert board.allocation.median_days == 4
    assert board.allocation.share == 0.75


def test_initial_visit_within_seven_working_days(board, data):
    assert board.initial_visit.counted == 4
    assert ids(board, "initial-visits-on-time") == {data.a.pk, data.b.pk}
    assert ids(board, "initial-visits-late") == {data.c.pk, data.d.pk}
    assert board.initial_visit.median_days == 7


def test_an_unvisited_case_not_yet_due_is_not_counted(world, data):
    board = selectors.performance_dashboard(
        user=world.head,
        filters=DashboardFilters(date_from=Q_FROM, date_to=Q_TO),
        today=data.d.allocated_at.date(),
    )
    assert data.d.pk not in ids(board, "initial-visits")


def test_reviews_on_time_against_the_plan_start_or_previous_review(board, data):
    assert board.reviews.counted == 2
    assert board.reviews.on_time == 1
    assert ids(board, "reviews-late") == {data.b.pk}


def test_open_cases_by_level_and_type_against_the_profile(board, data):
    assert board.open_cases == 3
    levels = {row.key: row.count for row in board.open_by_level}
    assert levels == {"none": 1, "1": 0, "2": 2, "3-4": 0}
    types = {row.key: (row.count, row.share, row.profile_share) for row in board.open_by_type}
    assert types["L2A"] == (1, 0.5, 0.40)
    assert types["L2B"] == (1, 0.5, 0.50)
    assert types["L3"] == (0, 0.0, 0.05)
    assert ids(board, "open-level-none") == {data.d.pk}


def test_closures_by_reason_step_ups_and_step_downs(board, data):
    assert board.closed == 1
    reasons = {row.key: row.count for row in board.closures_by_reason}
    assert reasons["needs_met"] == 1
    assert sum(reasons.values()) == 1
    assert ids(board, "step-ups") == {data.b.pk}
    assert ids(board, "step-downs") == {data.e.pk}


def test_group_sessions_and_talkzone(board):
    assert board.group_sessions_planned == 3
    assert board.group_sessions_delivered == 2
    assert board.talkzone_in_hours == 3
    assert board.talkzone_out_of_hours == 1


def test_a_team_filter_narrows_every_case_figure(world, data):
    board = selectors.performance_dashboard(
        user=world.head,
        filters=DashboardFilters(date_from=Q_FROM, date_to=Q_TO, team_id=world.other_team.pk),
        today=TODAY,
    )
    assert board.allocation.counted == 1
    assert ids(board, "allocated") == {data.d.pk}
    assert board.received == 2  # D, and E held by the Lancaster team
    assert board.talkzone_in_hours == 0  # Talkzone contacts were in Preston


def test_a_locality_filter_counts_its_districts(world, data):
    board = selectors.performance_dashboard(
        user=world.head,
        filters=DashboardFilters(
            date_from=Q_FROM, date_to=Q_TO, locality_id=world.district.locality_id
        ),
        today=TODAY,
    )
    assert ids(board, "allocated") == {data.a.pk, data.b.pk, data.c.pk}
    assert board.talkzone_in_hours == 3


def test_records_behind_a_figure_are_only_those_the_user_may_open(world, data):
    filters = DashboardFilters(date_from=Q_FROM, date_to=Q_TO)
    behind = selectors.records_behind(user=world.manager, filters=filters, figure="allocated")
    assert behind.counted == 4
    assert set(behind.visible_ids) == {data.a.pk, data.b.pk, data.c.pk}
    other = selectors.records_behind(user=world.other_manager, filters=filters, figure="allocated")
    assert other.visible_ids == [data.d.pk]


def test_an_unknown_figure_is_refused(world, data):
    with pytest.raises(selectors.UnknownFigure):
        selectors.records_behind(
            user=world.head, filters=DashboardFilters(date_from=Q_FROM, date_to=Q_TO), figure="x"
        )
