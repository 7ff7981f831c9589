"""The API fuzzed against its own OpenAPI schema (schemathesis): for every operation, a
bounded number of generated requests, valid and invalid, as a head of service who may
see every record. No request may cause a server error, every error must be a
problem+json body, and every response must match the schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from earlyhelp.accounts.roles import Role
from earlyhelp.accounts.services import issue_api_token
from earlyhelp.core.problems import PROBLEM_CONTENT_TYPE
from tests.factories import make_staff

# Bounded for CI: every operation gets this many generated requests.
EXAMPLES_PER_OPERATION = 12

# Left out on purpose. The service rules are richer than a JSON schema can say (a route
# from the configured list, a window that ends after it starts), so a schema-valid body
# is often refused with a 422 problem naming the field: that is the designed answer,
# not a fault. And pydantic reads some loosely typed values (a number as a date) rather
# than refusing them. Server errors, undocumented answers, bodies that do not match the
# schema, errors that are not problems, and answers given without authentication still
# fail the test.
LENIENT_BY_DESIGN = [
    schemathesis.checks.positive_data_acceptance,
    schemathesis.checks.negative_data_rejection,
]


def _load_schema():
    """The schema the API serves at /api/v1/openapi.json, called in-process (WSGI)."""
    from earlyhelp.core.api import api

    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
    loaded.app = get_wsgi_application()
    return loaded


schema = _load_schema()


@pytest.fixture(autouse=True)
def _one_connection_per_test():
    """Requests go through the WSGI handler, whose request signals close the database
    connection between requests; inside a test's transaction that would lose it (the
    Django test client unhooks them the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(world):
    head = make_staff(Role.HEAD_OF_SERVICE)
    _, token = issue_api_token(actor=head, user=head, name="fuzz")
    return {"Authorization": f"Bearer {token}"}


@schemathesis.check
def errors_are_problems(ctx, response, case):
    """Every 4xx or 5xx answer is an RFC 9457 problem."""
    if response.status_code >= 400:
        headers = {name.lower(): value for name, value in response.headers.items()}
        content_type = headers.get("content-type", [""])
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        if not content_type.startswith(PROBLEM_CONTENT_TYPE):
            raise AssertionError(
                f"{response.status_code} answered with {content_type!r}, not problem+json"
            )
        body = response.json()
        if not {"type", "title", "status", "detail"} <= set(body):
            raise AssertionError(f"problem body lacks its members: {body}")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    suppress_health_check=list(HealthCheck),
    deadline=None,
)
def test_the_api_survives_generated_requests(case, bearer):
    case.call_and_validate(
        headers=bearer,
        additional_checks=[errors_are_problems],
        excluded_checks=LENIENT_BY_DESIGN,
    )
