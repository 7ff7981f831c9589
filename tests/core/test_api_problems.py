"""Errors made before an API view runs are problems too, and the schema says so."""

from __future__ import annotations

import pytest

from earlyhelp.accounts.roles import Role
from earlyhelp.core.api import api
from earlyhelp.core.problems import PROBLEM_CONTENT_TYPE
from tests.factories import make_staff


@pytest.fixture
def signed_in(client, db):
    client.force_login(make_staff(Role.KEY_WORKER))
    return client


def test_a_method_the_path_lacks_is_a_problem_with_its_allow_header(signed_in):
    response = signed_in.delete("/api/v1/me")

    assert response.status_code == 405
    assert response["Content-Type"].startswith(PROBLEM_CONTENT_TYPE)
    assert response.json()["status"] == 405
    assert "GET" in response["Allow"]


def test_an_unknown_api_address_is_a_problem(signed_in):
    response = signed_in.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response["Content-Type"].startswith(PROBLEM_CONTENT_TYPE)
    assert response.json()["title"] == "Not found"


def test_an_unknown_page_outside_the_api_stays_a_page(signed_in):
    response = signed_in.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_every_operation_documents_its_problem_answer():
    schema = api.get_openapi_schema(path_prefix="/api/v1/")

    assert "Problem" in schema["components"]["schemas"]
    operations = [op for ops in schema["paths"].values() for op in ops.values()]
    assert operations
    assert all(PROBLEM_CONTENT_TYPE in op["responses"]["default"]["content"] for op in operations)
