import copy
from decimal import Decimal

import pytest

from earlyhelp.domain.resource_model import (
    ScenarioError,
    default_scenario,
    plan,
    result_as_dict,
    scenario_from_dict,
    scenario_to_dict,
    seed_simulation_inputs,
    seed_talkzone,
)

SEED = plan(default_scenario())


# --- The seed's figures from the default scenario ------------------------------------


def test_seed_slots_required_are_cases_times_slots_per_cycle():
    assert SEED.slots_required_by_case_type == {
        "L3": 7500,
        "L2A": 48000,
        "L2B": 30000,
        "L2-L1": 3000,
    }
    assert SEED.slots_required == 88500


def test_seed_slots_per_fte_are_46_weeks_of_11_visits():
    assert SEED.slots_per_fte == 506


def test_seed_casework_fte_is_slots_over_slots_per_fte():
    assert round(SEED.casework_fte_required, 1) == Decimal("174.9")
    assert SEED.casework_fte_required == Decimal(88500) / Decimal(506)
    assert sum(SEED.casework_fte_by_case_type.values()) == pytest.approx(SEED.casework_fte_required)


def test_seed_flexibility_margin_adds_five_percent():
    assert round(SEED.casework_fte_with_margin, 2) == Decimal("183.65")


def test_seed_cases_per_fte_year_is_about_60():
    # 10,000 cases / 174.9 FTE = 506 slots / 8.85 mean slots per case = 57.2
    assert abs(SEED.cases_per_fte_year - 60) <= 5
    assert round(SEED.cases_per_fte_year, 1) == Decimal("57.2")
    assert SEED.cases_per_fte_year == pytest.approx(10000 / SEED.casework_fte_required)


def test_seed_mixed_caseload_of_18_exceeds_an_fte_by_about_15_percent():
    assert SEED.caseload_cases_per_year == Decimal("67.68")  # 18 x 3.76 cycles
    assert round(SEED.caseload_time_excess_percent, 1) == Decimal("17.5")


def test_seed_has_56_centres():
    assert SEED.centres_by_type == {"enhanced": 12, "core": 44}
    assert SEED.centres == 56


def test_seed_sessions_per_week_are_452():
    assert SEED.sessions_per_week == 12 * 12 + 44 * 7 == 452


def test_seed_group_establishment_is_224_4_fte_plus_6_2_casual():
    assert SEED.group_fte == Decimal("224.4")
    assert SEED.casual_fte == Decimal("6.2")
    assert SEED.group_fte_by_post == {
        "G6": Decimal("57.6"),
        "G4 outreach": Decimal("126.4"),
        "G4 delivery support": Decimal("40.4"),
    }


def test_seed_budget_is_552_24_fte_and_15_135_098_pounds():
    assert SEED.total_fte == Decimal("552.24")
    assert SEED.total_cost == 15135098


def test_seed_cost_per_fte_is_derived_by_grade():
    assert SEED.budget["G12"].cost_per_fte == 59172
    assert round(SEED.budget["G6"].cost_per_fte) == 27738
    assert SEED.budget["G4"].cost_per_fte == Decimal(3868535) / 185


def test_seed_has_no_localities_unless_split():
    assert SEED.localities == {}


def test_seed_core_centre_has_7_sessions_and_26_worker_sessions():
    core = SEED.centre_sessions["core"]
    assert core.sessions_per_week == 7
    # Weekday daytime 5 x 4 (5, 10 Type A, 5), twilight 1 x 3 (1, 2 Type A), evening 1 x 3
    # (1, 2 Type B): G6 7, outreach 14, delivery support 5.
    assert core.worker_sessions_by_post == {
        "G6": 7,
        "G4 outreach Type A": 12,
        "G4 outreach Type B": 2,
        "G4 delivery support": 5,
    }
    assert core.worker_sessions == 26
    assert core.county_worker_sessions == 44 * 26


def test_seed_enhanced_centre_sessions_add_up_to_its_12():
    enhanced = default_scenario().centre_types["enhanced"]
    assert sum(session.sessions_per_week for session in enhanced.session_types) == 12
    assert SEED.centre_sessions["enhanced"].worker_sessions == 54


