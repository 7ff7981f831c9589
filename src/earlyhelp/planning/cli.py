"""`manage.py plan` and `manage.py simulate` without Django: read a scenario file, run
the resource model or the simulated year, and render the figures as JSON or a table.
The commands and the tests share it; calibration from the database is the simulate
command's own (planning/calibration.py), handed in here as plain figures."""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from earlyhelp.domain import simulation as sim
from earlyhelp.domain.resource_model import (
    PlanResult,
    Scenario,
    ScenarioError,
    default_scenario,
    plan,
    result_as_dict,
    scenario_from_dict,
    scenario_to_dict,
)

FORMATS = ("json", "table")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The plan command's options, for Django's parser and for run_plan's."""
    parser.add_argument(
        "--scenario-file", help="JSON scenario, as --dump-scenario prints (default: the seed's)"
    )
    parser.add_argument(
        "--format", dest="output_format", choices=FORMATS, default="table", help="Output format"
    )
    parser.add_argument(
        "--dump-scenario",
        action="store_true",
        help="Print the scenario (the seed's, or the file's) instead of its figures",
    )


def _json_default(value: object) -> int | float:
    """Decimals go out as JSON numbers; whole ones without a decimal point."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(data: Any) -> str:
    """Plain data as indented JSON, Decimals as numbers."""
    return json.dumps(data, indent=2, default=_json_default)


def read_scenario(path: str | Path) -> Scenario:
    """Read a JSON scenario file; numbers are read as Decimals so that they stay exact."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError("scenario_file", f"cannot read {path}: {error.strerror}") from error
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise ScenarioError("scenario_file", f"is not valid JSON: {error}") from error
    return scenario_from_dict(data)


def _table(result: PlanResult) -> str:
    """The figures as a two-column table, one section per appendix."""
    rows: list[tuple[str, str]] = []

    def section(title: str) -> None:
        rows.append(("", ""))
        rows.append((title, ""))

    def row(label: str, value: Decimal | int, places: int = 1, prefix: str = "") -> None:
        rows.append((f"  {label}", f"{prefix}{value:,.{places}f}"))

    section("Casework demand (Appendix C)")
    for name, slots in result.slots_required_by_case_type.items():
        row(f"Slots required, {name}", slots, 0)
    row("Slots required", result.slots_required, 0)
    row("Slots per FTE", result.slots_per_fte, 0)
    for name, fte in result.casework_fte_by_case_type.items():
        row(f"Casework FTE, {name}", fte)
    row("Casework FTE required", result.casework_fte_required)
    row("Casework FTE with margin", result.casework_fte_with_margin)
    row("Cases per FTE a year", result.cases_per_fte_year)
    row("Caseload turnover a year", result.caseload_cases_per_year)
    row("Caseload time excess (%)", result.caseload_time_excess_percent)

    section("Centres (Appendix D)")
    for name, count in result.centres_by_type.items():
        row(f"Centres, {name}", count, 0)
    row("Centres", result.centres, 0)
    row("Sessions per week", result.sessions_per_week, 0)
    for name, fte in result.group_fte_by_post.items():
        row(f"Group FTE, {name}", fte, 2)
    row("Group FTE", result.group_fte, 2)
    row("Casual FTE", result.casual_fte, 2)
    row("Group cost", result.group_cost, 0, "£")
    for name, sessions in result.centre_sessions.items():
        row(f"Worker-sessions at one centre, {name}", sessions.worker_sessions, 0)
    for post, count in result.worker_sessions_by_post.items():
        row(f"Worker-sessions a week, {post}", count, 0)
    if result.centre_sessions:
        row("Worker-sessions a week", result.worker_sessions_per_week, 0)

    section("Talkzone")
    for hour, staffing in result.talkzone_by_hour.items():
        rows.append(
            (
                f"  {hour:02d}:00-{hour + 1:02d}:00",
                f"{staffing.contacts:,.1f} contacts  {staffing.agents} workers  "
                f"{staffing.service_level:.0%} answered in time",
            )
        )
    row("Worker-hours a day", result.talkzone_worker_hours_per_day, 0)
    row("Worker-hours a year", result.talkzone_worker_hours_per_year, 0)
    row("Talkzone FTE", result.talkzone_fte, 2)

    section("Budget (Appendix E)")
    for grade, line in result.budget.items():
        rows.append(
            (
                f"  {grade}",
                f"{line.fte:,.2f} FTE  £{line.cost:,.0f}  (£{line.cost_per_fte:,.0f} per FTE)",
            )
        )
    row("Total FTE", result.total_fte, 2)
    row("Total cost", result.total_cost, 0, "£")

    if result.localities:
        section("Localities")
        for name, loc in result.localities.items():
            rows.append(
                (
                    f"  {name} ({loc.share_percent:,.1f}%)",
                    f"{loc.cases:,.0f} cases  {loc.slots_required:,.0f} slots  "
                    f"{loc.casework_fte_required:,.1f} FTE  "
                    f"{loc.casework_fte_with_margin:,.1f} FTE with margin",
                )
            )

    width = max(len(label) for label, _ in rows)
    lines = [f"{label:<{width}}  {value}".rstrip() for label, value in rows[1:]]
    return "\n".join(lines)


