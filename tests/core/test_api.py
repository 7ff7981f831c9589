"""The API shell: OpenAPI document and docs, problem+json for unknown paths, and CSRF
on unsafe methods when the browser's session is the credential."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from earlyhelp.accounts.roles import Role
from earlyhelp.accounts.services import issue_api_token
from tests.factories import FamilyFactory, TeamFactory, make_staff

NEW_ADDRESS = {"address_line_1": "2 Church Street", "town": "Preston", "postcode": "PR1 3XY"}


def _refs(node) -> list[str]:
    """Every ``$ref`` in a JSON document."""
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _resolve(document: dict, ref: str):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


@pytest.mark.django_db
def test_openapi_document_is_openapi_3_with_me_and_families(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    document = response.json()
    assert re.fullmatch(r"3\.\d+\.\d+", document["openapi"])
    assert document["info"]["title"]
    assert document["info"]["version"]
    assert "/api/v1/me" in document["paths"]
    assert "/api/v1/families" in document["paths"]
    assert "get" in document["paths"]["/api/v1/me"]
    assert "get" in document["paths"]["/api/v1/families"]


@pytest.mark.django_db
def test_openapi_document_is_well_formed(client):
    document = client.get("/api/v1/openapi.json").json()
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}

    for path, item in document["paths"].items():
        assert path.startswith("/api/v1/"), path
        for method, operation in item.items():
            if method not in methods:
                continue
            assert operation["responses"], f"{method} {path} has no responses"
            assert operation.get("operationId"), f"{method} {path} has no operationId"
    for ref in _refs(document):
        assert _resolve(document, ref) is not None, ref
    schemes = document["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


@pytest.mark.django_db
def test_api_docs_page_renders(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert "/api/v1/openapi.json" in response.content.decode()


@pytest.mark.django_db
def test_unknown_api_path_is_404_problem_json(client):
    response = client.get("/api/v1/xyz")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


@pytest.fixture
def csrf_world(db):
    team = TeamFactory()
    worker = make_staff(Role.KEY_WORKER, team=team)
    family = FamilyFactory(team=team, key_worker=worker, postcode="PR1 2AB")
    return worker, family


def _csrf_token(client: Client) -> str:
    client.get("/")
    return client.cookies["csrftoken"].value


@pytest.mark.django_db
def test_session_put_without_csrf_token_is_refused(csrf_world):
    worker, family = csrf_world
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)

    response = client.put(
        f"/api/v1/families/{family.pk}/address", data=NEW_ADDRESS, content_type="application/json"
    )

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    family.refresh_from_db()
    assert family.postcode == "PR1 2AB"


@pytest.mark.django_db
def test_session_put_with_a_wrong_csrf_token_is_refused(csrf_world):
    worker, family = csrf_world
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)
    _csrf_token(client)

    response = client.put(
        f"/api/v1/families/{family.pk}/address",
        data=NEW_ADDRESS,
        content_type="application/json",
        HTTP_X_CSRFTOKEN="x" * 32,
    )

    assert response.status_code == 403
    family.refresh_from_db()
    assert family.postcode == "PR1 2AB"


@pytest.mark.django_db
def test_session_put_with_csrf_token_is_accepted(csrf_world):
    worker, family = csrf_world
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)
    token = _csrf_token(client)

    response = client.put(
        f"/api/v1/families/{family.pk}/address",
        data=NEW_ADDRESS,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )

    assert response.status_code == 200
    family.refresh_from_db()
    assert family.postcode == "PR1 3XY"


@pytest.mark.django_db
def test_session_get_needs_no_csrf_token(csrf_world):
    worker, family = csrf_world
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)

    assert client.get(f"/api/v1/families/{family.pk}").status_code == 200


@pytest.mark.django_db
def test_bearer_token_put_needs_no_csrf_token(csrf_world):
    worker, family = csrf_world
    _, key = issue_api_token(actor=None, user=worker, name="Sync")
    client = Client(enforce_csrf_checks=True)

    response = client.put(
        f"/api/v1/families/{family.pk}/address",
        data=NEW_ADDRESS,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )

    assert response.status_code == 200
