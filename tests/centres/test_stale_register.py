"""A group session's register is taken and corrected with optimistic locking: a save
made to the version someone else has since replaced is refused with their register
shown, on the page and as a 409 problem in the API, and theirs is not overwritten."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from earlyhelp.audit.models import AuditEvent
from earlyhelp.centres.models import AgeBand, Attendance
from earlyhelp.centres.services import enrol_participant, record_register
from tests.centres.conftest import make_run
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(programme):
    """A run a week old with two named participants; its first session's register."""
    AgeBand.objects.create(code="0-4", name="0 to 4", min_age=0, max_age=4, sort_order=0)
    AgeBand.objects.create(code="adult", name="Adults", min_age=18, sort_order=1)
    run = make_run(programme, starts_on=timezone.localdate() - dt.timedelta(weeks=1))
    amy = PersonFactory(first_name="Amy", last_name="Ashworth")
    ben = PersonFactory(first_name="Ben", last_name="Barton")
    for person in (amy, ben):
        enrol_participant(
            actor=programme.outreach, run_id=run.pk, person_id=person.pk, consent_given=True
        )
    return run.sessions.get(number=1), amy, ben


def _colleague_takes_it(programme, session, amy) -> None:
    record_register(
        actor=programme.outreach_2,
        session_id=session.pk,
        present_person_ids=[amy.pk],
        head_counts={"adult": 3},
        expected_version=1,
    )


def test_a_fresh_register_save_raises_the_version(client, programme, register):
    session, amy, ben = register
    client.force_login(programme.outreach)

    response = client.post(
        reverse("centres:register", args=[session.pk]),
        {"present": [amy.pk, ben.pk], "band_adult": "2", "version": 1},
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.version == 2


def test_a_stale_register_is_refused_with_the_other_register_shown(client, programme, register):
    session, amy, ben = register
    client.force_login(programme.outreach)
    url = reverse("centres:register", args=[session.pk])
    assert '<input type="hidden" name="version" value="1"' in client.get(url).content.decode()
    _colleague_takes_it(programme, session, amy)

    response = client.post(url, {"present": [amy.pk, ben.pk], "band_adult": "5", "version": 1})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this register since you opened it" in page
    assert (
        '<td class="govuk-table__cell">Amy Ashworth</td>'
        '<td class="govuk-table__cell">Amy Ashworth, Ben Barton</td>'
    ) in page
    assert '<td class="govuk-table__cell">3</td><td class="govuk-table__cell">5</td>' in page
    assert set(Attendance.objects.values_list("person_id", flat=True)) == {amy.pk}
    assert AuditEvent.objects.filter(code="group_register.taken").count() == 1
    assert not AuditEvent.objects.filter(code="group_register.corrected").exists()
    assert '<input type="hidden" name="version" value="2"' in page

    again = client.post(url, {"present": [amy.pk, ben.pk], "band_adult": "5", "version": 2})

    assert again.status_code == 302
    assert set(Attendance.objects.values_list("person_id", flat=True)) == {amy.pk, ben.pk}


def test_a_stale_register_in_the_api_is_a_409_problem_naming_the_changes(
    client, programme, register
):
    session, amy, ben = register
    client.force_login(programme.outreach)
    run_body = client.get(f"/api/v1/centres/runs/{session.run_id}").json()
    read = run_body["sessions"][0]["version"]
    _colleague_takes_it(programme, session, amy)

    response = client.put(
        f"/api/v1/centres/group-sessions/{session.pk}/register",
        {"present_person_ids": [ben.pk], "head_counts": {"adult": 3}, "expected_version": read},
        content_type="application/json",
    )

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["rule"] == "stale_record"
    assert body["current_version"] == 2
    assert body["differences"] == [
        {
            "field": "present",
            "label": "Who came",
            "saved": "Amy Ashworth",
            "submitted": "Ben Barton",
        }
    ]
    assert set(Attendance.objects.values_list("person_id", flat=True)) == {amy.pk}


def test_a_fresh_register_in_the_api_answers_the_new_version(client, programme, register):
    session, amy, _ = register
    client.force_login(programme.outreach)

    response = client.put(
        f"/api/v1/centres/group-sessions/{session.pk}/register",
        {"present_person_ids": [amy.pk], "head_counts": {"adult": 1}, "expected_version": 1},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["version"] == 2
