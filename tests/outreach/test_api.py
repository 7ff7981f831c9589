"""Outreach, Talkzone and reach in the API: the same services, problem+json refusals."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from earlyhelp.outreach import services
from earlyhelp.outreach.models import ContactOutcome, OutreachSession
from tests.casework import submit
from tests.outreach.conftest import contact_input, session_input, yesterday_at

PROBLEM = "application/problem+json"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _session_body(ow, **changes) -> dict:
    body = {
        "kind": "outreach",
        "district_id": ow.world.district.pk,
        "area": "Brookfield",
        "venue_type": "village_hall",
        "venue_name": "Brookfield Village Hall",
        "starts_at": yesterday_at(16).isoformat(),
        "ends_at": yesterday_at(18).isoformat(),
        "worker_ids": [ow.outreach_worker.staff.pk],
        "contact_counts": {"under-11": 4, "11-15": 2},
        "issue_codes": ["bullying"],
        "follow_ups": 1,
    }
    body.update(changes)
    return body


def test_a_session_is_recorded_and_listed_through_the_api(ow):
    client = client_for(ow.outreach_worker)

    created = client.post("/api/v1/outreach/sessions", _session_body(ow), "application/json")
    listed = client.get("/api/v1/outreach/sessions").json()

    assert created.status_code == 201, created.content
    assert created.json()["contact_counts"] == {"under-11": 4, "11-15": 2}
    assert listed["count"] == 1
    assert listed["items"][0]["contacts"] == 6
    assert listed["items"][0]["workers"][0]["id"] == ow.outreach_worker.staff.pk


def test_a_double_booked_worker_is_a_409_problem(ow):
    client = client_for(ow.outreach_worker)
    client.post("/api/v1/outreach/sessions", _session_body(ow), "application/json")

    response = client.post(
        "/api/v1/outreach/sessions",
        _session_body(
            ow, starts_at=yesterday_at(17).isoformat(), ends_at=yesterday_at(19).isoformat()
        ),
        "application/json",
    )

    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM
    assert response.json()["rule"] == "worker_double_booked"
    assert response.json()["field"] == "worker_ids"
    assert OutreachSession.objects.count() == 1


def test_an_end_before_the_start_is_a_422_problem_naming_the_field(ow):
    response = client_for(ow.outreach_worker).post(
        "/api/v1/outreach/sessions",
        _session_body(ow, ends_at=yesterday_at(15).isoformat()),
        "application/json",
    )

    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    assert {"field": "ends_at", "message": "The end time must be after the start time"} in (
        response.json()["errors"]
    )


def test_a_key_worker_is_refused_with_a_403_problem(ow):
    client = client_for(ow.world.key_worker)

    listed = client.get("/api/v1/outreach/sessions")
    created = client.post("/api/v1/outreach/sessions", _session_body(ow), "application/json")
    reach = client.get("/api/v1/outreach/reach")

    assert [listed.status_code, created.status_code, reach.status_code] == [403, 403, 403]
    assert created["Content-Type"] == PROBLEM


def test_a_contact_is_logged_with_in_hours_derived_and_refused_in_the_future(ow):
    client = client_for(ow.talkzone_worker)
    body = {
        "channel": "phone",
        "occurred_at": yesterday_at(21, 45).isoformat(),
        "topic_code": "family",
        "outcome": "information",
        "summary": "Asked about parenting groups.",
    }

    created = client.post("/api/v1/talkzone/contacts", body, "application/json")
    future = client.post(
        "/api/v1/talkzone/contacts",
        {**body, "occurred_at": (timezone.now() + dt.timedelta(hours=1)).isoformat()},
        "application/json",
    )

    assert created.status_code == 201
    assert created.json()["in_hours"] is True
    assert created.json()["anonymous"] is True
    assert future.status_code == 422
    assert future.json()["errors"][0]["field"] == "occurred_at"


def test_a_contact_becomes_a_request_through_the_draft_and_the_link(ow):
    contact = services.record_talkzone_contact(
        actor=ow.world.manager, data=contact_input(person_id=ow.young_person.pk)
    )
    client = client_for(ow.world.manager)

    draft = client.get(f"/api/v1/talkzone/contacts/{contact.pk}/request-draft").json()
    request = submit(ow.world, actor=ow.world.manager)
    linked = client.post(
        f"/api/v1/talkzone/contacts/{contact.pk}/request",
        {"request_id": request.pk},
        "application/json",
    )
    again = client.post(
        f"/api/v1/talkzone/contacts/{contact.pk}/request",
        {"request_id": request.pk},
        "application/json",
    )
    draft_again = client.get(f"/api/v1/talkzone/contacts/{contact.pk}/request-draft")

    assert draft["route"] == "self"
    assert draft["member"]["last_name"] == ow.young_person.last_name
    assert linked.json()["outcome"] == ContactOutcome.RFS_CREATED
    assert linked.json()["request_id"] == request.pk
    assert again.status_code == 409
    assert again.json()["rule"] == "talkzone_contact_already_linked"
    assert draft_again.status_code == 409


def test_the_rota_api_adds_shifts_and_reports_uncovered_hours(ow):
    client = client_for(ow.world.head)
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())

    added = client.post(
        "/api/v1/talkzone/rota",
        {
            "worker_id": ow.talkzone_worker.staff.pk,
            "starts_at": timezone.make_aware(dt.datetime.combine(monday, dt.time(14))).isoformat(),
            "ends_at": timezone.make_aware(dt.datetime.combine(monday, dt.time(18))).isoformat(),
        },
        "application/json",
    )
    week = client.get(f"/api/v1/talkzone/rota?week={monday.isoformat()}").json()

    assert added.status_code == 201
    assert week["uncovered_hours"] == 56 - 4
    assert [h["covered"] for h in week["hours"][:5]] == [True, True, True, True, False]
    removed = client.delete(f"/api/v1/talkzone/rota/{added.json()['id']}")
    assert removed.status_code == 204


def test_reach_through_the_api_counts_each_person_once(ow):
    from tests.outreach.test_reach import open_case_for

    open_case_for(ow, ow.family)
    services.record_talkzone_contact(
        actor=ow.world.manager, data=contact_input(person_id=ow.young_person.pk)
    )

    body = client_for(ow.world.head).get("/api/v1/outreach/reach").json()

    sources = {row["label"]: row["counts"]["young_people"] for row in body["by_source"]}
    assert sources["Casework"] == 1
    assert sources["Talkzone"] == 1
    assert body["total"]["young_people"] == 1
    assert body["total"]["families"] == 1


def test_the_sessions_api_lists_sessions_of_one_district(ow):
    services.record_outreach_session(actor=ow.outreach_worker, data=session_input(ow))
    client = client_for(ow.world.head)

    here = client.get(f"/api/v1/outreach/sessions?district_id={ow.world.district.pk}").json()
    there = client.get(f"/api/v1/outreach/sessions?district_id={ow.world.other_district.pk}").json()
    areas = client.get("/api/v1/outreach/areas").json()

    assert (here["count"], there["count"]) == (1, 0)
    assert areas[0]["area"] == "Moor Park"
    assert areas[0]["contacts"] == 9


def test_dates_outside_the_services_years_are_a_422_problem(ow):
    client = client_for(ow.world.head)

    rota = client.get("/api/v1/talkzone/rota?week=9999-12-31")
    sessions = client.get("/api/v1/outreach/sessions?since=0001-01-01")
    backwards = client.get("/api/v1/outreach/reach?since=2026-03-01&until=2026-02-01")

    assert [rota.status_code, sessions.status_code, backwards.status_code] == [422, 422, 422]
    assert rota.json()["errors"][0]["field"] == "week"
    assert backwards.json()["errors"][0]["field"] == "until"


def test_the_rota_without_configured_opening_hours_is_a_409_problem(ow):
    from earlyhelp.outreach.models import OpeningWindow

    OpeningWindow.objects.all().delete()

    response = client_for(ow.world.head).get("/api/v1/talkzone/rota")

    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM
    assert response.json()["rule"] == "outreach_lists_not_loaded"
