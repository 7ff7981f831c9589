from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from earlyhelp.domain.caseload import (
    SEED_VISIT_EVERY_WEEKS,
    CaseloadRules,
    annual_view,
    assess_worker,
    weekly_capacity,
    weekly_demand,
)

RULES = CaseloadRules()
# Appendix C's "Caseload Allocation - 18 cases": the profile of 5/40/50/5 per cent.
SEED_MIXED_CASELOAD = {"L3": 1, "L2A": 7, "L2B": 9, "L2-L1": 1}


def test_a_full_time_worker_has_11_slots_a_week_506_a_year_and_18_cases():
    assert weekly_capacity(1.0, rules=RULES) == 11
    assert annual_view(1.0, slots_used=0, cases_this_year=0, rules=RULES).slots_available == 506
    assert assess_worker(1.0, open_cases_by_type={}, rules=RULES).caseload_limit == 18


def test_visits_a_week_follow_the_case_type():
    assert weekly_demand({"L3": 1}, rules=RULES) == 1
    assert weekly_demand({"L2A": 1}, rules=RULES) == 1
    assert weekly_demand({"L2B": 1}, rules=RULES) == 0.5
    assert weekly_demand({"L2-L1": 1}, rules=RULES) == 0.5


def test_the_seed_mixed_caseload_of_18_needs_13_visits_a_week_more_than_11_slots():
    # 1 + 7 + 4.5 + 0.5 = 13 visits against 11 slots: the seed's "exceeds (by c.15%)".
    flags = assess_worker(1.0, open_cases_by_type=SEED_MIXED_CASELOAD, rules=RULES)

    assert flags.open_cases == 18
    assert flags.demand_slots == 13
    assert flags.capacity_slots == 11
    assert flags.headroom_slots == -2
    assert flags.over_capacity
    assert not flags.over_caseload  # 18 is the limit, not over it
    assert flags.headroom_cases == 0
    assert flags.flagged


def test_a_caseload_within_both_limits_is_not_flagged():
    flags = assess_worker(1.0, open_cases_by_type={"L2A": 5, "L2B": 10}, rules=RULES)

    assert flags.demand_slots == 10
    assert flags.headroom_slots == 1
    assert flags.headroom_cases == 3
    assert not flags.flagged


def test_more_than_18_cases_per_fte_is_flagged_even_with_slots_to_spare():
    flags = assess_worker(1.0, open_cases_by_type={"L2B": 19}, rules=RULES)

    assert flags.demand_slots == 9.5
    assert not flags.over_capacity
    assert flags.over_caseload
    assert flags.headroom_cases == -1
    assert flags.flagged


def test_a_half_time_worker_has_half_the_slots_and_half_the_caseload():
    assert weekly_capacity(0.5, rules=RULES) == 5.5
    assert annual_view(0.5, slots_used=0, cases_this_year=0, rules=RULES).slots_available == 253

    at_limit = assess_worker(0.5, open_cases_by_type={"L2B": 9}, rules=RULES)
    assert at_limit.caseload_limit == 9
    assert not at_limit.over_caseload
    assert not at_limit.over_capacity  # 4.5 visits in 5.5 slots

    over = assess_worker(Decimal("0.5"), open_cases_by_type={"L2A": 6, "L2B": 4}, rules=RULES)
    assert over.over_caseload
    assert over.demand_slots == 8
    assert over.over_capacity


def test_headroom_in_cases_is_whole_cases_below_the_limit():
    # 18 x 0.3 = 5.4 cases: a worker holding 5 has no room for a whole sixth.
    flags = assess_worker(0.3, open_cases_by_type={"L2B": 5}, rules=RULES)

    assert flags.caseload_limit == pytest.approx(5.4)
    assert flags.headroom_cases == 0
    assert not flags.over_caseload


def test_a_fte_typed_as_a_float_is_read_exactly():
    # 11 x 0.3 is 3.3000000000000003 in floats; a 3.3-visit demand must not be flagged.
    assert weekly_capacity(0.3, rules=RULES) == 3.3


def test_a_day_of_leave_removes_a_fifth_of_the_week():
    assert weekly_capacity(1.0, rules=RULES, leave_days_in_week=1) == pytest.approx(8.8)
    assert weekly_capacity(1.0, rules=RULES, leave_days_in_week=2.5) == 5.5
    assert weekly_capacity(0.5, rules=RULES, leave_days_in_week=1) == pytest.approx(4.4)
    assert weekly_capacity(1.0, rules=RULES, leave_days_in_week=5) == 0