def test_seed_worker_sessions_county_wide_add_both_centre_types():
    # One G6 at every session: as many G6 worker-sessions as the 452 sessions a week.
    assert SEED.worker_sessions_by_post["G6"] == SEED.sessions_per_week == 452
    assert SEED.worker_sessions_by_post["G4 delivery support"] == 12 * 6 + 44 * 5
    assert SEED.worker_sessions_per_week == 12 * 54 + 44 * 26


def test_seed_talkzone_is_open_14_to_22_and_needs_about_the_budgets_4_24_fte():
    assert list(SEED.talkzone_by_hour) == list(range(14, 22))
    assert all(hour.service_level >= 0.8 for hour in SEED.talkzone_by_hour.values())
    assert SEED.talkzone_worker_hours_per_day == sum(
        hour.agents for hour in SEED.talkzone_by_hour.values()
    )
    assert SEED.talkzone_worker_hours_per_year == SEED.talkzone_worker_hours_per_day * 365
    # 37 hours a week over 46 working weeks is 1,702 hours an FTE.
    assert SEED.talkzone_fte == SEED.talkzone_worker_hours_per_year / 1702
    assert abs(SEED.talkzone_fte - Decimal("4.24")) < Decimal("0.5")


# --- A second scenario, its figures worked by hand ----------------------------------

SECOND = {
    "total_cases_per_year": 5000,
    "case_types": {
        "L3": {"share_percent": 10, "slots_per_cycle": 15, "cycles_per_year": 3},
        "L2A": {"share_percent": 30, "slots_per_cycle": 12, "cycles_per_year": Decimal("3.8")},
        "L2B": {"share_percent": 50, "slots_per_cycle": 6, "cycles_per_year": Decimal("3.8")},
        "L2-L1": {"share_percent": 10, "slots_per_cycle": 6, "cycles_per_year": Decimal("3.8")},
    },
    "working_weeks": 40,
    "visits_per_week": 10,
    "mixed_caseload": 20,
    "flexibility_margin_percent": 10,
    "centre_types": {
        "enhanced": {
            "count": 2,
            "sessions_per_week": 10,
            "establishment": [
                {"post": "G6", "grade": "G6", "fte": 1},
                {"post": "G4", "grade": "G4", "fte": 2},
                {"post": "casual", "grade": "G4", "fte": Decimal("0.5"), "casual": True},
            ],
        },
        "core": {
            "count": 3,
            "sessions_per_week": 5,
            "establishment": [
                {"post": "G6", "grade": "G6", "fte": Decimal("0.5")},
                {"post": "G4", "grade": "G4", "fte": 1},
                {"post": "casual", "grade": "G4", "fte": Decimal("0.2"), "casual": True},
            ],
        },
    },
    "budget": {"G6": {"fte": 10, "cost": 300000}, "G4": {"fte": 20, "cost": 400000}},
    "localities": {"North": 60, "South": 40},
}
SESSIONS = {
    "enhanced": [
        {"name": "day", "sessions_per_week": 8, "staff_by_post": {"G6": 1, "G4": 2}},
        {"name": "evening", "sessions_per_week": 2, "staff_by_post": {"G6": 1, "G4": 1}},
    ],
    "core": [{"name": "day", "sessions_per_week": 5, "staff_by_post": {"G6": 1, "G4": 1}}],
}
# The published Erlang C example: 200 contacts an hour of 3 minutes need 14 workers for
# 80% answered in 20 seconds; an hour without contacts needs none.
TALKZONE = {
    "opening_start_hour": 9,
    "opening_end_hour": 11,
    "days_open_per_year": 300,
    "contacts_by_hour": [200, 0],
    "handling_minutes": 3,
    "target_service_level_percent": 80,
    "target_answer_seconds": 20,
    "hours_per_fte_year": 1500,
}


def with_sessions_and_talkzone():
    data = second(talkzone=copy.deepcopy(TALKZONE))
    for name, sessions in SESSIONS.items():
        data["centre_types"][name]["session_types"] = copy.deepcopy(sessions)
    return data


def second(**changes):
    data = copy.deepcopy(SECOND)
    data.update(changes)
    return data


