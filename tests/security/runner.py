"""Sending one request of the matrix as one subject, undone afterwards, and reading what
the answer means: allowed, denied, or sent to sign in."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlencode

from django.apps import apps
from django.db import connection, transaction
from django.test import Client

from tests.security.bodies import body_for, query_for
from tests.security.matrix import BODIES, QUERIES
from tests.security.routes import COMPONENTS, OPERATIONS, Route

ALLOWED, DENIED, SIGN_IN, NOT_OFFERED, ERROR = "allowed", "denied", "sign-in", "405", "error"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# Tables whose rows a refused request may add (the refusal's audit event, the session).
_UNCOUNTED_APPS = {"audit", "sessions", "axes", "admin", "contenttypes", "otp_static", "otp_totp"}


@dataclass
class Outcome:
    status: int
    verdict: str
    changed: bool = False


def _tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label not in _UNCOUNTED_APPS
        and model._meta.managed
        and not model._meta.proxy
    )


def fingerprint() -> tuple:
    """Row counts of every table but the session and audit ones, and the audit log's
    count of changes (a refusal leaves a "denied" event, which is fine)."""
    quote = connection.ops.quote_name
    # Table names come from the models, not from input.
    counts = ", ".join(
        f"(SELECT COUNT(*) FROM {quote(table)})"  # noqa: S608
        for table in _tables()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {counts}, (SELECT COUNT(*) FROM {quote('audit_auditevent')} "  # noqa: S608
            "WHERE kind = %s)",
            ["write"],
        )
        return tuple(cursor.fetchone())


class Subjects:
    """One signed-in test client per subject, made once for the whole matrix."""

    def __init__(self, users: dict[str, object]):
        self.clients: dict[str, Client] = {}
        for name, user in users.items():
            client = Client(raise_request_exception=False)
            if user is not None:
                client.force_login(user)
            self.clients[name] = client


def classify(route: Route, response) -> str:
    status = response.status_code
    if status >= 500:
        return ERROR
    if status == 405:
        return NOT_OFFERED
    if status == 401:
        return SIGN_IN
    if status in (301, 302) and "/account/sign-in/" in response.get("Location", ""):
        return SIGN_IN
    if status in (403, 404):
        return DENIED
    return ALLOWED


def send(
    client: Client, route: Route, method: str, url: str, *, world, check_writes: bool
) -> Outcome:
    """The request, inside a savepoint rolled back afterwards so no subject's request
    changes what the next one sees; the client's cookies are put back too (sign-out)."""
    cookies = client.cookies.copy()
    savepoint = transaction.savepoint()
    try:
        before = fingerprint() if check_writes else None
        extra = QUERIES.get(route.key)
        if route.kind == "api":
            operation = OPERATIONS[route.key]
            query = {**query_for(operation, COMPONENTS, world), **(extra(world) if extra else {})}
            if query:
                url = f"{url}?{urlencode(query, doseq=True)}"
            make_body = BODIES.get(route.key)
            body = make_body(world) if make_body else body_for(operation, COMPONENTS, world)
            response = client.generic(
                method,
                url,
                data=json.dumps(body) if body is not None else b"",
                content_type="application/json",
            )
        else:
            if extra:
                url = f"{url}?{urlencode(extra(world), doseq=True)}"
            response = client.generic(
                method, url, data=b"", content_type="application/x-www-form-urlencoded"
            )
        changed = check_writes and fingerprint() != before
    finally:
        transaction.savepoint_rollback(savepoint)
        client.cookies = cookies
    return Outcome(status=response.status_code, verdict=classify(route, response), changed=changed)
