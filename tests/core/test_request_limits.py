"""Bad input at the edges: an oversized body is refused without a server error, on the
API as problem+json; and the service accepts no file uploads, so none is unlimited."""

from __future__ import annotations

import importlib
import json
import pkgutil

import pytest
from django import forms
from django.conf import settings

import earlyhelp
from earlyhelp.accounts.roles import Role
from earlyhelp.core.api import api
from earlyhelp.core.problems import PROBLEM_CONTENT_TYPE
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def _too_big() -> str:
    return "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)


def test_an_oversized_api_body_is_a_413_problem(client):
    client.force_login(make_staff(Role.BUSINESS_SUPPORT))

    response = client.post(
        "/api/v1/requests", json.dumps({"presenting_needs": _too_big()}), "application/json"
    )

    assert response.status_code == 413
    assert response["Content-Type"].startswith(PROBLEM_CONTENT_TYPE)
    assert response.json()["title"] == "Request too large"


def test_an_oversized_form_is_a_bad_request_page_not_a_server_error(client):
    client.force_login(make_staff(Role.BUSINESS_SUPPORT))

    response = client.post("/requests/new/", {"presenting_needs": _too_big()})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def _form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(earlyhelp.__path__, "earlyhelp."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("earlyhelp."):
                found.append(sub)
    return found


def test_no_form_takes_a_file_upload():
    # An upload would need limits on size and type (issue 8); add them with the field.
    classes = _form_classes()
    assert len(classes) > 20
    uploads = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in classes
        for name, field in getattr(form, "base_fields", {}).items()
        if isinstance(field, forms.FileField)
    ]
    assert uploads == []


def test_no_api_operation_takes_a_file_upload():
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    bodies = [
        op["requestBody"]["content"]
        for ops in schema["paths"].values()
        for op in ops.values()
        if "requestBody" in op
    ]
    assert bodies
    assert not [b for b in bodies if "multipart/form-data" in b]
