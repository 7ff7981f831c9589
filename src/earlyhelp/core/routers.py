"""Reads for the performance pages from a read replica, when one is configured.

Django picks a database by model, not by page, so the choice is made by context: the
performance pages and their API (GET only) run inside ``replica_reads()``, and only
there do reads go to the replica. Everything else reads and writes the default
database, and so do, even inside those pages:

- writes (always), and reads made inside a transaction, which must see its own writes;
- the tables whose rows a user has just written and expects to read back at once:
  accounts and sessions (who is signed in), the audit log and the generated reports.

A replica lags its primary by a moment; the figures on a dashboard can afford that,
a sign-in or a report just generated cannot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)

# Apps whose reads stay on the default database even inside replica_reads().
PRIMARY_ONLY_APPS = frozenset(
    {
        "accounts",
        "auth",
        "axes",
        "contenttypes",
        "sessions",
        "otp_static",
        "otp_totp",
        "django_otp",
        "audit",
        "reporting",
        "outbox",
    }
)
# The performance pages and their API, read-only requests only.
REPLICA_READ_PATHS = ("/reports/", "/api/v1/reporting/")
SAFE_METHODS = frozenset({"GET", "HEAD"})


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within this block, reads that can tolerate a moment's lag use the replica."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    """Reads inside ``replica_reads()`` go to the replica; every write, every
    migration and every other read go to the default database."""

    def db_for_read(self, model: type[Model], **hints) -> str | None:
        if not replica_configured():
            return None
        if (
            _replica_reads.get()
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        # Named outright: otherwise Django would follow a replica-read instance's
        # related objects back to the replica.
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints) -> str | None:
        # Named outright, so that saving a row read from the replica writes the primary.
        return DEFAULT_DB_ALIAS if replica_configured() else None

    def allow_relation(self, obj1: Model, obj2: Model, **hints) -> bool | None:
        databases = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in databases and obj2._state.db in databases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool | None:
        return False if db == REPLICA else None


class ReplicaReadsMiddleware:
    """Runs the performance pages' read-only requests inside ``replica_reads()``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            replica_configured()
            and request.method in SAFE_METHODS
            and request.path_info.startswith(REPLICA_READ_PATHS)
        ):
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)