def test_second_scenario_follows_the_formulas():
    result = plan(scenario_from_dict(SECOND))
    # 500 x 15 + 1,500 x 12 + 2,500 x 6 + 500 x 6
    assert result.slots_required_by_case_type == {
        "L3": 7500,
        "L2A": 18000,
        "L2B": 15000,
        "L2-L1": 3000,
    }
    assert result.slots_required == 43500
    assert result.slots_per_fte == 400  # 40 x 10
    assert result.casework_fte_required == Decimal("108.75")  # 43,500 / 400
    assert result.casework_fte_with_margin == Decimal("119.625")  # x 1.10
    assert round(result.cases_per_fte_year, 2) == Decimal("45.98")  # 5,000 / 108.75
    assert result.caseload_cases_per_year == Decimal("74.4")  # 20 x (0.1 x 3 + 0.9 x 3.8)
    # 20 x (4.5 + 13.68 + 11.4 + 2.28) = 637.2 slots against 400
    assert result.caseload_time_excess_percent == Decimal("59.3")
    assert result.centres == 5
    assert result.sessions_per_week == 35  # 2 x 10 + 3 x 5
    assert result.group_fte == Decimal("10.5")  # 2 x 3 + 3 x 1.5
    assert result.casual_fte == Decimal("1.6")  # 2 x 0.5 + 3 x 0.2
    # 2 x (30,000 + 2 x 20,000 + 0.5 x 20,000) + 3 x (0.5 x 30,000 + 20,000 + 0.2 x 20,000)
    assert result.group_cost == 277000
    assert result.budget["G6"].cost_per_fte == 30000
    assert result.total_fte == 30
    assert result.total_cost == 700000


def test_second_scenario_worker_sessions_and_talkzone_follow_the_formulas():
    result = plan(scenario_from_dict(with_sessions_and_talkzone()))
    enhanced = result.centre_sessions["enhanced"]
    # 8 x (1 G6, 2 G4) + 2 x (1 G6, 1 G4) a centre, 2 centres.
    assert enhanced.worker_sessions_by_post == {"G6": 10, "G4": 18}
    assert enhanced.worker_sessions == 28
    assert enhanced.county_worker_sessions_by_post == {"G6": 20, "G4": 36}
    # 5 x (1 G6, 1 G4) a centre, 3 centres.
    assert result.centre_sessions["core"].county_worker_sessions_by_post == {"G6": 15, "G4": 15}
    assert result.worker_sessions_by_post == {"G6": 35, "G4": 51}
    assert result.worker_sessions_per_week == 86
    assert {hour: s.agents for hour, s in result.talkzone_by_hour.items()} == {9: 14, 10: 0}
    assert result.talkzone_worker_hours_per_day == 14
    assert result.talkzone_worker_hours_per_year == 4200  # 14 x 300 days
    assert result.talkzone_fte == Decimal("2.8")  # 4,200 / 1,500


def test_a_scenario_without_session_types_gives_no_worker_sessions():
    result = plan(scenario_from_dict(SECOND))
    assert result.centre_sessions == {}
    assert result.worker_sessions_per_week == 0


def test_a_file_without_talkzone_or_simulation_sections_takes_the_seeds():
    scenario = scenario_from_dict(SECOND)
    assert scenario.talkzone == seed_talkzone()
    assert scenario.simulation == seed_simulation_inputs()


def test_localities_take_their_share_of_cases_slots_and_fte():
    north = plan(scenario_from_dict(SECOND)).localities["North"]
    assert north.cases == 3000
    assert north.slots_required == 26100
    assert north.casework_fte_required == Decimal("65.25")
    assert north.casework_fte_with_margin == Decimal("71.775")


# --- Bad input: a ScenarioError naming the input, no result -------------------------


def bad_case_type(field, value):
    data = second()
    data["case_types"]["L2A"][field] = value
    return data


def bad_post_fte(value):
    data = second()
    data["centre_types"]["core"]["establishment"][0]["fte"] = value
    return data


def bad_post_grade(grade):
    data = second()
    data["centre_types"]["core"]["establishment"][1]["grade"] = grade
    return data


