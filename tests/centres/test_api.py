"""The centres API: the same actions as the pages, through the same services; bad
input answered with problem+json naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from earlyhelp.centres.models import AgeBand, Attendance, ProgrammeSession
from tests.centres.conftest import make_run
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_a_manager_adds_a_session_and_staffs_it(client, programme):
    client.force_login(programme.manager)

    created = client.post(
        f"/api/v1/centres/{programme.enhanced.pk}/sessions",
        {
            "weekday": 3, "starts_at": "16:00", "ends_at": "17:30", "title": "After-school club",
            "room_id": programme.hall.pk, "expected_attendance": 12,
            "staff": {"grade_6": 1, "outreach_a": 2},
        },
        content_type=JSON,
    )  # fmt: skip

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["session_type"] == "twilight"
    assert body["staff"] == {"grade_6": 1, "outreach_a": 2, "outreach_b": 0, "delivery_support": 0}
    rota = client.post(
        f"/api/v1/centres/sessions/{body['id']}/rota",
        {"staff_id": programme.outreach.staff.pk, "post": "outreach_a"},
        content_type=JSON,
    )
    assert rota.status_code == 201
    assert rota.json()["rota"][0]["staff_id"] == programme.outreach.staff.pk
    detail = client.get(f"/api/v1/centres/{programme.enhanced.pk}").json()
    assert [s["id"] for s in detail["sessions"]] == [body["id"]]


def test_a_session_outside_opening_is_a_422_problem_naming_the_field(client, programme):
    client.force_login(programme.manager)

    response = client.post(
        f"/api/v1/centres/{programme.core.pk}/sessions",
        {"weekday": 1, "starts_at": "17:00", "ends_at": "19:00", "title": "Youth club"},
        content_type=JSON,
    )

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["field"] == "starts_at"
    assert body["detail"] == (
        "The session must be within the centre's opening on Tuesdays, 09:00 to 17:00"
    )
    assert not ProgrammeSession.objects.exists()


def test_the_check_answers_the_county_figures(client, programme):
    client.force_login(programme.head)

    body = client.get("/api/v1/centres/check?week_starting=2026-03-02").json()

    assert body["county"]["sessions_required"] == 12 + 7
    assert body["county"]["sessions_planned"] == 0
    assert body["weeks_required"] == 46
    assert [c["label"] for c in body["centres"]] == [
        "Fishwick Neighbourhood Centre",
        "Ribbleton Neighbourhood Centre",
    ]


def test_a_register_is_taken_through_the_api(client, programme):
    AgeBand.objects.create(code="adult", name="Adults", min_age=18)
    run = make_run(programme, starts_on=timezone.localdate() - dt.timedelta(weeks=1))
    person = PersonFactory()
    client.force_login(programme.outreach)
    enrolled = client.post(
        f"/api/v1/centres/runs/{run.pk}/participants",
        {"person_id": person.pk, "consent_given": True},
        content_type=JSON,
    )
    assert enrolled.status_code == 201
    first = enrolled.json()["sessions"][0]["id"]

    too_few = client.put(
        f"/api/v1/centres/group-sessions/{first}/register",
        {"present_person_ids": [person.pk], "head_counts": {}},
        content_type=JSON,
    )
    assert too_few.status_code == 422
    assert too_few.json()["field"] == "head_counts"

    taken = client.put(
        f"/api/v1/centres/group-sessions/{first}/register",
        {"present_person_ids": [person.pk], "head_counts": {"adult": 4}},
        content_type=JSON,
    )
    assert taken.status_code == 200
    assert taken.json() == {
        "session_id": first,
        "date": taken.json()["date"],
        "present_person_ids": [person.pk],
        "head_counts": {"adult": 4},
        "version": 2,
    }
    run_body = client.get(f"/api/v1/centres/runs/{run.pk}").json()
    assert run_body["participants"][0]["attended"] == 1
    assert Attendance.objects.count() == 1


def test_a_delivered_session_is_recorded_through_the_api(client, programme):
    session = ProgrammeSession.objects.create(
        centre=programme.enhanced, weekday=0, starts_at=dt.time(10), ends_at=dt.time(12),
        session_type="weekday_daytime", title="Stay and play",
    )  # fmt: skip
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday() + 7)
    client.force_login(programme.key_worker)

    response = client.post(
        f"/api/v1/centres/sessions/{session.pk}/occurrences",
        {"date": monday.isoformat(), "status": "delivered", "staff_present": 4, "attendance": 9},
        content_type=JSON,
    )

    assert response.status_code == 201
    assert response.json()["status"] == "delivered"


def test_the_catalogue_lists_programmes(client, programme):
    client.force_login(programme.outreach)

    body = client.get("/api/v1/centres/programmes").json()

    assert body["count"] == 1
    assert body["items"][0]["code"] == "positive-parenting"
    assert body["items"][0]["completion_sessions"] == 3


def test_a_session_and_a_programme_with_its_runs_are_read_through_the_api(client, programme):
    run = make_run(programme, starts_on=dt.date(2026, 3, 2))
    session = ProgrammeSession.objects.create(
        centre=programme.enhanced, weekday=0, starts_at=dt.time(10), ends_at=dt.time(12),
        session_type="weekday_daytime", group_run=run,
    )  # fmt: skip
    client.force_login(programme.outreach)

    assert client.get(f"/api/v1/centres/sessions/{session.pk}").json()["title"] == (
        "Positive parenting"
    )
    body = client.get(f"/api/v1/centres/programmes/{programme.parenting.pk}").json()
    assert body["runs"] == [
        {
            "id": run.pk,
            "centre_id": programme.enhanced.pk,
            "venue": "Ribbleton Neighbourhood Centre",
            "starts_on": "2026-03-02",
            "participants": 0,
        }
    ]
