"""Allocation in the API: recommendations, proposals and decisions, the forecast;
problem+json refusals; query counts that do not grow with rows; the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.cases.models import Case
from tests.allocation.helpers import load, waiting

API = "/api/v1/allocation"
PROBLEM = "application/problem+json"

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(user, path: str, body: dict):
    return client_for(user).post(API + path, body, content_type="application/json")


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    return response.json()


def test_recommendations_rank_workers_with_reasons(world):
    load(world.key_worker, 18)
    request = waiting(world)

    body = client_for(world.manager).get(f"{API}/requests/{request.pk}/recommendations").json()

    assert [r["worker_id"] for r in body] == [world.second_worker.pk, world.key_worker.pk]
    assert body[0]["available"] is True
    assert body[1]["available"] is False
    assert {"factor": "headroom", "text": "Headroom: 11 cases", "points": 40.0} in body[0][
        "reasons"
    ]


def test_recommendations_are_for_the_requests_managers_only(world):
    request = waiting(world)

    problem(client_for(world.key_worker).get(f"{API}/requests/{request.pk}/recommendations"), 403)
    problem(
        client_for(world.other_manager).get(f"{API}/requests/{request.pk}/recommendations"), 403
    )
    problem(client_for(world.manager).get(f"{API}/requests/987654/recommendations"), 404)


def test_propose_then_accept_allocates(world):
    request = waiting(world)

    proposal = post(world.manager, "/proposals", {"team_id": world.team.pk})
    assert proposal.status_code == 201, proposal.content
    body = proposal.json()
    [line] = body["lines"]
    assert line["status"] == "pending"
    assert line["reasons"]

    decided = post(
        world.manager,
        f"/proposals/{body['id']}/decisions",
        {"decisions": [{"line_id": line["id"], "action": "accept"}]},
    ).json()

    assert decided["allocated"][0]["status"] == "accepted"
    assert decided["refused"] == []
    case = Case.objects.get(request=request)
    assert decided["allocated"][0]["case_id"] == case.pk
    again = client_for(world.manager).get(f"{API}/proposals/{body['id']}").json()
    assert again["lines"][0]["status"] == "accepted"


def test_a_stale_line_comes_back_refused_with_its_reason(world):
    load(world.key_worker, 17)
    load(world.second_worker, 18)
    waiting(world)
    body = post(world.manager, "/proposals", {"team_id": world.team.pk}).json()
    load(world.key_worker, 1)

    decided = post(
        world.manager,
        f"/proposals/{body['id']}/decisions",
        {"decisions": [{"line_id": body["lines"][0]["id"], "action": "accept"}]},
    ).json()

    assert decided["allocated"] == []
    assert "no longer has headroom" in decided["refused"][0]["message"]


def test_bad_input_is_422_by_field(world):
    waiting(world)
    body = post(world.manager, "/proposals", {"team_id": world.team.pk}).json()

    both = problem(
        post(world.manager, "/proposals", {"team_id": world.team.pk, "district_id": 1}), 422
    )
    change = problem(
        post(
            world.manager,
            f"/proposals/{body['id']}/decisions",
            {"decisions": [{"line_id": body["lines"][0]["id"], "action": "change"}]},
        ),
        422,
    )

    assert both["errors"][0]["field"] == "team_id"
    assert change["errors"] == [
        {"field": "decisions[0].worker_id", "message": "Choose the worker to give this request to"}
    ]


def test_other_managers_are_refused_and_audited(world):
    waiting(world)
    body = post(world.manager, "/proposals", {"team_id": world.team.pk}).json()

    problem(post(world.other_manager, "/proposals", {"team_id": world.team.pk}), 403)
    problem(client_for(world.other_manager).get(f"{API}/proposals/{body['id']}"), 403)
    problem(
        post(
            world.other_manager,
            f"/proposals/{body['id']}/decisions",
            {"decisions": [{"line_id": body["lines"][0]["id"], "action": "accept"}]},
        ),
        403,
    )
    problem(client_for(world.other_manager).get(f"{API}/teams/{world.team.pk}/forecast"), 403)

    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=world.other_manager).count() == 4
    assert not Case.objects.exists()


def test_the_forecast_says_which_requests_are_at_risk(world):
    load(world.key_worker, 18)
    load(world.second_worker, 17)
    first = waiting(world, name="Ash")
    second = waiting(world, name="Birch")

    body = client_for(world.manager).get(f"{API}/teams/{world.team.pk}/forecast").json()

    assert body["free_places"] == 1
    assert body["at_risk"] == 1
    assert [(r["request_id"], r["on_track"]) for r in body["requests"]] == [
        (first.pk, True),
        (second.pk, False),
    ]
    assert body["requests"][1]["label"] == (
        "at risk: no place frees up at the present rate of closures"
    )


def test_single_allocation_in_the_api_needs_a_reason_for_a_full_worker(world):
    load(world.key_worker, 18)
    request = waiting(world)

    refused = problem(
        client_for(world.manager).post(
            f"/api/v1/requests/{request.pk}/allocate",
            {"key_worker_id": world.key_worker.pk},
            content_type="application/json",
        ),
        422,
    )

    assert refused["errors"][0]["field"] == "reason"
    assert "has no headroom" in refused["errors"][0]["message"]


def _count(client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_api_reads_cost_the_same_queries_for_more_rows(world):
    client = client_for(world.manager)
    first = waiting(world)
    proposal = post(world.manager, "/proposals", {"team_id": world.team.pk}).json()
    paths = [
        f"{API}/requests/{first.pk}/recommendations",
        f"{API}/proposals/{proposal['id']}",
        f"{API}/teams/{world.team.pk}/forecast",
    ]
    few = [_count(client, path) for path in paths]
    for number in range(15):
        waiting(world, name=f"Family{number}")
    load(world.key_worker, 6)
    bigger = post(world.manager, "/proposals", {"team_id": world.team.pk}).json()
    paths[1] = f"{API}/proposals/{bigger['id']}"
    assert len(bigger["lines"]) == 16

    assert [_count(client, path) for path in paths] == few


def test_the_operations_are_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()

    for path in (
        "/api/v1/allocation/requests/{request_id}/recommendations",
        "/api/v1/allocation/proposals",
        "/api/v1/allocation/proposals/{proposal_id}",
        "/api/v1/allocation/proposals/{proposal_id}/decisions",
        "/api/v1/allocation/teams/{team_id}/forecast",
    ):
        assert path in schema["paths"]
