"""The workforce API: loads, team capacity, absences, capacity details and bulk
reassignment; problem+json for bad input and refusals; query counts that do not grow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.workforce.models import Absence, AbsenceKind
from tests.factories import make_staff
from tests.workforce.helpers import held_case, hold

pytestmark = pytest.mark.django_db
API = "/api/v1/workforce"


@pytest.fixture
def manager_client(client, world):
    client.force_login(world.manager)
    return client


def test_a_workers_load_in_the_api(manager_client, world):
    hold(world.key_worker, {"L3": 1, "L2A": 7, "L2B": 9, "L2-L1": 1})

    body = manager_client.get(f"{API}/workers/{world.key_worker.staff.pk}/load").json()

    assert body["open_cases"] == 18
    assert body["open_cases_by_type"] == {"L3": 1, "L2A": 7, "L2B": 9, "L2-L1": 1}
    assert body["flags"]["demand_slots"] == 13
    assert body["flags"]["capacity_slots"] == 11
    assert body["flags"]["over_capacity"] is True
    assert body["headroom_cases"] == 0


def test_a_key_worker_sees_their_own_load_but_not_a_colleagues(client, world):
    client.force_login(world.key_worker)

    own = client.get(f"{API}/workers/{world.key_worker.staff.pk}/load")
    other = client.get(f"{API}/workers/{world.second_worker.staff.pk}/load")

    assert own.status_code == 200
    assert other.status_code == 403
    assert other["Content-Type"] == "application/problem+json"
    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=world.key_worker).exists()


def test_team_capacity_sorted_in_the_api(manager_client, world):
    hold(world.key_worker, {"L2B": 10})
    hold(world.second_worker, {"L2B": 2})

    body = manager_client.get(f"{API}/teams/{world.team.pk}/capacity?sort=-headroom").json()

    assert body["sort"] == "headroom"
    assert body["descending"] is True
    assert [w["load"]["user_id"] for w in body["workers"]] == [
        world.second_worker.pk,
        world.key_worker.pk,
    ]


def test_a_key_worker_cannot_read_team_capacity(client, world):
    client.force_login(world.key_worker)

    response = client.get(f"{API}/teams/{world.team.pk}/capacity")

    assert response.status_code == 403


def test_record_list_and_cancel_an_absence_in_the_api(manager_client, world):
    url = f"{API}/workers/{world.key_worker.staff.pk}/absences"

    created = manager_client.post(
        url,
        {"kind": "sickness", "start_date": "2026-06-08", "end_date": "2026-06-09"},
        content_type="application/json",
    )
    absence_id = created.json()["id"]
    listed = manager_client.get(url).json()
    cancelled = manager_client.post(f"{API}/absences/{absence_id}/cancel")

    assert created.status_code == 201
    assert [a["id"] for a in listed["items"]] == [absence_id]
    assert cancelled.json()["cancelled_at"] is not None
    assert manager_client.get(url).json()["count"] == 0


def test_an_absence_ending_before_it_starts_is_a_problem_naming_the_field(manager_client, world):
    response = manager_client.post(
        f"{API}/workers/{world.key_worker.staff.pk}/absences",
        {"kind": "annual_leave", "start_date": "2026-06-10", "end_date": "2026-06-08"},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": "end_date", "message": "The last day must be the same as or after the first day"}
    ]
    assert not Absence.objects.exists()


def test_fte_outside_nought_to_one_is_a_problem(manager_client, world):
    response = manager_client.put(
        f"{API}/workers/{world.key_worker.staff.pk}/capacity",
        {"fte": "1.2", "protected_hours": "0"},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert {
        "field": "fte",
        "message": "FTE must be more than 0 and at most 1.0",
    } in response.json()["errors"]


def test_capacity_details_set_in_the_api_change_the_load(manager_client, world):
    response = manager_client.put(
        f"{API}/workers/{world.key_worker.staff.pk}/capacity",
        {"fte": "0.5", "protected_hours": "2.5", "languages": ["Urdu"]},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["flags"]["capacity_slots"] == 4.5
    assert response.json()["languages"] == ["urdu"]


def test_bulk_reassignment_in_the_api(manager_client, world):
    cases = [held_case(world.key_worker), held_case(world.key_worker, case_type="L2B")]

    response = manager_client.post(
        f"{API}/workers/{world.key_worker.staff.pk}/reassignments",
        {
            "reason": "Leaving",
            "cases": [{"case_id": c.pk, "new_worker_id": world.second_worker.pk} for c in cases],
        },
        content_type="application/json",
    )

    assert response.status_code == 200
    assert {c["key_worker_id"] for c in response.json()} == {world.second_worker.pk}


def test_bulk_reassignment_to_a_full_worker_is_a_problem_by_the_case(manager_client, world):
    hold(world.second_worker, {"L2B": 18})
    case = held_case(world.key_worker)

    response = manager_client.post(
        f"{API}/workers/{world.key_worker.staff.pk}/reassignments",
        {
            "reason": "Leaving",
            "cases": [{"case_id": case.pk, "new_worker_id": world.second_worker.pk}],
        },
        content_type="application/json",
    )

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == f"case-{case.pk}"
    assert "no headroom" in error["message"]


def test_the_openapi_schema_documents_the_workforce_operations(client, world):
    client.force_login(world.manager)

    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert "/api/v1/workforce/teams/{team_id}/capacity" in paths
    assert "post" in paths["/api/v1/workforce/workers/{staff_id}/reassignments"]
    assert "post" in paths["/api/v1/workforce/workers/{staff_id}/absences"]


def _grow(world, workers: int, cases_each: int) -> None:
    for _ in range(workers):
        worker = make_staff(Role.KEY_WORKER, team=world.team, line_manager=world.manager)
        hold(worker, {"L2A": cases_each, None: 1})
    for n in range(workers):
        Absence.objects.create(
            worker=world.key_worker.staff,
            kind=AbsenceKind.OTHER,
            start_date=timezone.localdate() + dt.timedelta(days=10 * n + 40 * workers),
            end_date=timezone.localdate() + dt.timedelta(days=10 * n + 40 * workers),
            recorded_by=world.manager,
            recorded_at=timezone.now(),
        )


def _queries(client, url: str) -> int:
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "path",
    [
        "/teams/{team}/capacity?sort=-visits",
        "/workers/{worker}/absences",
        "/workers/{worker}/load",
    ],
)
def test_api_reads_cost_the_same_queries_whatever_their_size(manager_client, world, path):
    url = API + path.format(team=world.team.pk, worker=world.key_worker.staff.pk)
    _grow(world, workers=1, cases_each=1)
    small = _queries(manager_client, url)

    _grow(world, workers=5, cases_each=4)
    large = _queries(manager_client, url)

    assert large == small


def test_a_day_years_away_is_a_problem_not_a_crash(manager_client, world):
    response = manager_client.get(f"{API}/workers/{world.key_worker.staff.pk}/load?on=9999-12-31")

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "on", "message": "Choose a day within 5 years of today"}
    ]
