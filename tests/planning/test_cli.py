import json
from decimal import Decimal

import pytest

from earlyhelp.domain.resource_model import ScenarioError
from earlyhelp.planning.cli import run_plan


def test_json_output_names_the_seed_figures_plainly():
    data = json.loads(run_plan(["--format", "json"]), parse_float=Decimal)
    assert data["slots_required"] == 88500
    assert data["slots_required_by_case_type"]["L2A"] == 48000
    assert data["slots_per_fte"] == 506
    assert data["casework_fte_required"] == Decimal("174.9")
    assert data["casework_fte_with_margin"] == Decimal("183.65")
    assert data["cases_per_fte_year"] == Decimal("57.18")
    assert data["centres"] == 56
    assert data["sessions_per_week"] == 452
    assert data["group_fte"] == Decimal("224.4")
    assert data["casual_fte"] == Decimal("6.2")
    assert data["budget"]["G6"]["fte"] == Decimal("273.24")
    assert data["total_fte"] == Decimal("552.24")
    assert data["total_cost"] == 15135098
    assert data["worker_sessions_by_post"]["G4 delivery support"] == 292
    assert data["centre_sessions"]["core"]["worker_sessions"] == 26
    assert data["talkzone_workers_by_hour"] == {
        "14": 2, "15": 2, "16": 3, "17": 3, "18": 3, "19": 3, "20": 2, "21": 2
    }  # fmt: skip
    assert data["talkzone_worker_hours_per_year"] == 7300
    assert data["talkzone_fte"] == Decimal("4.29")


def test_table_output_is_the_default_and_shows_the_seed_figures():
    table = run_plan([])
    assert table == run_plan(["--format", "table"])
    rows = [" ".join(row.split()) for row in table.splitlines()]
    for line in [
        "Slots required 88,500",
        "Slots per FTE 506",
        "Casework FTE required 174.9",
        "Cases per FTE a year 57.2",
        "Centres 56",
        "Sessions per week 452",
        "Group FTE 224.40",
        "Casual FTE 6.20",
        "Worker-sessions at one centre, core 26",
        "Worker-sessions a week, G6 452",
        "14:00-15:00 3.0 contacts 2 workers 90% answered in time",
        "Talkzone FTE 4.29",
        "Total FTE 552.24",
        "Total cost £15,135,098",
    ]:
        assert line in rows


def test_dump_then_read_gives_identical_outputs(tmp_path):
    path = tmp_path / "scenario.json"
    path.write_text(run_plan(["--dump-scenario"]), encoding="utf-8")
    assert run_plan(["--scenario-file", str(path), "--format", "json"]) == run_plan(
        ["--format", "json"]
    )
    assert run_plan(["--scenario-file", str(path)]) == run_plan([])
    assert run_plan(["--scenario-file", str(path), "--dump-scenario"]) == path.read_text(
        encoding="utf-8"
    )


def test_scenario_file_changes_the_figures_and_splits_by_locality(tmp_path):
    scenario = json.loads(run_plan(["--dump-scenario"]))
    scenario["total_cases_per_year"] = 5000
    scenario["localities"] = {"Preston": 25, "Rest of county": 75}
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    data = json.loads(run_plan(["--scenario-file", str(path), "--format", "json"]))
    assert data["slots_required"] == 44250
    assert data["localities"]["Preston"]["cases"] == 1250
    assert "Preston (25.0%)" in run_plan(["--scenario-file", str(path)])


def test_bad_scenario_file_names_the_input(tmp_path):
    scenario = json.loads(run_plan(["--dump-scenario"]))
    scenario["visits_per_week"] = 0
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    with pytest.raises(ScenarioError, match="visits_per_week"):
        run_plan(["--scenario-file", str(path)])


@pytest.mark.parametrize("text", [None, "{not json"])
def test_unreadable_scenario_file_is_a_scenario_error(tmp_path, text):
    path = tmp_path / "scenario.json"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match="scenario_file"):
        run_plan(["--scenario-file", str(path)])


def test_unknown_format_is_refused():
    with pytest.raises(SystemExit):
        run_plan(["--format", "xml"])


def test_the_plan_command_prints_the_seed_figures_as_json():
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("plan", "--format", "json", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["slots_required"] == 88500
    assert figures["sessions_per_week"] == 452
    assert figures["total_cost"] == 15135098
