"""`manage.py plan` without Django: reads a scenario file, runs the resource model and
renders its figures as JSON or a table. The command and the tests share it."""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

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