def test_protected_time_of_two_and_a_half_hours_removes_one_slot():
    assert weekly_capacity(1.0, rules=RULES, protected_hours=2.5) == 10
    assert weekly_capacity(1.0, rules=RULES, protected_hours=5) == 9
    assert weekly_capacity(1.0, rules=RULES, protected_hours=3.75) == 9.5


def test_leave_and_protected_time_together_never_take_capacity_below_zero():
    assert weekly_capacity(1.0, rules=RULES, leave_days_in_week=1, protected_hours=5) == (
        pytest.approx(6.8)
    )
    assert weekly_capacity(0.2, rules=RULES, leave_days_in_week=4, protected_hours=30) == 0


def test_leave_turns_a_full_caseload_into_an_over_capacity_flag():
    flags = assess_worker(
        1.0, open_cases_by_type={"L2A": 5, "L2B": 10}, rules=RULES, leave_days_in_week=1
    )

    assert flags.capacity_slots == pytest.approx(8.8)
    assert flags.headroom_slots == pytest.approx(-1.2)
    assert flags.over_capacity


def test_a_case_still_in_assessment_counts_as_l2a():
    assert weekly_demand({None: 3}, rules=RULES) == 3
    assert weekly_demand({None: 2, "L2B": 2}, rules=RULES) == 3


def test_a_case_in_assessment_counts_as_the_configured_type():
    rules = CaseloadRules(assessment_counts_as="L2B")

    assert weekly_demand({None: 3}, rules=rules) == 1.5


def test_rules_from_the_configured_visit_intervals_match_the_seed_defaults():
    rules = CaseloadRules.from_configuration(visit_every_weeks=SEED_VISIT_EVERY_WEEKS)

    assert rules == RULES
    assert rules.slots_per_year_per_fte == 506


def test_configured_values_change_the_model():
    rules = CaseloadRules.from_configuration(
        visit_every_weeks={"L3": 1, "L2A": 1, "L2B": 3},
        slots_per_week=10,
        working_weeks_per_year=44,
        caseload_per_fte=16,
    )

    assert weekly_capacity(1.0, rules=rules) == 10
    assert rules.slots_per_year_per_fte == 440
    assert weekly_demand({"L2B": 3}, rules=rules) == 1  # a visit every 3 weeks, exactly
    assert assess_worker(1.0, open_cases_by_type={"L2B": 17}, rules=rules).over_caseload


def test_the_annual_view_counts_slots_used_and_cases_per_fte():
    view = annual_view(0.5, slots_used=200, cases_this_year=30, rules=RULES)

    assert view.slots_available == 253
    assert view.slots_remaining == 53
    assert view.share_used == pytest.approx(200 / 253)
    assert view.cases_per_fte == 60  # the seed's "around 60 cases" per FTE a year


def test_the_annual_view_shows_slots_used_beyond_the_year():
    view = annual_view(1.0, slots_used=550, cases_this_year=70, rules=RULES)

    assert view.slots_remaining == -44
    assert view.share_used > 1


@pytest.mark.parametrize("fte", [0, -0.5, 1.01, 2, float("nan"), Decimal("1.5")])
def test_fte_outside_zero_to_one_is_rejected(fte):
    with pytest.raises(ValueError, match="fte"):
        weekly_capacity(fte, rules=RULES)
    with pytest.raises(ValueError, match="fte"):
        assess_worker(fte, open_cases_by_type={}, rules=RULES)
    with pytest.raises(ValueError, match="fte"):
        annual_view(fte, slots_used=0, cases_this_year=0, rules=RULES)


def test_negative_leave_or_protected_time_is_rejected():
    with pytest.raises(ValueError, match="leave_days_in_week"):
        weekly_capacity(1.0, rules=RULES, leave_days_in_week=-1)
    with pytest.raises(ValueError, match="protected_hours"):
        weekly_capacity(1.0, rules=RULES, protected_hours=-2.5)
    with pytest.raises(ValueError, match="protected_hours"):
        assess_worker(1.0, open_cases_by_type={}, rules=RULES, protected_hours=-1)


def test_more_leave_than_the_working_week_is_rejected():
    with pytest.raises(ValueError, match="leave_days_in_week"):
        weekly_capacity(1.0, rules=RULES, leave_days_in_week=6)


def test_an_unconfigured_case_type_or_a_negative_count_is_rejected():
    with pytest.raises(ValueError, match="L4"):
        weekly_demand({"L4": 1}, rules=RULES)
    with pytest.raises(ValueError, match="cannot be negative"):
        weekly_demand({"L2A": -1}, rules=RULES)


