"""Exports read back: XLSX with openpyxl and CSV with the csv module, checked against
the domain's plan() figures (the default's total cost is £15,135,098)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from earlyhelp.domain.resource_model import plan, result_as_dict
from earlyhelp.planning import services
from earlyhelp.planning.presentation import flatten

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sheet_values(workbook, title: str) -> dict[str, object]:
    """Name -> value of a sheet with the columns Name, Label, Value."""
    rows = workbook[title].iter_rows(min_row=2, values_only=True)
    return {row[0]: row[2] for row in rows if row and row[0]}


def test_scenario_xlsx_has_inputs_and_results_sheets_matching_plan(head):
    default = services.ensure_default_scenario()

    response = client_for(head).get(f"/planning/{default.pk}/export/?format=xlsx")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="service-specification-default.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Inputs", "Results"]
    results = sheet_values(workbook, "Results")
    expected = dict(flatten(result_as_dict(plan(services.scenario_of(default)))))
    assert results["total_cost"] == 15135098
    assert results["slots_required"] == 88500
    assert Decimal(str(results["casework_fte_required"])) == Decimal("174.9")
    assert Decimal(str(results["budget.G6.fte"])) == Decimal("273.24")
    assert set(results) == set(expected)
    inputs = sheet_values(workbook, "Inputs")
    assert inputs["total_cases_per_year"] == 10000
    assert inputs["case_types.L2A.cycles_per_year"] == 3.8
    labels = {row[0]: row[1] for row in workbook["Results"].iter_rows(values_only=True)}
    assert labels["total_cost"] == "Total cost (£)"


def test_scenario_csv_has_one_figure_a_row(head):
    default = services.ensure_default_scenario()

    response = client_for(head).get(f"/planning/{default.pk}/export/?format=csv")

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {"section": "results", "name": "total_cost", "value": "15135098"} in rows
    assert {"section": "results", "name": "sessions_per_week", "value": "452"} in rows
    assert {"section": "inputs", "name": "budget.G6.fte", "value": "273.24"} in rows
    assert {row["section"] for row in rows} == {"inputs", "results"}
    results = [row for row in rows if row["section"] == "results"]
    assert len(results) == len(list(flatten(services.results_of(default))))


def test_a_simulated_scenario_exports_its_simulation_sheet(manager):
    scenario = services.create_scenario(actor=manager, name="Simulated")
    services.simulate_scenario(
        actor=manager, scenario_id=scenario.pk, replications=1, seed=3, workers_levels=[160]
    )

    client = client_for(manager)
    workbook = load_workbook(
        io.BytesIO(client.get(f"/planning/{scenario.pk}/export/?format=xlsx").content)
    )
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/planning/{scenario.pk}/export/?format=csv").content.decode())
        )
    )

    assert workbook.sheetnames == ["Inputs", "Results", "Simulation"]
    simulation = sheet_values(workbook, "Simulation")
    assert 0 <= simulation["160_workers.share_allocated_on_time.mean"] <= 1
    assert simulation["seed"] == 3
    assert any(r["name"] == "160_workers.share_allocated_on_time.mean" for r in rows)


def test_comparison_exports_have_a_column_per_scenario(manager):
    default = services.ensure_default_scenario()
    growth = services.create_scenario(
        actor=manager, name="Growth", inputs=dict(default.inputs, total_cases_per_year=12000)
    )
    client = client_for(manager)
    query = f"ids={default.pk}&ids={growth.pk}"

    text = client.get(f"/planning/compare/export/?{query}&format=csv").content.decode()
    workbook = load_workbook(
        io.BytesIO(client.get(f"/planning/compare/export/?{query}&format=xlsx").content)
    )

    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "name", default.name, "Growth"]
    assert ["results", "slots_required", "88500", "106200"] in rows
    assert ["inputs", "total_cases_per_year", "10000", "12000"] in rows
    results = {
        row[0]: row[2:] for row in workbook["Results"].iter_rows(min_row=2, values_only=True)
    }
    assert results["total_cost"] == (15135098, 15135098)
    assert workbook["Results"].cell(row=1, column=4).value == "Growth"


def test_an_unknown_export_format_is_not_found(head):
    default = services.ensure_default_scenario()

    assert client_for(head).get(f"/planning/{default.pk}/export/?format=pdf").status_code == 404