@pytest.mark.parametrize(
    ("data", "input_name"),
    [
        (bad_case_type("share_percent", 31), "case_types.share_percent"),
        (bad_case_type("share_percent", Decimal("29.98")), "case_types.share_percent"),
        (bad_case_type("share_percent", -5), "case_types.share_percent.L2A"),
        (bad_case_type("slots_per_cycle", 0), "case_types.L2A.slots_per_cycle"),
        (bad_case_type("cycles_per_year", -1), "case_types.L2A.cycles_per_year"),
        (second(case_types={}), "case_types"),
        (second(total_cases_per_year=0), "total_cases_per_year"),
        (second(working_weeks=0), "working_weeks"),
        (second(working_weeks=-46), "working_weeks"),
        (second(working_weeks=53), "working_weeks"),
        (second(visits_per_week=0), "visits_per_week"),
        (second(visits_per_week=-11), "visits_per_week"),
        (second(mixed_caseload=0), "mixed_caseload"),
        (second(flexibility_margin_percent=-5), "flexibility_margin_percent"),
        (
            second(budget={"G6": {"fte": 0, "cost": 1}, "G4": {"fte": 1, "cost": 1}}),
            "budget.G6.fte",
        ),
        (
            second(budget={"G6": {"fte": -2, "cost": 1}, "G4": {"fte": 1, "cost": 1}}),
            "budget.G6.fte",
        ),
        (
            second(budget={"G6": {"fte": 1, "cost": -1}, "G4": {"fte": 1, "cost": 1}}),
            "budget.G6.cost",
        ),
        (
            second(
                budget={
                    "G6": {"fte": 1, "cost": 1},
                    "G4": {"fte": 1, "cost": 1},
                    "G99": {"fte": 1, "cost": 1},
                }
            ),
            "budget.G99",
        ),
        (
            second(
                budget={
                    "G6": {"fte": 1, "cost": 1},
                    "G4": {"fte": 1, "cost": 1},
                    "Grade 6": {"fte": 1, "cost": 1},
                }
            ),
            "budget.Grade 6",
        ),
        (bad_post_fte(0), "centre_types.core.establishment.G6.fte"),
        (bad_post_fte(-1), "centre_types.core.establishment.G6.fte"),
        (bad_post_grade("G5"), "centre_types.core.establishment.G4.grade"),
        (second(localities={"North": 60, "South": 30}), "localities"),
        (second(working_weeks="46"), "working_weeks"),
        (second(working_weeks=True), "working_weeks"),
        (second(tea_breaks=3), "tea_breaks"),
    ],
)
def test_bad_input_raises_scenario_error_naming_the_input(data, input_name):
    with pytest.raises(ScenarioError) as caught:
        plan(scenario_from_dict(data))
    assert caught.value.input == input_name
    assert input_name in str(caught.value)


def changed(section, key, value):
    data = with_sessions_and_talkzone()
    data.setdefault("simulation", copy.deepcopy(scenario_to_dict(default_scenario())["simulation"]))
    data[section][key] = value
    return data


def bad_session(centre, index, key, value):
    data = with_sessions_and_talkzone()
    data["centre_types"][centre]["session_types"][index][key] = value
    return data