def test_negative_annual_figures_are_rejected():
    with pytest.raises(ValueError, match="slots_used"):
        annual_view(1.0, slots_used=-1, cases_this_year=0, rules=RULES)
    with pytest.raises(ValueError, match="cases_this_year"):
        annual_view(1.0, slots_used=0, cases_this_year=-1, rules=RULES)


def test_rules_that_do_not_hold_together_are_rejected():
    with pytest.raises(ValueError, match="assessment_counts_as"):
        CaseloadRules(assessment_counts_as="L5")
    with pytest.raises(ValueError, match="slots_per_week_per_fte"):
        CaseloadRules(slots_per_week_per_fte=0)
    with pytest.raises(ValueError, match="working_weeks_per_year"):
        CaseloadRules(working_weeks_per_year=53)
    with pytest.raises(ValueError, match="visit_every_weeks"):
        CaseloadRules.from_configuration(visit_every_weeks={"L2A": 0})


def test_a_fte_that_is_not_a_number_is_a_type_error():
    with pytest.raises(TypeError, match="fte"):
        weekly_capacity("1.0", rules=RULES)  # type: ignore[arg-type]


ftes = st.floats(min_value=0, max_value=1, exclude_min=True)
leave_days = st.sampled_from([0, 0.5, 1, 1.5, 2, 3, 4, 4.5, 5])
protected = st.floats(min_value=0, max_value=50)
case_types = st.sampled_from([None, *SEED_VISIT_EVERY_WEEKS])
caseloads = st.dictionaries(case_types, st.integers(min_value=0, max_value=40))


@given(fte=ftes, leave=leave_days, hours=protected)
def test_capacity_is_never_negative(fte, leave, hours):
    assert weekly_capacity(fte, rules=RULES, leave_days_in_week=leave, protected_hours=hours) >= 0


@given(a=ftes, b=ftes, leave=leave_days, hours=protected)
def test_capacity_never_falls_as_fte_rises(a, b, leave, hours):
    low, high = sorted((a, b))
    kwargs = {"rules": RULES, "leave_days_in_week": leave, "protected_hours": hours}

    assert weekly_capacity(low, **kwargs) <= weekly_capacity(high, **kwargs)


@given(a=caseloads, b=caseloads)
def test_demand_adds_up_over_cases(a, b):
    both = dict(Counter(a) + Counter(b))

    assert weekly_demand(both, rules=RULES) == pytest.approx(
        weekly_demand(a, rules=RULES) + weekly_demand(b, rules=RULES)
    )


@given(fte=ftes, cases=caseloads, leave=leave_days, hours=protected)
def test_headroom_is_capacity_less_demand_and_flags_follow_it(fte, cases, leave, hours):
    flags = assess_worker(
        fte,
        open_cases_by_type=cases,
        rules=RULES,
        leave_days_in_week=leave,
        protected_hours=hours,
    )

    assert flags.headroom_slots == pytest.approx(flags.capacity_slots - flags.demand_slots)
    assert flags.over_capacity == (flags.headroom_slots < 0)
    assert flags.over_caseload == (flags.headroom_cases < 0)
    assert flags.open_cases == sum(cases.values())


def test_the_next_visit_is_the_initial_visit_deadline_until_it_happens():
    import datetime as dt

    from earlyhelp.domain.caseload import next_visit_due

    due = next_visit_due(
        initial_visit_due_by=dt.date(2026, 6, 10),
        initial_visit_on=None,
        last_visit_on=None,
        visit_every_weeks=1,
    )

    assert due == dt.date(2026, 6, 10)


def test_the_next_visit_is_a_week_or_a_fortnight_after_the_latest_by_case_type():
    import datetime as dt

    from earlyhelp.domain.caseload import next_visit_due, visit_every_weeks

    weekly = visit_every_weeks(RULES, "L2A")
    fortnightly = visit_every_weeks(RULES, "L2B")
    common = {"initial_visit_due_by": dt.date(2026, 6, 1), "initial_visit_on": dt.date(2026, 6, 1)}

    assert (weekly, fortnightly, visit_every_weeks(RULES, None)) == (1, 2, 1)
    assert next_visit_due(**common, last_visit_on=None, visit_every_weeks=weekly) == dt.date(
        2026, 6, 8
    )
    assert next_visit_due(
        **common, last_visit_on=dt.date(2026, 6, 12), visit_every_weeks=fortnightly
    ) == dt.date(2026, 6, 26)
    with pytest.raises(ValueError, match="visit_every_weeks"):
        next_visit_due(**common, last_visit_on=None, visit_every_weeks=0)
