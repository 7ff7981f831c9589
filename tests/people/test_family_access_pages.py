"""Opening a family's record on the web and through the API: refusals are 403 and on
the audit log, missing records are 404, and every permitted look is audited."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from earlyhelp.audit.models import AuditEvent, Kind

PROBLEM_JSON = "application/problem+json"


def _detail_url(family_id: int) -> str:
    return f"/families/{family_id}/"


def _api_url(family_id: int) -> str:
    return f"/api/v1/families/{family_id}"


@pytest.mark.django_db
def test_key_worker_opening_another_teams_family_gets_the_403_page(
    client, family, other_key_worker
):
    client.force_login(other_key_worker)

    response = client.get(_detail_url(family.pk))

    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert "You do not have access to this page" in content
    assert 'class="govuk-heading-l"' in content
    assert escape(family.name) not in content


@pytest.mark.django_db
def test_refused_web_attempt_is_on_the_audit_log(client, family, other_key_worker):
    client.force_login(other_key_worker)

    client.get(_detail_url(family.pk))

    refused = AuditEvent.objects.get(kind=Kind.DENIED)
    assert refused.code == "family.access_refused"
    assert refused.actor == other_key_worker
    assert refused.object_id == str(family.pk)
    assert refused.object_type == "people.family"
    assert refused.source == _detail_url(family.pk)
    assert refused.subject_family_id == family.pk
    assert not AuditEvent.objects.filter(kind=Kind.VIEW).exists()


@pytest.mark.django_db
def test_missing_family_on_the_web_is_page_not_found(client, key_worker):
    client.force_login(key_worker)

    response = client.get(_detail_url(987654))

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert not AuditEvent.objects.filter(kind=Kind.DENIED).exists()


@pytest.mark.django_db
def test_permitted_web_view_is_audited_with_the_page_it_came_from(client, family, key_worker):
    client.force_login(key_worker)

    response = client.get(_detail_url(family.pk))

    assert response.status_code == 200
    assert "Ashworth family" in response.content.decode()
    viewed = AuditEvent.objects.get(kind=Kind.VIEW)
    assert viewed.code == "family.viewed"
    assert viewed.actor == key_worker
    assert viewed.object_id == str(family.pk)
    assert viewed.source == _detail_url(family.pk)
    assert viewed.subject_family_id == family.pk


@pytest.mark.django_db
def test_signed_out_visitor_is_sent_to_sign_in_and_nothing_is_audited(client, family):
    response = client.get(_detail_url(family.pk))

    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")
    assert not AuditEvent.objects.exclude(kind=Kind.SIGN_IN).exists()


@pytest.mark.django_db
def test_api_refuses_another_teams_family_with_403_problem_json(
    client, family, other_key_worker, other_bearer
):
    response = client.get(_api_url(family.pk), **other_bearer)

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM_JSON
    body = response.json()
    assert body["status"] == 403
    assert body["title"] == "Forbidden"
    assert "Ashworth" not in response.content.decode()


@pytest.mark.django_db
def test_refused_api_attempt_is_on_the_audit_log(client, family, other_key_worker, other_bearer):
    client.get(_api_url(family.pk), **other_bearer)

    refused = AuditEvent.objects.get(kind=Kind.DENIED)
    assert refused.code == "family.access_refused"
    assert refused.actor == other_key_worker
    assert refused.object_id == str(family.pk)
    assert _api_url(family.pk) in refused.source


@pytest.mark.django_db
def test_api_missing_family_is_404_problem_json(client, bearer):
    response = client.get(_api_url(987654), **bearer)

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM_JSON
    assert response.json()["status"] == 404


@pytest.mark.django_db
def test_permitted_api_view_is_audited_with_the_api_call(client, family, key_worker, bearer):
    response = client.get(_api_url(family.pk), **bearer)

    assert response.status_code == 200
    assert response.json()["name"] == "Ashworth"
    viewed = AuditEvent.objects.get(kind=Kind.VIEW)
    assert viewed.actor == key_worker
    assert viewed.object_id == str(family.pk)
    assert viewed.source == f"API GET {_api_url(family.pk)}"


@pytest.mark.django_db
def test_refused_api_address_change_is_403_and_stays_on_the_audit_log(
    client, family, other_key_worker, other_bearer
):
    response = client.put(
        f"{_api_url(family.pk)}/address",
        data={"address_line_1": "9 Elsewhere", "town": "Preston", "postcode": "PR1 3XY"},
        content_type="application/json",
        **other_bearer,
    )

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM_JSON
    family.refresh_from_db()
    assert family.address_line_1 == "1 Fishergate"
    refused = AuditEvent.objects.get(kind=Kind.DENIED)
    assert refused.code == "family.access_refused"
    assert refused.actor == other_key_worker
    assert not AuditEvent.objects.filter(kind=Kind.WRITE, code="family.address_changed").exists()


@pytest.mark.django_db
def test_refused_web_address_change_is_403(client, family, other_key_worker):
    client.force_login(other_key_worker)

    response = client.post(
        f"/families/{family.pk}/address/",
        {"address_line_1": "9 Elsewhere", "town": "Preston", "postcode": "PR1 3XY"},
    )

    assert response.status_code == 403
    family.refresh_from_db()
    assert family.address_line_1 == "1 Fishergate"
    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=other_key_worker).count() == 1