@pytest.mark.parametrize(
    ("data", "input_name"),
    [
        (bad_session("core", 0, "sessions_per_week", 4), "centre_types.core.session_types"),
        (bad_session("enhanced", 1, "sessions_per_week", 3), "centre_types.enhanced.session_types"),
        (
            bad_session("enhanced", 1, "sessions_per_week", 0),
            "centre_types.enhanced.session_types.evening.sessions_per_week",
        ),
        (
            bad_session("core", 0, "staff_by_post", {"G6": -1, "G4": 2}),
            "centre_types.core.session_types.day.staff_by_post.G6",
        ),
        (
            bad_session("core", 0, "staff_by_post", {"G6": 0}),
            "centre_types.core.session_types.day.staff_by_post",
        ),
        (changed("talkzone", "opening_start_hour", 24), "talkzone.opening_start_hour"),
        (changed("talkzone", "opening_end_hour", 9), "talkzone.opening_end_hour"),
        (changed("talkzone", "opening_end_hour", 25), "talkzone.opening_end_hour"),
        (changed("talkzone", "days_open_per_year", 0), "talkzone.days_open_per_year"),
        (changed("talkzone", "contacts_by_hour", [200]), "talkzone.contacts_by_hour"),
        (changed("talkzone", "contacts_by_hour", [200, -1]), "talkzone.contacts_by_hour.10"),
        (changed("talkzone", "handling_minutes", 0), "talkzone.handling_minutes"),
        (
            changed("talkzone", "target_service_level_percent", 100),
            "talkzone.target_service_level_percent",
        ),
        (changed("talkzone", "target_answer_seconds", -1), "talkzone.target_answer_seconds"),
        (changed("talkzone", "hours_per_fte_year", 0), "talkzone.hours_per_fte_year"),
        (changed("talkzone", "opening_start_hour", Decimal("9.5")), "talkzone.opening_start_hour"),
        (changed("talkzone", "queue_music", 1), "talkzone.queue_music"),
        (
            changed("simulation", "working_days_per_year", 0),
            "simulation.working_days_per_year",
        ),
        (changed("simulation", "seasonal_factors", [1] * 11), "simulation.seasonal_factors"),
        (
            changed("simulation", "seasonal_factors", [1] * 11 + [-1]),
            "simulation.seasonal_factors.12",
        ),
        (changed("simulation", "seasonal_factors", [0] * 12), "simulation.seasonal_factors"),
        (changed("simulation", "school_holiday_weeks", [1, 53]), "simulation.school_holiday_weeks"),
        (changed("simulation", "school_holiday_weeks", [8, 8]), "simulation.school_holiday_weeks"),
        (
            changed("simulation", "school_holiday_factor", -1),
            "simulation.school_holiday_factor",
        ),
        (
            changed("simulation", "support_weeks", {"L3": 15, "L2A": 12, "L2B": 12}),
            "simulation.support_weeks.L2-L1",
        ),
        (
            changed("simulation", "support_weeks", {"L3": 15, "L2A": 12, "L2B": 12, "L2-L1": 0}),
            "simulation.support_weeks.L2-L1",
        ),
        (
            changed(
                "simulation",
                "support_weeks",
                {"L3": 15, "L2A": 12, "L2B": 12, "L2-L1": 12, "L4": 12},
            ),
            "simulation.support_weeks.L4",
        ),
        (
            changed("simulation", "review_extension_percent", 100),
            "simulation.review_extension_percent",
        ),
        (
            changed("simulation", "review_extension_weeks", -6),
            "simulation.review_extension_weeks",
        ),
        (changed("simulation", "leave_days_per_year", 253), "simulation.leave_days_per_year"),
        (changed("simulation", "leave_block_days", 0), "simulation.leave_block_days"),
        (changed("simulation", "caseload_limit", 0), "simulation.caseload_limit"),
        (changed("simulation", "caseload_limit", Decimal("17.5")), "simulation.caseload_limit"),
        (
            changed("simulation", "allocation_target_days", -1),
            "simulation.allocation_target_days",
        ),
        (changed("simulation", "warm_up_days", -1), "simulation.warm_up_days"),
        (changed("simulation", "duration_cv", -1), "simulation.duration_cv"),
    ],
)
def test_bad_sessions_talkzone_or_simulation_inputs_are_named(data, input_name):
    with pytest.raises(ScenarioError) as caught:
        plan(scenario_from_dict(data))
    assert caught.value.input == input_name
    assert input_name in str(caught.value)


def test_missing_input_is_named():
    data = second()
    del data["visits_per_week"]
    with pytest.raises(ScenarioError, match="visits_per_week: is missing"):
        scenario_from_dict(data)


def test_profile_within_a_hundredth_of_a_percent_of_100_is_accepted():
    result = plan(scenario_from_dict(bad_case_type("share_percent", Decimal("30.01"))))
    assert result.slots_required > 0


# --- Plain data -----------------------------------------------------------------------


def test_scenario_dict_round_trip_gives_identical_outputs():
    again = scenario_from_dict(scenario_to_dict(default_scenario()))
    assert again == default_scenario()
    assert plan(again) == SEED


def test_a_changed_scenario_round_trips_every_section():
    scenario = scenario_from_dict(changed("simulation", "seasonal_factors", [Decimal("1.1")] * 12))
    assert scenario.centre_types["core"].session_types[0].name == "day"
    assert scenario.talkzone.contacts_by_hour == (200, 0)
    assert scenario_from_dict(scenario_to_dict(scenario)) == scenario


def test_result_as_dict_uses_plain_names_rounded_to_two_places():
    data = result_as_dict(SEED)
    assert data["slots_required"] == 88500
    assert data["slots_per_fte"] == 506
    assert data["casework_fte_required"] == Decimal("174.90")
    assert data["sessions_per_week"] == 452
    assert data["group_fte"] == Decimal("224.40")
    assert data["casual_fte"] == Decimal("6.20")
    assert data["total_fte"] == Decimal("552.24")
    assert data["total_cost"] == 15135098
    assert data["budget"]["G14"] == {"fte": 1, "cost": 85498, "cost_per_fte": 85498}
