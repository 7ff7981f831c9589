"""`manage.py simulate`: a simulated year's figures with their intervals, plainly named."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from earlyhelp.domain.resource_model import ScenarioError
from earlyhelp.planning.cli import run_plan, run_simulate

FIGURES = {
    "mean_wait_days",
    "median_wait_days",
    "p95_wait_days",
    "share_allocated_on_time",
    "mean_caseload",
    "utilisation",
    "mean_number_waiting",
    "arrivals_per_working_day",
    "cases_allocated_per_worker",
}


def simulate(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("simulate", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def small_scenario(tmp_path):
    """The seed's scenario cut to 1,000 cases a year, as plan --dump-scenario prints it."""
    scenario = json.loads(run_plan(["--dump-scenario"]))
    scenario["total_cases_per_year"] = 1000
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    return path


def test_json_output_names_each_figure_with_its_interval(small_scenario):
    out, _ = simulate(
        "--scenario-file", str(small_scenario), "--replications", "3", "--seed", "4",
        "--format", "json",
    )  # fmt: skip
    data = json.loads(out)
    assert set(data["figures"]) == FIGURES
    for interval in data["figures"].values():
        assert interval["low"] <= interval["mean"] <= interval["high"]
    # The workers default to the model's casework FTE: 8,850 slots / 506, rounded.
    assert data["workers"] == 17
    assert data["replications"] == 3
    assert data["seed"] == 4
    assert data["inputs"]["requests_per_working_day"] == pytest.approx(1000 / 253)
    assert data["inputs"]["allocation_target_days"] == 5
    assert data["calibration"] is None
    assert 0 < data["offered_utilisation"] < 1


def test_the_same_seed_prints_the_same_figures_on_one_or_two_processes(small_scenario):
    args = ["--scenario-file", str(small_scenario), "--replications", "4", "--format", "json"]
    one = run_simulate([*args, "--seed", "9"])
    assert run_simulate([*args, "--seed", "9", "--processes", "2"]) == one
    assert run_simulate([*args, "--seed", "10"]) != one


def test_too_few_workers_show_waits_past_the_timescale(small_scenario):
    data = json.loads(
        run_simulate(
            ["--scenario-file", str(small_scenario), "--workers", "12", "--replications", "2",
             "--format", "json"]
        )
    )  # fmt: skip
    assert data["offered_utilisation"] > 1
    assert data["figures"]["share_allocated_on_time"]["mean"] < 0.5
    assert data["figures"]["p95_wait_days"]["mean"] > 5


def test_table_shows_the_figures_and_what_on_time_means(small_scenario):
    out, _ = simulate("--scenario-file", str(small_scenario), "--replications", "2")
    rows = [" ".join(row.split()) for row in out.splitlines()]
    assert rows[0] == "Simulated year: 17 workers, 2 replications from seed 1"
    assert any(row.startswith("Share allocated on time ") for row in rows)
    assert any(row.startswith("Mean wait to allocation (working days) ") for row in rows)
    assert "(allocated on time: within 5 working days)" in rows


@pytest.mark.parametrize(
    ("args", "input_name"),
    [
        (["--replications", "0"], "replications"),
        (["--replications", "1001"], "replications"),
        (["--workers", "0"], "workers"),
        (["--processes", "0"], "processes"),
    ],
)
def test_bad_options_are_a_command_error_naming_the_input(small_scenario, args, input_name):
    out = StringIO()
    with pytest.raises(CommandError, match=rf"^{input_name}: must be"):
        call_command("simulate", "--scenario-file", str(small_scenario), *args, stdout=out)
    assert out.getvalue() == ""


def test_a_bad_scenario_file_is_a_command_error_naming_the_input(tmp_path):
    scenario = json.loads(run_plan(["--dump-scenario"]))
    scenario["simulation"]["caseload_limit"] = 0
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError, match=r"simulation\.caseload_limit"):
        call_command("simulate", "--scenario-file", str(path), stdout=out)
    assert out.getvalue() == ""


def test_an_unreadable_scenario_file_is_named(tmp_path):
    with pytest.raises(ScenarioError, match="scenario_file"):
        run_simulate(["--scenario-file", str(tmp_path / "missing.json")])


def test_a_number_that_is_not_whole_is_refused():
    with pytest.raises(CommandError, match="replications"):
        call_command("simulate", "--replications", "two", stdout=StringIO())
