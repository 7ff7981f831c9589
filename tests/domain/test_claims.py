"""Troubled Families phase 2 and Supporting Families 2022-25 rules: eligibility at and
below the thresholds, the six-month sustain boundary, continuous employment's 26 weeks
in 30, and a family that regresses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from earlyhelp.domain.claims import (
    ClaimRoute,
    EmploymentEpisode,
    EmploymentRule,
    FrameworkError,
    ProgressEntry,
    ProgressStatus,
    add_months,
    assess_claim,
    check_eligibility,
    continuous_employment_on,
    due_in_window,
    framework_from_mapping,
)

FRAMEWORKS = Path(__file__).resolve().parents[2] / "src" / "earlyhelp" / "claims" / "frameworks"

P, S, R = ProgressStatus.PROGRESS, ProgressStatus.SUSTAINED, ProgressStatus.REGRESSED
ATTACHED = dt.date(2025, 1, 6)


def _load(name: str):
    return framework_from_mapping(yaml.safe_load((FRAMEWORKS / name).read_text()))


@pytest.fixture(scope="module")
def tf():
    return _load("troubled_families_phase2.yaml")


@pytest.fixture(scope="module")
def sf():
    return _load("supporting_families_2022.yaml")


# ---------------------------------------------------------------- the shipped files


def test_troubled_families_has_the_six_phase_2_criteria_with_employment(tf):
    assert [n.tfu_criterion for n in tf.needs] == [1, 2, 3, 4, 5, 6]
    assert (tf.min_needs, tf.min_headlines, tf.sustain_months) == (2, 2, 6)
    assert tf.employment == EmploymentRule(26, 30, 13, 26)


def test_supporting_families_has_ten_headlines_and_no_employment_route(sf):
    assert list(sf.headlines.values()) == [
        "Getting a good education",
        "Good early years development",
        "Improved mental and physical health",
        "Promoting recovery and reducing harm from substance use",
        "Improved family relationships",
        "Children safe from abuse and exploitation",
        "Crime prevention and tackling crime",
        "Safe from domestic abuse",
        "Secure housing",
        "Financial stability",
    ]
    assert (sf.min_needs, sf.min_headlines, sf.sustain_months) == (3, 3, 6)
    assert sf.sustain_from == "closure"
    assert sf.employment is None


def test_a_definition_with_problems_reports_all_of_them():
    with pytest.raises(FrameworkError) as error:
        framework_from_mapping(
            {
                "code": "x",
                "eligibility": {"min_needs": 1, "min_headlines": 3},
                "claims": {"sustain_months": -1, "sustain_from": "never"},
                "headlines": [{"code": "h", "title": "H", "needs": [{"code": "a"}]}],
            }
        )
    problems = " | ".join(error.value.problems)
    assert "name is missing" in problems
    assert "sustain_months must be a whole number of at least 0" in problems
    assert "sustain_from must be progress or closure" in problems
    assert "need 1: title is missing" in problems
    assert "min_headlines is more than the framework's headlines" in problems


# ---------------------------------------------------------------- eligibility


def test_troubled_families_eligible_at_exactly_two_criteria(tf):
    result = check_eligibility(tf, ["crime-asb", "school-attendance"])
    assert result.eligible
    assert (result.needs, result.headlines) == (2, 2)


def test_troubled_families_not_eligible_with_one_criterion_says_why(tf):
    result = check_eligibility(tf, ["health"])
    assert not result.eligible
    assert "at least 2 needs must be identified (1 identified)" in result.reason


def test_supporting_families_eligible_at_exactly_three_needs_across_three_headlines(sf):
    result = check_eligibility(sf, ["education-attendance", "housing-homeless", "financial-debt"])
    assert result.eligible


def test_supporting_families_three_needs_under_two_headlines_are_not_enough(sf):
    result = check_eligibility(
        sf, ["education-attendance", "education-exclusion", "housing-homeless"]
    )
    assert not result.eligible
    assert "at least 3 different headlines (2 covered)" in result.reason


def test_supporting_families_two_needs_fail_both_thresholds(sf):
    result = check_eligibility(sf, ["education-attendance", "housing-homeless"])
    assert not result.eligible
    assert "at least 3 needs" in result.reason
    assert "(2 covered)" in result.reason


def test_an_unknown_need_is_an_error(tf):
    with pytest.raises(KeyError):
        check_eligibility(tf, ["crime-asb", "not-a-need"])


# ---------------------------------------------------------------- sustained progress


def test_add_months_keeps_the_day_or_takes_the_month_end():
    assert add_months(dt.date(2025, 1, 15), 6) == dt.date(2025, 7, 15)
    assert add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)


def _progress(*entries) -> list[ProgressEntry]:
    return [ProgressEntry(need, on, status, f"{status} {need}") for need, on, status in entries]


TWO = ["crime-asb", "school-attendance"]


def test_claim_due_the_day_the_last_need_is_sustained_six_months_on(tf):
    progress = _progress(
        ("crime-asb", dt.date(2025, 2, 1), P),
        ("crime-asb", dt.date(2025, 8, 1), S),
        ("school-attendance", dt.date(2025, 3, 10), P),
        ("school-attendance", dt.date(2025, 9, 10), S),
    )
    result = assess_claim(
        tf, attached_on=ATTACHED, needs=TWO, progress=progress, as_of=dt.date(2025, 12, 31)
    )
    assert result.route == ClaimRoute.PROGRESS
    assert result.due_on == dt.date(2025, 9, 10)
    assert [o.state for o in result.needs] == ["sustained", "sustained"]
    assert result.needs[0].evidence == ("progress crime-asb", "sustained crime-asb")


def test_sustained_evidence_one_day_short_of_six_months_does_not_count(tf):
    progress = _progress(
        ("crime-asb", dt.date(2025, 2, 1), P),
        ("crime-asb", dt.date(2025, 7, 31), S),
        ("school-attendance", dt.date(2025, 2, 1), P),
        ("school-attendance", dt.date(2025, 8, 1), S),
    )
    result = assess_claim(
        tf, attached_on=ATTACHED, needs=TWO, progress=progress, as_of=dt.date(2025, 12, 31)
    )
    assert not result.due
    assert result.needs[0].sustain_until == dt.date(2025, 8, 1)
    assert result.reasons == ("Not yet sustained: crime-asb",)


def test_every_identified_need_must_be_sustained(tf):
    progress = _progress(
        ("crime-asb", dt.date(2025, 2, 1), P), ("crime-asb", dt.date(2025, 8, 1), S)
    )
    result = assess_claim(
        tf, attached_on=ATTACHED, needs=TWO, progress=progress, as_of=dt.date(2025, 12, 31)
    )
    assert not result.due
    assert [o.state for o in result.needs] == ["sustained", "none"]


def test_a_family_that_regresses_is_not_claimable_until_sustained_again(tf):
    first_run = [
        ("crime-asb", dt.date(2025, 2, 1), P),
        ("crime-asb", dt.date(2025, 8, 1), S),
        ("school-attendance", dt.date(2025, 2, 1), P),
        ("school-attendance", dt.date(2025, 8, 1), S),
    ]
    regressed = [*first_run, ("school-attendance", dt.date(2025, 9, 1), R)]
    before = assess_claim(
        tf,
        attached_on=ATTACHED,
        needs=TWO,
        progress=_progress(*first_run),
        as_of=dt.date(2025, 8, 31),
    )
    assert before.due_on == dt.date(2025, 8, 1)

    after = assess_claim(
        tf,
        attached_on=ATTACHED,
        needs=TWO,
        progress=_progress(*regressed),
        as_of=dt.date(2025, 9, 30),
    )
    assert not after.due
    assert after.needs[1].state == "regressed"
    assert after.needs[1].regressed_on == dt.date(2025, 9, 1)

    # Progress again on 1 October; sustained evidence counts only six months after it.
    again = [*regressed, ("school-attendance", dt.date(2025, 10, 1), P)]
    early = [*again, ("school-attendance", dt.date(2026, 3, 31), S)]
    assert not assess_claim(
        tf, attached_on=ATTACHED, needs=TWO, progress=_progress(*early), as_of=dt.date(2026, 4, 30)
    ).due
    on_time = [*again, ("school-attendance", dt.date(2026, 4, 1), S)]
    result = assess_claim(
        tf,
        attached_on=ATTACHED,
        needs=TWO,
        progress=_progress(*on_time),
        as_of=dt.date(2026, 4, 30),
    )
    assert result.due_on == dt.date(2026, 4, 1)
    assert result.needs[1].progress_on == dt.date(2025, 10, 1)


def test_records_after_the_as_of_date_are_not_counted(tf):
    progress = _progress(
        ("crime-asb", dt.date(2025, 2, 1), P),
        ("crime-asb", dt.date(2025, 8, 1), S),
        ("school-attendance", dt.date(2025, 2, 1), P),
        ("school-attendance", dt.date(2025, 8, 5), S),
    )
    result = assess_claim(
        tf, attached_on=ATTACHED, needs=TWO, progress=progress, as_of=dt.date(2025, 8, 4)
    )
    assert not result.due


SF_NEEDS = ["education-attendance", "housing-homeless", "financial-debt"]


def _sf_progress(progress_on: dt.date, sustained_on: dt.date) -> list[ProgressEntry]:
    return _progress(
        *[(need, progress_on, P) for need in SF_NEEDS],
        *[(need, sustained_on, S) for need in SF_NEEDS],
    )


def test_supporting_families_counts_six_months_from_closure_not_progress(sf):
    progress = _sf_progress(dt.date(2025, 2, 1), dt.date(2025, 10, 1))
    open_case = assess_claim(
        sf, attached_on=ATTACHED, needs=SF_NEEDS, progress=progress, as_of=dt.date(2025, 12, 1)
    )
    assert not open_case.due

    closed_in_may = assess_claim(
        sf,
        attached_on=ATTACHED,
        needs=SF_NEEDS,
        progress=progress,
        closed_on=dt.date(2025, 5, 1),
        as_of=dt.date(2025, 12, 1),
    )
    assert not closed_in_may.due  # sustained 1 October, but six months after closure is 1 November
    assert closed_in_may.needs[0].sustain_until == dt.date(2025, 11, 1)

    on_the_day = _sf_progress(dt.date(2025, 2, 1), dt.date(2025, 11, 1))
    result = assess_claim(
        sf,
        attached_on=ATTACHED,
        needs=SF_NEEDS,
        progress=on_the_day,
        closed_on=dt.date(2025, 5, 1),
        as_of=dt.date(2025, 12, 1),
    )
    assert result.route == ClaimRoute.PROGRESS
    assert result.due_on == dt.date(2025, 11, 1)


def test_supporting_families_ignores_employment(sf):
    episodes = [EmploymentEpisode(7, dt.date(2025, 1, 6))]
    result = assess_claim(
        sf,
        attached_on=ATTACHED,
        needs=SF_NEEDS,
        progress=[],
        episodes=episodes,
        as_of=dt.date(2026, 6, 1),
    )
    assert not result.due
    assert result.employment_due_on is None


# ---------------------------------------------------------------- continuous employment

RULE = EmploymentRule()


def test_continuous_employment_is_reached_on_the_182nd_day_worked():
    start = dt.date(2025, 2, 3)
    episodes = [EmploymentEpisode(1, start)]
    due = continuous_employment_on(episodes, RULE, attached_on=ATTACHED, as_of=dt.date(2026, 1, 1))
    assert due == (start + dt.timedelta(days=181), 1)


def test_26_weeks_within_30_with_a_gap_counts_and_one_day_less_does_not():
    # 13 weeks, a 4-week gap, then 13 weeks: 26 weeks worked within 30.
    first = (dt.date(2025, 2, 3), dt.date(2025, 2, 3) + dt.timedelta(days=90))
    second_start = first[1] + dt.timedelta(days=29)
    exactly = [
        EmploymentEpisode(1, *first),
        EmploymentEpisode(1, second_start, second_start + dt.timedelta(days=90)),
    ]
    due = continuous_employment_on(exactly, RULE, attached_on=ATTACHED, as_of=dt.date(2026, 1, 1))
    assert due == (second_start + dt.timedelta(days=90), 1)
    window_start = due[0] - dt.timedelta(days=30 * 7 - 1)
    assert window_start == first[0]  # the 30-week window is exactly filled

    a_day_short = [
        EmploymentEpisode(1, *first),
        EmploymentEpisode(1, second_start, second_start + dt.timedelta(days=89)),
    ]
    assert (
        continuous_employment_on(a_day_short, RULE, attached_on=ATTACHED, as_of=dt.date(2026, 1, 1))
        is None
    )


def test_26_weeks_spread_over_31_weeks_is_not_continuous():
    first = (dt.date(2025, 2, 3), dt.date(2025, 2, 3) + dt.timedelta(days=90))
    second_start = first[1] + dt.timedelta(days=36)  # a five-week gap
    episodes = [
        EmploymentEpisode(1, *first),
        EmploymentEpisode(1, second_start, second_start + dt.timedelta(days=90)),
    ]
    assert (
        continuous_employment_on(episodes, RULE, attached_on=ATTACHED, as_of=dt.date(2026, 1, 1))
        is None
    )


def test_work_before_the_attachment_does_not_count():
    episodes = [EmploymentEpisode(1, dt.date(2024, 6, 1))]
    due = continuous_employment_on(episodes, RULE, attached_on=ATTACHED, as_of=dt.date(2026, 1, 1))
    assert due == (ATTACHED + dt.timedelta(days=181), 1)


def test_jobseekers_allowance_claimants_need_13_weeks_in_26():
    episodes = [EmploymentEpisode(1, dt.date(2025, 2, 3), was_on_jsa=True)]
    due = continuous_employment_on(episodes, RULE, attached_on=ATTACHED, as_of=dt.date(2026, 1, 1))
    assert due == (dt.date(2025, 2, 3) + dt.timedelta(days=13 * 7 - 1), 1)


def test_each_adult_is_counted_on_their_own():
    # Two adults of 13 weeks each never add up to one adult's 26.
    episodes = [
        EmploymentEpisode(1, dt.date(2025, 2, 3), dt.date(2025, 5, 4)),
        EmploymentEpisode(2, dt.date(2025, 5, 5), dt.date(2025, 8, 3)),
    ]
    assert (
        continuous_employment_on(episodes, RULE, attached_on=ATTACHED, as_of=dt.date(2026, 1, 1))
        is None
    )


def test_the_earlier_route_wins_and_progress_on_a_tie(tf):
    start = dt.date(2025, 2, 3)
    employed_on = start + dt.timedelta(days=181)
    episodes = [EmploymentEpisode(9, start)]
    progress = _progress(
        ("crime-asb", dt.date(2025, 2, 1), P),
        ("crime-asb", employed_on, S),
        ("school-attendance", dt.date(2025, 2, 1), P),
        ("school-attendance", employed_on, S),
    )
    tie = assess_claim(
        tf,
        attached_on=ATTACHED,
        needs=TWO,
        progress=progress,
        episodes=episodes,
        as_of=dt.date(2026, 1, 1),
    )
    assert (tie.route, tie.due_on) == (ClaimRoute.PROGRESS, employed_on)
    only_work = assess_claim(
        tf,
        attached_on=ATTACHED,
        needs=TWO,
        progress=[],
        episodes=episodes,
        as_of=dt.date(2026, 1, 1),
    )
    assert (only_work.route, only_work.due_on, only_work.employed_person_id) == (
        ClaimRoute.EMPLOYMENT,
        employed_on,
        9,
    )


def test_a_claim_belongs_to_the_window_it_became_due_in(tf):
    episodes = [EmploymentEpisode(1, dt.date(2025, 2, 3))]
    result = assess_claim(
        tf,
        attached_on=ATTACHED,
        needs=TWO,
        progress=[],
        episodes=episodes,
        as_of=dt.date(2025, 12, 31),
    )
    assert result.due_on == dt.date(2025, 8, 3)
    assert due_in_window(result, dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    assert due_in_window(result, dt.date(2025, 8, 3), dt.date(2025, 8, 3))
    assert not due_in_window(result, dt.date(2025, 8, 4), dt.date(2025, 12, 31))