def render_plan(
    *, scenario_file: str | None, output_format: str = "table", dump_scenario: bool = False
) -> str:
    """The scenario (with dump_scenario) or its figures, as text; ScenarioError if bad."""
    scenario = read_scenario(scenario_file) if scenario_file else default_scenario()
    if dump_scenario:
        return to_json(scenario_to_dict(scenario))
    result = plan(scenario)
    if output_format == "json":
        return to_json(result_as_dict(result))
    return _table(result)


def run_plan(argv: list[str]) -> str:
    """What `manage.py plan ARGV` prints; a bad option exits as argparse does."""
    parser = argparse.ArgumentParser(prog="manage.py plan")
    add_arguments(parser)
    options = parser.parse_args(argv)
    return render_plan(
        scenario_file=options.scenario_file,
        output_format=options.output_format,
        dump_scenario=options.dump_scenario,
    )


# --- manage.py simulate ------------------------------------------------------------------

MAX_REPLICATIONS = 1000
# The figures of a simulated year as the table shows them, in order.
FIGURE_LABELS = {
    "mean_wait_days": "Mean wait to allocation (working days)",
    "median_wait_days": "Median wait (working days)",
    "p95_wait_days": "95th percentile wait (working days)",
    "share_allocated_on_time": "Share allocated on time",
    "mean_number_waiting": "Mean number waiting",
    "mean_caseload": "Mean caseload (open cases a worker)",
    "utilisation": "Utilisation of caseload places",
    "cases_allocated_per_worker": "Cases allocated a worker in the year",
    "arrivals_per_working_day": "Requests a working day",
}
SHARES = {"share_allocated_on_time", "utilisation"}


class DemandFigures(Protocol):
    """What calibration hands in: the arrival rate and case-type mix it measured."""

    requests_per_working_day: float
    case_type_mix: Mapping[str, float]
    support_weeks: Mapping[str, float]

    def as_dict(self) -> dict[str, Any]: ...


