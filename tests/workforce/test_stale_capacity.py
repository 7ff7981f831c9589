"""A worker's capacity details are edited with optimistic locking: a save made to the
version someone else has since replaced is refused with their changes shown, on the page
and as a 409 problem in the API, and nothing of theirs is overwritten."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from earlyhelp.audit.models import AuditEvent
from earlyhelp.core.concurrency import StaleRecord
from earlyhelp.workforce import services

pytestmark = pytest.mark.django_db
API = "/api/v1/workforce"


def _someone_else_saves(world, fte: str = "0.6") -> None:
    services.update_worker_capacity(
        actor=world.locality_manager,
        worker_id=world.key_worker.staff.pk,
        fte=Decimal(fte),
        protected_hours=Decimal("2.5"),
        specialism_codes=[],
        languages=["Urdu"],
        expected_version=1,
    )


def _form(**changes) -> dict:
    return {"fte": "0.8", "protected_hours": "0", "languages": "", "version": 1, **changes}


def test_the_capacity_form_carries_the_version_it_was_opened_at(client, world):
    client.force_login(world.manager)

    page = client.get(reverse("workforce:edit-capacity", args=[world.key_worker.staff.pk]))

    assert '<input type="hidden" name="version" value="1"' in page.content.decode()


def test_a_fresh_save_of_the_capacity_form_raises_the_version(client, world):
    client.force_login(world.manager)
    url = reverse("workforce:edit-capacity", args=[world.key_worker.staff.pk])

    response = client.post(url, _form())

    assert response.status_code == 302
    staff = world.key_worker.staff
    staff.refresh_from_db()
    assert (staff.fte, staff.version) == (Decimal("0.8"), 2)


def test_a_stale_capacity_form_is_refused_with_the_other_change_shown(client, world):
    client.force_login(world.manager)
    url = reverse("workforce:edit-capacity", args=[world.key_worker.staff.pk])
    _someone_else_saves(world)

    response = client.post(url, _form(fte="0.8", languages="Polish"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed these capacity details since you opened it" in page
    assert "Their changes" in page
    # What is saved now (theirs) beside what was typed, for each field that differs.
    assert '<th scope="row" class="govuk-table__header">FTE</th>' in page
    assert '<td class="govuk-table__cell">0.6</td><td class="govuk-table__cell">0.8</td>' in page
    assert (
        '<td class="govuk-table__cell">urdu</td><td class="govuk-table__cell">polish</td>' in page
    )
    staff = world.key_worker.staff
    staff.refresh_from_db()
    assert (staff.fte, staff.languages, staff.version) == (Decimal("0.6"), ["urdu"], 2)
    assert AuditEvent.objects.filter(code="staff.capacity_changed").count() == 1
    # The form now carries the version saved: saving again replaces theirs on purpose.
    assert '<input type="hidden" name="version" value="2"' in page

    again = client.post(url, _form(fte="0.8", languages="Polish", version=2))

    assert again.status_code == 302
    staff.refresh_from_db()
    assert (staff.fte, staff.languages, staff.version) == (Decimal("0.8"), ["polish"], 3)


def test_a_stale_capacity_save_in_the_api_is_a_409_problem_naming_the_changes(client, world):
    client.force_login(world.manager)
    url = f"{API}/workers/{world.key_worker.staff.pk}/capacity"
    read = client.get(f"{API}/workers/{world.key_worker.staff.pk}/load").json()["version"]
    _someone_else_saves(world)

    response = client.put(
        url,
        {"fte": "0.8", "protected_hours": "2.5", "languages": ["Urdu"], "expected_version": read},
        content_type="application/json",
    )

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["rule"] == "stale_record"
    assert body["current_version"] == 2
    assert body["differences"] == [
        {"field": "fte", "label": "FTE", "saved": "0.6", "submitted": "0.8"}
    ]
    staff = world.key_worker.staff
    staff.refresh_from_db()
    assert staff.fte == Decimal("0.6")


def test_a_fresh_capacity_save_in_the_api_answers_the_new_version(client, world):
    client.force_login(world.manager)

    response = client.put(
        f"{API}/workers/{world.key_worker.staff.pk}/capacity",
        {"fte": "0.7", "protected_hours": "0", "expected_version": 1},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.json()["fte"] == "0.70"


def test_of_two_saves_from_the_same_version_only_the_first_wins(world):
    _someone_else_saves(world, fte="0.6")

    with pytest.raises(StaleRecord) as refused:
        _someone_else_saves(world, fte="0.9")

    assert refused.value.current_version == 2
    world.key_worker.staff.refresh_from_db()
    assert world.key_worker.staff.fte == Decimal("0.6")
