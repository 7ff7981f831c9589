"""A family's address is edited with optimistic locking: a save made to the version
someone else has since replaced is refused with their changes shown, on the page and as
a 409 problem in the API, and their address is not overwritten."""

from __future__ import annotations

import pytest

from earlyhelp.audit.models import AuditEvent
from earlyhelp.core.concurrency import StaleRecord
from earlyhelp.people import services

pytestmark = pytest.mark.django_db

MINE = {"address_line_1": "2 Church Street", "address_line_2": "", "town": "Preston"}


def _someone_else_moves_them(family, actor) -> None:
    services.update_family_address(
        actor=actor,
        family_id=family.pk,
        address_line_1="7 Deepdale Road",
        address_line_2="",
        town="Preston",
        postcode="PR1 5XX",
        expected_version=1,
    )


def test_the_address_form_carries_the_version_it_was_opened_at(client, family, key_worker):
    client.force_login(key_worker)

    page = client.get(f"/families/{family.pk}/address/").content.decode()

    assert '<input type="hidden" name="version" value="1"' in page


def test_a_fresh_address_save_raises_the_version(client, family, key_worker):
    client.force_login(key_worker)

    response = client.post(
        f"/families/{family.pk}/address/", {**MINE, "postcode": "PR1 3XY", "version": 1}
    )

    assert response.status_code == 302
    family.refresh_from_db()
    assert (family.address_line_1, family.version) == ("2 Church Street", 2)


def test_a_stale_address_form_is_refused_with_the_other_change_shown(client, family, key_worker):
    client.force_login(key_worker)
    url = f"/families/{family.pk}/address/"
    _someone_else_moves_them(family, key_worker)

    response = client.post(url, {**MINE, "postcode": "PR1 3XY", "version": 1})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this family&#x27;s address since you opened it" in page
    assert (
        '<td class="govuk-table__cell">7 Deepdale Road</td>'
        '<td class="govuk-table__cell">2 Church Street</td>'
    ) in page
    assert (
        '<td class="govuk-table__cell">PR1 5XX</td><td class="govuk-table__cell">PR1 3XY</td>'
    ) in page
    # The town is the same in both: not listed.
    assert '<th scope="row" class="govuk-table__header">Town or city</th>' not in page
    family.refresh_from_db()
    assert (family.address_line_1, family.postcode, family.version) == (
        "7 Deepdale Road",
        "PR1 5XX",
        2,
    )
    assert AuditEvent.objects.filter(code="family.address_changed").count() == 1
    assert 'value="2 Church Street"' in page
    assert '<input type="hidden" name="version" value="2"' in page

    again = client.post(url, {**MINE, "postcode": "PR1 3XY", "version": 2})

    assert again.status_code == 302
    family.refresh_from_db()
    assert (family.address_line_1, family.version) == ("2 Church Street", 3)


def test_a_stale_address_save_in_the_api_is_a_409_problem_naming_the_changes(
    client, family, key_worker, bearer
):
    url = f"/api/v1/families/{family.pk}/address"
    read = client.get(f"/api/v1/families/{family.pk}", **bearer).json()["version"]
    _someone_else_moves_them(family, key_worker)

    response = client.put(
        url,
        {**MINE, "postcode": "PR1 3XY", "expected_version": read},
        content_type="application/json",
        **bearer,
    )

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["rule"] == "stale_record"
    assert body["current_version"] == 2
    assert [(d["field"], d["saved"], d["submitted"]) for d in body["differences"]] == [
        ("address_line_1", "7 Deepdale Road", "2 Church Street"),
        ("postcode", "PR1 5XX", "PR1 3XY"),
    ]
    family.refresh_from_db()
    assert family.address_line_1 == "7 Deepdale Road"


def test_a_fresh_address_save_in_the_api_answers_the_new_version(client, family, bearer):
    response = client.put(
        f"/api/v1/families/{family.pk}/address",
        {**MINE, "postcode": "PR1 3XY", "expected_version": 1},
        content_type="application/json",
        **bearer,
    )

    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.json()["address_line_1"] == "2 Church Street"


def test_of_two_address_saves_from_the_same_version_only_the_first_wins(family, key_worker):
    _someone_else_moves_them(family, key_worker)

    with pytest.raises(StaleRecord):
        _someone_else_moves_them(family, key_worker)

    family.refresh_from_db()
    assert family.version == 2
