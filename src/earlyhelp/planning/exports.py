"""A scenario's inputs and figures, or a comparison's, as XLSX (openpyxl) and CSV.

CSV has one figure a row: section (inputs, results or simulation), the figure's dotted
name (``budget.G6.fte``) and its value. XLSX has a sheet for each section, with the
dotted name, a label for people and the value as a number."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.styles import Font

from earlyhelp.planning import services
from earlyhelp.planning.models import PlanningScenario
from earlyhelp.planning.presentation import flatten, label_for_path
from earlyhelp.planning.selectors import Comparison

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMATS = ("xlsx", "csv")


def simulation_figures(simulation: dict[str, Any] | None) -> Iterator[tuple[str, Any]]:
    """A stored simulation as (name, value): ``<workers>_workers.<figure>[.<mean|low|high>]``."""
    if not simulation:
        return
    for level in simulation.get("levels", []):
        prefix = f"{level['workers']}_workers"
        for figure, value in level["figures"].items():
            if isinstance(value, dict):
                for part in ("mean", "low", "high"):
                    yield f"{prefix}.{figure}.{part}", value[part]
            else:
                yield f"{prefix}.{figure}", value


def scenario_sections(row: PlanningScenario) -> list[tuple[str, list[tuple[str, Any]]]]:
    """The scenario's sections, each a list of (dotted name, value)."""
    sections = [
        ("inputs", list(flatten(services.complete_inputs(row.inputs)))),
        ("results", list(flatten(services.results_of(row)))),
    ]
    if row.simulation:
        sections.append(("simulation", list(simulation_figures(row.simulation))))
    return sections


def _cell(value: Any) -> Any:
    """A spreadsheet cell's value: numbers stay numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def scenario_csv(row: PlanningScenario) -> str:
    """section,name,value: every input, figure and simulated figure of the scenario."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "name", "value"])
    for section, figures in scenario_sections(row):
        for name, value in figures:
            writer.writerow([section, name, _text(value)])
    return out.getvalue()


def _sheet(workbook: Workbook, title: str, header: Sequence[str], rows) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append([_cell(value) for value in values])
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 48
    sheet.freeze_panes = "A2"


def _bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def scenario_xlsx(row: PlanningScenario) -> bytes:
    """A workbook with sheets Inputs, Results and (when simulated) Simulation."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for section, figures in scenario_sections(row):
        _sheet(
            workbook,
            section.capitalize(),
            ["Name", "Label", "Value"],
            [(name, label_for_path(name), value) for name, value in figures],
        )
    if row.simulation:
        sheet = workbook["Simulation"]
        sheet.append([])
        sheet.append(["replications", "Replications", row.simulation_replications])
        sheet.append(["seed", "Seed", row.simulation_seed])
        sheet.append(
            [
                "simulated_at",
                "Simulated at",
                row.simulated_at.isoformat() if row.simulated_at else "",
            ]
        )
    return _bytes(workbook)


def _comparison_sections(comparison: Comparison) -> list[tuple[str, list[tuple[str, list]]]]:
    inputs = [dict(flatten(services.complete_inputs(row.inputs))) for row in comparison.scenarios]
    names = list(dict.fromkeys(name for each in inputs for name in each))
    return [
        ("inputs", [(name, [each.get(name) for each in inputs]) for name in names]),
        ("results", [(row["name"], row["values"]) for row in comparison.figures]),
    ]


def comparison_csv(comparison: Comparison) -> str:
    """section,name,<one column per scenario>: every input and figure side by side."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "name", *[row.name for row in comparison.scenarios]])
    for section, rows in _comparison_sections(comparison):
        for name, values in rows:
            writer.writerow([section, name, *[_text(value) for value in values]])
    return out.getvalue()


def comparison_xlsx(comparison: Comparison) -> bytes:
    """Sheets Inputs and Results with a column per scenario."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    scenario_names = [row.name for row in comparison.scenarios]
    for section, rows in _comparison_sections(comparison):
        _sheet(
            workbook,
            section.capitalize(),
            ["Name", "Label", *scenario_names],
            [(name, label_for_path(name), *values) for name, values in rows],
        )
    return _bytes(workbook)


def filename(name: str, extension: str) -> str:
    """A safe download name for a scenario or comparison."""
    return f"{slugify(name) or 'scenario'}.{extension}"
