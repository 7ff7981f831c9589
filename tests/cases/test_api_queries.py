"""The API's lists and the case page cost the same number of queries whatever their
size: 3 rows or 30, no query per row."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from earlyhelp.cases import services
from earlyhelp.referrals import services as rfs
from tests.casework import assessed_case, submit

FEW, MANY = 3, 30


def queries(user, path: str) -> int:
    """Queries of one GET, after a first call has warmed the per-process caches."""
    client = Client()
    client.force_login(user)
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured)


def rows(user, path: str) -> int:
    """How many rows a list holds (over all its pages of 50)."""
    client = Client()
    client.force_login(user)
    body = client.get(path).json()
    return body["count"]


def receive(world, count: int) -> list:
    return [submit(world) for _ in range(count)]


def allocate(world, requests) -> None:
    for request in requests:
        rfs.allocate_request(
            actor=world.manager, request_id=request.pk, key_worker_id=world.key_worker.pk
        )


def add_rows(world, count: int) -> None:
    """``count`` requests waiting for allocation and ``count`` allocated to the key worker
    (each with its initial visit task)."""
    receive(world, count)
    allocate(world, receive(world, count))


LISTS = [
    ("manager", "/api/v1/requests"),
    ("manager", "/api/v1/tasks?team=true"),
    ("key_worker", "/api/v1/cases"),
    ("key_worker", "/api/v1/tasks"),
]


def test_lists_cost_the_same_queries_for_3_rows_as_for_30(world):
    add_rows(world, FEW)
    few = {path: queries(getattr(world, who), path) for who, path in LISTS}
    add_rows(world, MANY - FEW)

    many = {path: queries(getattr(world, who), path) for who, path in LISTS}

    sizes = {path: rows(getattr(world, who), path) for who, path in LISTS}
    assert sizes == {
        "/api/v1/requests": MANY,
        # The team's allocation tasks and the initial visits of the manager's report.
        "/api/v1/tasks?team=true": 2 * MANY,
        "/api/v1/cases": MANY,
        "/api/v1/tasks": MANY,
    }
    assert many == few


def add_work(case, count: int) -> None:
    """Contacts with attendees, and plan actions."""
    members = list(case.family.memberships.values_list("person_id", flat=True))
    for number in range(count):
        services.record_contact(
            actor=case.key_worker,
            case_id=case.pk,
            occurred_at=timezone.now() - dt.timedelta(minutes=number + 1),
            contact_type="home_visit",
            duration_minutes=30,
            notes=f"Visit {number}",
            attendee_ids=members,
        )
        services.add_plan_action(
            actor=case.key_worker,
            case_id=case.pk,
            what=f"Action {number}",
            who="Mum",
            by_when=timezone.localdate() + dt.timedelta(days=number),
            success_measure="Done",
            outcome_number=1 + number % 5,
        )


def test_case_page_queries_do_not_grow_with_its_contacts_and_actions(world):
    case = assessed_case(world)
    services.record_decision(
        actor=case.key_worker,
        case_id=case.pk,
        level="2",
        case_type_code="L2A",
        rationale="CAF/TAF",
        lead_professional_id=case.key_worker.pk,
    )
    path = f"/api/v1/cases/{case.pk}"
    add_work(case, FEW)
    few = queries(case.key_worker, path)
    add_work(case, MANY - FEW)

    many = queries(case.key_worker, path)

    client = Client()
    client.force_login(case.key_worker)
    body = client.get(path).json()
    assert len(body["contact_list"]) == MANY + 1  # and the initial visit
    assert len(body["actions"]) == MANY
    assert many == few