def add_simulate_arguments(parser: argparse.ArgumentParser) -> None:
    """The simulate command's options, for Django's parser and for run_simulate's."""
    parser.add_argument(
        "--scenario-file",
        help="JSON scenario, as plan --dump-scenario prints (default: the seed's)",
    )
    parser.add_argument(
        "--replications", type=int, default=10, help="Simulated years to run (default 10)"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="Seed of the first replication (default 1)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        help="Key workers taking cases (default: the model's casework FTE, rounded)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="Processes to spread the replications over (default 1: this one)",
    )
    parser.add_argument(
        "--format", dest="output_format", choices=FORMATS, default="table", help="Output format"
    )


def _check_count(name: str, value: int, low: int, high: int | None = None) -> None:
    if value < low or (high is not None and value > high):
        limit = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise ScenarioError(name, f"must be {limit}, not {value}")


def simulation_figures(
    *,
    scenario: Scenario,
    replications: int,
    seed: int,
    workers: int | None = None,
    processes: int = 1,
    calibration: DemandFigures | None = None,
) -> dict[str, Any]:
    """The simulated year of a scenario as plain data: its inputs, the offered utilisation
    and every figure's mean with its 95% interval over the replications."""
    _check_count("replications", replications, 1, MAX_REPLICATIONS)
    _check_count("processes", processes, 1)
    if workers is not None:
        _check_count("workers", workers, 1)
    inputs = sim.simulation_scenario(scenario)
    if calibration is not None:
        inputs = dataclasses.replace(
            inputs,
            requests_per_working_day=calibration.requests_per_working_day,
            case_type_mix=dict(calibration.case_type_mix),
            support_weeks={**inputs.support_weeks, **calibration.support_weeks},
        )
    chosen = workers if workers is not None else sim.default_workers(scenario)
    result = sim.simulate(
        inputs, workers=chosen, replications=replications, seed=seed, processes=processes
    )
    return {
        "workers": chosen,
        "replications": replications,
        "seed": seed,
        "inputs": {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in dataclasses.asdict(inputs).items()
        },
        "calibration": calibration.as_dict() if calibration is not None else None,
        "mean_case_days": round(sim.mean_case_days(inputs), 4),
        "offered_utilisation": round(sim.offered_utilisation(inputs, workers=chosen), 4),
        "figures": {
            name: {
                "mean": round(interval.mean, 4),
                "low": round(interval.low, 4),
                "high": round(interval.high, 4),
            }
            for name, interval in result.intervals.items()
        },
    }


def _simulation_table(figures: dict[str, Any]) -> str:
    inputs = figures["inputs"]
    lines = [
        f"Simulated year: {figures['workers']} workers, {figures['replications']} "
        f"replications from seed {figures['seed']}",
        f"Requests a working day {inputs['requests_per_working_day']:,.2f}, "
        f"mean case {figures['mean_case_days']:,.1f} working days, "
        f"offered utilisation {figures['offered_utilisation']:.1%}",
    ]
    calibration = figures["calibration"]
    if calibration is not None:
        lines.append(
            f"Calibrated from {calibration['requests']} requests and "
            f"{calibration['typed_cases']} typed cases, "
            f"{calibration['window_start']} to {calibration['window_end']}"
        )
    lines.append("")
    width = max(len(label) for label in FIGURE_LABELS.values())
    lines.append(f"{'':<{width}}  {'mean':>9}  95% interval")
    for name, label in FIGURE_LABELS.items():
        value = figures["figures"][name]
        if name in SHARES:
            text = f"{value['mean']:>9.1%}  {value['low']:.1%} to {value['high']:.1%}"
        else:
            text = f"{value['mean']:>9.2f}  {value['low']:.2f} to {value['high']:.2f}"
        lines.append(f"{label:<{width}}  {text}")
    lines.append(f"(allocated on time: within {inputs['allocation_target_days']:g} working days)")
    return "\n".join(lines)


def render_simulation(
    *,
    scenario_file: str | None,
    replications: int,
    seed: int,
    workers: int | None = None,
    processes: int = 1,
    output_format: str = "table",
    calibration: DemandFigures | None = None,
) -> str:
    """The simulated year's figures as text; ScenarioError naming the input if one is bad."""
    scenario = read_scenario(scenario_file) if scenario_file else default_scenario()
    figures = simulation_figures(
        scenario=scenario,
        replications=replications,
        seed=seed,
        workers=workers,
        processes=processes,
        calibration=calibration,
    )
    if output_format == "json":
        return to_json(figures)
    return _simulation_table(figures)


def run_simulate(argv: list[str]) -> str:
    """What `manage.py simulate ARGV` prints (without --calibrate-from-database)."""
    parser = argparse.ArgumentParser(prog="manage.py simulate")
    add_simulate_arguments(parser)
    options = parser.parse_args(argv)
    return render_simulation(
        scenario_file=options.scenario_file,
        replications=options.replications,
        seed=options.seed,
        workers=options.workers,
        processes=options.processes,
        output_format=options.output_format,
    )
