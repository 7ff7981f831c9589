"""Requests for Support in the JSON API: receive, match, queue, see the eligible workers,
withdraw and allocate, with problem+json answers for what the rules refuse."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from earlyhelp.configuration.selectors import service_calendar
from earlyhelp.referrals.models import RequestForSupport
from tests.casework import submit

API = "/api/v1/requests"
PROBLEM = "application/problem+json"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(user, path: str, body: dict):
    return client_for(user).post(path, body, content_type="application/json")


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    return response.json()


def body(**overrides) -> dict:
    return {
        "route": "partnership",
        "received_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
        "referrer": {
            "name": "Dee Health",
            "organisation": "Health Visiting",
            "email": "dee@example.test",
        },
        "address": {"address_line_1": "5 Mill Lane", "town": "Preston", "postcode": "pr2 9xy"},
        "members": [
            {
                "key": "dad",
                "first_name": "Lee",
                "last_name": "Miller",
                "relationship": "parent",
                "is_subject": False,
                "is_parent_or_carer": True,
                "confirmed_new": True,
            },
            {
                "key": "baby",
                "first_name": "Rae",
                "last_name": "Miller",
                "date_of_birth": "2025-05-05",
                "confirmed_new": True,
            },
        ],
        "consents": [
            {"member_key": k, "purpose": "share_information", "given": True, "given_by_key": "dad"}
            for k in ("dad", "baby")
        ],
        "presenting_needs": "Post-natal low mood",
        "target_groups": ["neglect"],
        "tfu_criteria": [3],
        **overrides,
    }


def test_receiving_a_request_answers_201_with_the_request(world):
    response = post(world.business_support, API, body())

    assert response.status_code == 201, response.content
    rfs = response.json()
    assert rfs["status"] == "awaiting_allocation"
    assert rfs["route"] == "partnership"
    assert rfs["family_name"] == "Miller"
    assert rfs["team"] == world.team.name
    assert rfs["caf_urn"].startswith("TST-")
    due = dt.date.fromisoformat(rfs["allocation_due_by"])
    assert rfs["working_days_left"] == service_calendar().working_days_between(
        timezone.localdate(), due
    )
    assert sorted(m["name"] for m in rfs["members"]) == ["Lee Miller", "Rae Miller"]
    assert [c["purpose"] for c in rfs["consents"]] == ["share_information"] * 2
    assert rfs["case_id"] is None
    stored = RequestForSupport.objects.get(pk=rfs["id"])
    assert stored.family.postcode == "PR2 9XY"
    assert list(stored.tfu_criteria.values_list("number", flat=True)) == [3]


def test_possible_matches_name_the_known_people_and_why(world):
    submit(world)

    response = post(
        world.business_support,
        f"{API}/matches",
        {"first_name": "alex", "last_name": "TESTFAMILY", "date_of_birth": "2018-06-01"},
    )

    assert response.status_code == 200
    (match,) = response.json()
    assert match["name"] == "Alex Testfamily"
    assert match["reasons"] == ["same or similar name", "same date of birth"]
    assert match["score"] >= 0.6


def test_only_intake_roles_may_search_for_matches_or_submit(world):
    problem(post(world.dso, f"{API}/matches", {"first_name": "Alex"}), 403)
    problem(post(world.dso, API, body()), 403)
    assert not RequestForSupport.objects.exists()


def test_the_queue_lists_a_teams_requests_by_status(world):
    waiting = submit(world)
    returned = submit(world, consents=[])
    manager = client_for(world.manager)

    default = manager.get(API).json()
    returned_list = manager.get(API, {"status": "returned_for_consent"}).json()

    assert [r["id"] for r in default["items"]] == [waiting.pk]
    assert default["count"] == 1
    assert [r["id"] for r in returned_list["items"]] == [returned.pk]
    assert returned_list["items"][0]["allocation_due_by"] is None


def test_eligible_workers_are_the_districts_key_workers_with_their_caseloads(world):
    first = submit(world)
    client_for(world.manager).post(
        f"{API}/{first.pk}/allocate",
        {"key_worker_id": world.key_worker.pk},
        content_type="application/json",
    )
    second = submit(world)

    workers = client_for(world.manager).get(f"{API}/{second.pk}/workers").json()

    assert {(w["id"], w["open_cases"]) for w in workers} == {
        (world.key_worker.pk, 1),
        (world.second_worker.pk, 0),
    }
    assert {w["team"] for w in workers} == {world.team.name}


def test_allocating_answers_with_the_case(world):
    rfs = submit(world)

    response = post(
        world.manager, f"{API}/{rfs.pk}/allocate", {"key_worker_id": world.key_worker.pk}
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "allocated"
    assert response.json()["case_id"] == rfs.case.pk


def test_allocating_to_another_districts_worker_is_422(world):
    rfs = submit(world)

    body_ = problem(
        post(world.manager, f"{API}/{rfs.pk}/allocate", {"key_worker_id": world.other_worker.pk}),
        422,
    )

    assert [e["field"] for e in body_["errors"]] == ["key_worker_id"]


def test_withdrawing_answers_with_the_withdrawn_request(world):
    rfs = submit(world)

    blank = problem(post(world.business_support, f"{API}/{rfs.pk}/withdraw", {"reason": ""}), 422)
    assert blank["errors"] == [
        {"field": "reason", "message": "Give the reason for withdrawing the request"}
    ]
    response = post(world.business_support, f"{API}/{rfs.pk}/withdraw", {"reason": "Moved"})

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    again = problem(post(world.business_support, f"{API}/{rfs.pk}/withdraw", {"reason": "x"}), 409)
    assert again["rule"] == "request_withdraw"


def test_a_postcode_outside_the_area_is_422_naming_the_rule(world):
    response = post(
        world.business_support,
        API,
        body(address={"address_line_1": "1 Elsewhere", "postcode": "M1 1AA"}),
    )

    refused = problem(response, 422)
    assert refused["rule"] == "postcode_outside_service_area"
    assert refused["field"] == "address.postcode"
    assert not RequestForSupport.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"members": []}, "members"),
        ({"route": "pigeon"}, "route"),
        ({"received_at": "last tuesday"}, "received_at"),
        ({"presenting_needs": "  "}, "presenting_needs"),
    ],
)
def test_bad_input_is_422_with_the_field(world, change, field):
    refused = problem(post(world.business_support, API, body(**change)), 422)

    assert field in {e["field"] for e in refused["errors"]}
    assert not RequestForSupport.objects.exists()


def test_an_anonymous_caller_is_401(world):
    response = Client().post(API, body(), content_type="application/json")

    problem(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="earlyhelp"'
