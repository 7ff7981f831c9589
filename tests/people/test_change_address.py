"""Changing a family's address, on the web and through the API: one audited write with
before and after, and an invalid postcode changes nothing."""

from __future__ import annotations

import pytest

from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.people.models import FamilyMember
from tests.factories import FamilyMemberFactory

NEW_ADDRESS = {
    "address_line_1": "2 Church Street",
    "address_line_2": "",
    "town": "Preston",
    "postcode": "pr1 3xy",
}
EXPECTED_CHANGES = {
    "address_line_1": ["1 Fishergate", "2 Church Street"],
    "postcode": ["PR1 2AB", "PR1 3XY"],
}
INVALID_POSTCODE = {**NEW_ADDRESS, "postcode": "PR1 ZZZ"}
POSTCODE_MESSAGE = "Enter a real postcode, like PR1 2AB"


def _family_writes():
    """Writes to families and people (issuing the test's API token is a write too)."""
    return AuditEvent.objects.filter(kind=Kind.WRITE, object_type__startswith="people.")


def _address_url(family_id: int) -> str:
    return f"/families/{family_id}/address/"


def _api_address_url(family_id: int) -> str:
    return f"/api/v1/families/{family_id}/address"


@pytest.mark.django_db
def test_web_address_change_writes_one_event_with_before_and_after(client, family, key_worker):
    member = FamilyMemberFactory(family=family, person__postcode="PR1 2AB")
    client.force_login(key_worker)

    response = client.post(_address_url(family.pk), {**NEW_ADDRESS, "version": family.version})

    assert response.status_code == 302
    assert response["Location"] == f"/families/{family.pk}/"
    family.refresh_from_db()
    assert family.address_line_1 == "2 Church Street"
    assert family.postcode == "PR1 3XY"
    member.person.refresh_from_db()
    assert member.person.postcode == "PR1 3XY"
    event = AuditEvent.objects.get(code="family.address_changed")
    assert event.kind == Kind.WRITE
    assert event.actor == key_worker
    assert event.object_type == "people.family"
    assert event.object_id == str(family.pk)
    assert event.changes == EXPECTED_CHANGES
    assert event.source == _address_url(family.pk)
    assert _family_writes().count() == 1


@pytest.mark.django_db
def test_api_address_change_writes_one_event_with_before_and_after(
    client, family, key_worker, bearer
):
    response = client.put(
        _api_address_url(family.pk), data=NEW_ADDRESS, content_type="application/json", **bearer
    )

    assert response.status_code == 200
    assert response.json()["postcode"] == "PR1 3XY"
    family.refresh_from_db()
    assert family.address_line_1 == "2 Church Street"
    event = AuditEvent.objects.get(code="family.address_changed")
    assert event.kind == Kind.WRITE
    assert event.actor == key_worker
    assert event.changes == EXPECTED_CHANGES
    assert event.source == f"API PUT {_api_address_url(family.pk)}"
    assert _family_writes().count() == 1


@pytest.mark.django_db
def test_web_invalid_postcode_shows_error_summary_and_message_by_the_field(
    client, family, key_worker
):
    client.force_login(key_worker)

    response = client.post(_address_url(family.pk), {**INVALID_POSTCODE, "version": family.version})

    assert response.status_code == 200
    content = response.content.decode()
    assert "<title>Error: " in content
    assert 'class="govuk-error-summary"' in content
    assert "There is a problem" in content
    assert f'<a href="#id_postcode">{POSTCODE_MESSAGE}</a>' in content
    assert 'id="id_postcode-error" class="govuk-error-message"' in content
    assert content.count(POSTCODE_MESSAGE) == 2
    assert 'class="govuk-form-group govuk-form-group--error"' in content
    assert 'value="PR1 ZZZ"' in content


@pytest.mark.django_db
def test_web_invalid_postcode_changes_nothing(client, family, key_worker):
    client.force_login(key_worker)

    client.post(_address_url(family.pk), {**INVALID_POSTCODE, "version": family.version})

    family.refresh_from_db()
    assert family.address_line_1 == "1 Fishergate"
    assert family.postcode == "PR1 2AB"
    assert not _family_writes().exists()


@pytest.mark.django_db
def test_api_invalid_postcode_is_422_problem_json_naming_the_field(
    client, family, key_worker, bearer
):
    FamilyMemberFactory(family=family, person__postcode="PR1 2AB")

    response = client.put(
        _api_address_url(family.pk),
        data=INVALID_POSTCODE,
        content_type="application/json",
        **bearer,
    )

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422
    assert body["errors"] == [{"field": "postcode", "message": POSTCODE_MESSAGE}]
    family.refresh_from_db()
    assert family.address_line_1 == "1 Fishergate"
    assert family.postcode == "PR1 2AB"
    assert set(FamilyMember.objects.values_list("person__postcode", flat=True)) == {"PR1 2AB"}
    assert not _family_writes().exists()


@pytest.mark.django_db
def test_api_missing_fields_are_listed_by_name(client, family, bearer):
    response = client.put(
        _api_address_url(family.pk),
        data={"address_line_2": "Flat 1"},
        content_type="application/json",
        **bearer,
    )

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"address_line_1", "town", "postcode"} <= fields
    assert not _family_writes().exists()
