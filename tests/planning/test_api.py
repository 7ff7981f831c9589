"""Planning scenarios in the JSON API: the actions of the pages, problem+json naming the
input that is wrong, stale versions, permissions, exports and constant query counts."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from earlyhelp.accounts.services import issue_api_token
from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.planning import services
from earlyhelp.planning.models import PlanningScenario
from earlyhelp.planning.presentation import plain_numbers

pytestmark = pytest.mark.django_db

API = "/api/v1/planning/scenarios"
PROBLEM = "application/problem+json"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def send(user, method: str, path: str, body: dict | None = None):
    client = client_for(user)
    return getattr(client, method)(path, body, content_type="application/json")


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    return response.json()


def test_list_has_the_default_with_its_headline_figures(manager):
    response = client_for(manager).get(API)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    default = body["items"][0]
    assert default["is_default"] is True
    assert default["can_edit"] is False
    assert default["total_cost"] == 15135098
    assert default["total_fte"] == 552.24


def test_create_get_update_and_results_with_a_bearer_token(manager):
    _, key = issue_api_token(actor=manager, user=manager, name="planning test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    created = client.post(API, {"name": "Growth"}, content_type="application/json")
    assert created.status_code == 201, created.content
    scenario = created.json()
    assert scenario["version"] == 1
    assert scenario["inputs"]["case_types"]["L2A"]["cycles_per_year"] == 3.8
    inputs = scenario["inputs"]
    inputs["total_cases_per_year"] = 12000

    updated = client.put(
        f"{API}/{scenario['id']}/inputs",
        {"version": 1, "inputs": inputs},
        content_type="application/json",
    )

    assert updated.status_code == 200, updated.content
    assert updated.json()["version"] == 2
    results = client.get(f"{API}/{scenario['id']}/results").json()
    assert results["slots_required"] == 106200
    assert results["casework_fte_required"] == 209.88


def test_a_bad_input_is_a_problem_naming_the_dotted_input(manager):
    scenario = services.create_scenario(actor=manager, name="Bad")
    inputs = plain_numbers(scenario.inputs)
    inputs["case_types"]["L3"]["share_percent"] = -5

    body = problem(
        send(manager, "put", f"{API}/{scenario.pk}/inputs", {"version": 1, "inputs": inputs}),
        422,
    )

    assert body["input"] == "case_types.L3.share_percent"
    assert body["errors"][0]["field"] == "case_types.L3.share_percent"
    assert body["rule"] == "invalid_scenario_input"
    assert PlanningScenario.objects.get(pk=scenario.pk).version == 1


def test_a_stale_version_is_a_409_with_the_differences(manager):
    scenario = services.create_scenario(actor=manager, name="Shared")
    services.update_scenario_inputs(
        actor=manager,
        scenario_id=scenario.pk,
        inputs=dict(scenario.inputs, working_weeks=45),
        version=1,
    )

    body = problem(
        send(
            manager,
            "put",
            f"{API}/{scenario.pk}/inputs",
            {"version": 1, "inputs": plain_numbers(dict(scenario.inputs, visits_per_week=10))},
        ),
        409,
    )

    assert body["current_version"] == 2
    assert {d["input"] for d in body["differences"]} == {"working_weeks", "visits_per_week"}


def test_the_default_cannot_be_changed_or_deleted_but_can_be_copied(head):
    default = services.ensure_default_scenario()

    body = problem(
        send(
            head,
            "put",
            f"{API}/{default.pk}/inputs",
            {"version": 1, "inputs": plain_numbers(default.inputs)},
        ),
        409,
    )
    assert body["rule"] == "default_scenario_read_only"
    problem(send(head, "delete", f"{API}/{default.pk}"), 409)

    copied = send(head, "post", f"{API}/{default.pk}/copy", {"name": "Head's copy"})
    assert copied.status_code == 201
    assert copied.json()["inputs"] == send(head, "get", f"{API}/{default.pk}").json()["inputs"]


def test_rename_and_delete(manager):
    scenario = services.create_scenario(actor=manager, name="Old name")

    renamed = send(manager, "patch", f"{API}/{scenario.pk}", {"version": 1, "name": "New name"})
    assert renamed.json()["name"] == "New name"
    duplicate = services.create_scenario(actor=manager, name="Taken")
    body = problem(
        send(manager, "patch", f"{API}/{duplicate.pk}", {"version": 1, "name": "new NAME"}), 422
    )
    assert "already exists" in body["errors"][0]["message"]

    assert send(manager, "delete", f"{API}/{scenario.pk}").status_code == 204
    assert not PlanningScenario.objects.filter(pk=scenario.pk).exists()


def test_someone_who_does_not_plan_is_refused_and_audited(key_worker, manager):
    scenario = services.create_scenario(actor=manager, name="Theirs")

    problem(send(key_worker, "get", API), 403)
    problem(send(key_worker, "get", f"{API}/{scenario.pk}"), 403)
    problem(send(key_worker, "post", API, {"name": "Mine"}), 403)

    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=key_worker).count() == 3


def test_another_managers_scenario_cannot_be_changed(manager, other_manager):
    scenario = services.create_scenario(actor=manager, name="Theirs")

    problem(
        send(
            other_manager,
            "put",
            f"{API}/{scenario.pk}/inputs",
            {"version": 1, "inputs": plain_numbers(scenario.inputs)},
        ),
        403,
    )
    assert send(other_manager, "get", f"{API}/{scenario.pk}").json()["can_edit"] is False


def test_simulate_keeps_the_seed_and_bounds_the_replications(manager):
    scenario = services.create_scenario(actor=manager, name="Simulated")

    response = send(
        manager,
        "post",
        f"{API}/{scenario.pk}/simulate",
        {"replications": 1, "seed": 7, "workers_levels": [150, 175]},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["simulation_seed"] == 7
    levels = body["simulation"]["levels"]
    assert [level["workers"] for level in levels] == [150, 175]
    assert 0 <= levels[0]["figures"]["share_allocated_on_time"]["mean"] <= 1
    too_many = problem(
        send(manager, "post", f"{API}/{scenario.pk}/simulate", {"replications": 50}), 422
    )
    assert too_many["input"] == "replications"


def test_compare_marks_the_figures_that_differ(manager):
    default = services.ensure_default_scenario()
    growth = services.create_scenario(
        actor=manager, name="Growth", inputs=dict(default.inputs, total_cases_per_year=12000)
    )

    body = send(manager, "get", f"{API}/compare?ids={default.pk},{growth.pk}").json()

    figures = {row["name"]: row for row in body["figures"]}
    assert figures["slots_required"]["values"] == [88500, 106200]
    assert figures["slots_required"]["differs"] is True
    assert figures["total_cost"]["differs"] is False
    assert [row["name"] for row in body["inputs_that_differ"]] == ["total_cases_per_year"]
    problem(send(manager, "get", f"{API}/compare?ids={default.pk}"), 422)


def test_exports_read_back_with_the_plan_figures(manager):
    default = services.ensure_default_scenario()

    xlsx = send(manager, "get", f"{API}/{default.pk}/export?format=xlsx")
    text = send(manager, "get", f"{API}/{default.pk}/export?format=csv")

    workbook = load_workbook(io.BytesIO(xlsx.content))
    results = {row[0]: row[2] for row in workbook["Results"].iter_rows(min_row=2, values_only=True)}
    assert results["total_cost"] == 15135098
    rows = list(csv.DictReader(io.StringIO(text.content.decode())))
    assert {"section": "results", "name": "total_fte", "value": "552.24"} in rows


def _queries(user, path: str) -> int:
    client = client_for(user)
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_list_queries_do_not_grow_with_scenarios(manager, other_manager):
    services.create_scenario(actor=manager, name="One")
    services.create_scenario(actor=other_manager, name="Two")
    few = _queries(manager, API)
    for number in range(12):
        owner = manager if number % 2 else other_manager
        services.create_scenario(actor=owner, name=f"Scenario {number}")

    many = _queries(manager, API)

    assert many == few


def test_openapi_documents_the_planning_operations(manager):
    schema = client_for(manager).get("/api/v1/openapi.json").json()

    paths = schema["paths"]
    assert "/api/v1/planning/scenarios/{scenario_id}/inputs" in paths
    assert "/api/v1/planning/scenarios/compare" in paths
    assert "put" in paths["/api/v1/planning/scenarios/{scenario_id}/inputs"]
