"""The retention rule (domain/retention.py): destroy-after dates for closed cases,
requests that never became a case, and whole families. No database."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from earlyhelp.domain.retention import (
    FamilyRetentionFacts,
    RetentionDate,
    RetentionRule,
    RetentionRules,
    add_years,
    case_destroy_after,
    earliest_due_cutoffs,
    family_destroy_after,
    request_destroy_after,
)

RULES = RetentionRules()
dates = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2080, 12, 31))
rules = st.builds(
    RetentionRules,
    years_after_youngest_child_birth=st.integers(0, 40),
    minimum_years_after_closure=st.integers(0, 40),
    years_after_request_decision=st.integers(0, 40),
)


def test_a_closed_case_is_kept_until_the_youngest_child_is_25():
    due = case_destroy_after(
        closed_on=dt.date(2026, 3, 1), youngest_child_born_on=dt.date(2015, 6, 1), rules=RULES
    )
    assert due == RetentionDate(dt.date(2040, 6, 1), RetentionRule.YOUNGEST_CHILD)


def test_a_case_closed_when_the_child_was_nearly_25_is_kept_the_minimum_six_years():
    due = case_destroy_after(
        closed_on=dt.date(2026, 3, 1), youngest_child_born_on=dt.date(2002, 1, 1), rules=RULES
    )
    assert due == RetentionDate(dt.date(2032, 3, 1), RetentionRule.MINIMUM_AFTER_CLOSURE)


def test_with_no_child_date_of_birth_the_case_is_kept_25_years_after_closure():
    due = case_destroy_after(
        closed_on=dt.date(2026, 3, 1), youngest_child_born_on=None, rules=RULES
    )
    assert due == RetentionDate(dt.date(2051, 3, 1), RetentionRule.NO_CHILD_DATE_OF_BIRTH)


def test_a_request_that_never_became_a_case_is_kept_six_years_after_its_decision():
    due = request_destroy_after(decided_on=dt.date(2020, 2, 29), rules=RULES)
    assert due == RetentionDate(dt.date(2026, 2, 28), RetentionRule.REQUEST_DECISION)


def test_the_council_sets_the_periods():
    council = RetentionRules(
        years_after_youngest_child_birth=30,
        minimum_years_after_closure=10,
        years_after_request_decision=2,
    )
    assert case_destroy_after(
        closed_on=dt.date(2026, 1, 1), youngest_child_born_on=dt.date(2010, 1, 1), rules=council
    ).destroy_after == dt.date(2040, 1, 1)
    assert request_destroy_after(
        decided_on=dt.date(2026, 1, 1), rules=council
    ).destroy_after == dt.date(2028, 1, 1)


def test_negative_periods_are_refused():
    with pytest.raises(ValueError, match="cannot be negative"):
        RetentionRules(minimum_years_after_closure=-1)


def test_a_family_with_an_open_case_or_a_waiting_request_has_no_date():
    base = {"recorded_on": dt.date(2000, 1, 1), "last_case_closed_on": dt.date(2001, 1, 1)}
    assert family_destroy_after(FamilyRetentionFacts(**base, open_cases=1), RULES) is None
    assert family_destroy_after(FamilyRetentionFacts(**base, waiting_requests=1), RULES) is None


def test_a_family_is_kept_until_its_latest_record_may_go():
    facts = FamilyRetentionFacts(
        recorded_on=dt.date(2010, 1, 1),
        youngest_child_born_on=dt.date(1995, 1, 1),
        last_case_closed_on=dt.date(2012, 1, 1),
        last_request_decided_on=dt.date(2019, 5, 1),
    )
    assert family_destroy_after(facts, RULES) == RetentionDate(
        dt.date(2025, 5, 1), RetentionRule.REQUEST_DECISION
    )


def test_a_family_with_no_records_counts_from_when_it_was_recorded():
    facts = FamilyRetentionFacts(recorded_on=dt.date(2010, 1, 1))
    assert family_destroy_after(facts, RULES) == RetentionDate(
        dt.date(2016, 1, 1), RetentionRule.NO_RECORDS
    )


def test_a_record_is_due_the_day_after_its_destroy_after_date():
    due = RetentionDate(dt.date(2030, 1, 1), RetentionRule.YOUNGEST_CHILD)
    assert not due.is_due(dt.date(2030, 1, 1))
    assert due.is_due(dt.date(2030, 1, 2))


@given(closed=dates, born=st.none() | dates, r=rules)
def test_a_closed_case_is_never_destroyable_before_it_closed(closed, born, r):
    due = case_destroy_after(closed_on=closed, youngest_child_born_on=born, rules=r)
    assert due.destroy_after >= closed
    assert due.destroy_after >= add_years(closed, r.minimum_years_after_closure)


@given(closed=dates, born=dates, later=st.integers(0, 9000), r=rules)
def test_a_younger_child_never_shortens_the_retention(closed, born, later, r):
    younger = born + dt.timedelta(days=later)
    older_due = case_destroy_after(closed_on=closed, youngest_child_born_on=born, rules=r)
    younger_due = case_destroy_after(closed_on=closed, youngest_child_born_on=younger, rules=r)
    assert younger_due.destroy_after >= older_due.destroy_after


@given(closed=dates, later=st.integers(0, 9000), born=st.none() | dates, r=rules)
def test_a_later_closure_never_shortens_the_retention(closed, later, born, r):
    first = case_destroy_after(closed_on=closed, youngest_child_born_on=born, rules=r)
    second = case_destroy_after(
        closed_on=closed + dt.timedelta(days=later), youngest_child_born_on=born, rules=r
    )
    assert second.destroy_after >= first.destroy_after


@given(
    recorded=dates,
    born=st.none() | dates,
    closed=st.none() | dates,
    decided=st.none() | dates,
    r=rules,
)
def test_a_family_is_kept_at_least_as_long_as_each_of_its_records(
    recorded, born, closed, decided, r
):
    facts = FamilyRetentionFacts(
        recorded_on=recorded,
        youngest_child_born_on=born,
        last_case_closed_on=closed,
        last_request_decided_on=decided,
    )
    due = family_destroy_after(facts, r)
    assert due is not None
    if closed is not None:
        case = case_destroy_after(closed_on=closed, youngest_child_born_on=born, rules=r)
        assert due.destroy_after >= case.destroy_after
    if decided is not None:
        assert due.destroy_after >= request_destroy_after(decided_on=decided, rules=r).destroy_after


@given(
    born=st.none() | dates,
    closed=st.none() | dates,
    decided=st.none() | dates,
    today=dates,
    r=rules,
)
def test_the_database_prefilter_never_drops_a_family_that_is_due(born, closed, decided, today, r):
    """Whatever is due passes the cut-offs the review list's query filters on."""
    facts = FamilyRetentionFacts(
        recorded_on=dt.date(1950, 1, 1),
        youngest_child_born_on=born,
        last_case_closed_on=closed,
        last_request_decided_on=decided,
    )
    due = family_destroy_after(facts, r)
    activity_cutoff, born_cutoff = earliest_due_cutoffs(today=today, rules=r)
    if due is not None and due.is_due(today):
        assert closed is None or closed < activity_cutoff
        assert decided is None or decided < activity_cutoff
        assert closed is None or born is None or born < born_cutoff


def test_a_mistyped_far_future_date_of_birth_does_not_break_the_rule():
    due = case_destroy_after(
        closed_on=dt.date(2026, 1, 1), youngest_child_born_on=dt.date(9990, 1, 1), rules=RULES
    )
    assert due.destroy_after == dt.date.max
