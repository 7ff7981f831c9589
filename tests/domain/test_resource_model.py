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
