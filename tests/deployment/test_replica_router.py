"""The database router: inside ``replica_reads()`` reads go to the replica, except the
tables a user expects to read back at once and reads inside a transaction; writes and
migrations always go to the default database. The middleware puts the performance
pages' read-only requests inside it. (test_processes.py runs a real page against two
connections.)"""

from __future__ import annotations

import pytest
from django.db import connections
from django.test import RequestFactory

from earlyhelp.accounts.models import User
from earlyhelp.cases.models import Case
from earlyhelp.core import routers
from earlyhelp.core.routers import ReplicaReadsMiddleware, ReplicaRouter, replica_reads
from earlyhelp.reporting.models import GeneratedReport

router = ReplicaRouter()


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(routers, "replica_configured", lambda: True)


def test_reports_read_cases_from_the_replica(with_replica):
    with replica_reads():
        assert router.db_for_read(Case) == "replica"
    assert router.db_for_read(Case) == "default"


def test_reads_users_need_back_at_once_stay_on_the_default_database(with_replica):
    with replica_reads():
        assert router.db_for_read(User) == "default"
        assert router.db_for_read(GeneratedReport) == "default"


def test_reads_inside_a_transaction_stay_on_the_default_database(with_replica, monkeypatch):
    monkeypatch.setattr(connections["default"], "in_atomic_block", True)

    with replica_reads():
        assert router.db_for_read(Case) == "default"


def test_writes_and_migrations_never_go_to_the_replica(with_replica):
    with replica_reads():
        assert router.db_for_write(Case) == "default"
    assert router.allow_migrate("replica", "cases") is False
    assert router.allow_migrate("default", "cases") is None


def test_without_a_replica_the_router_leaves_django_to_choose():
    with replica_reads():
        assert router.db_for_read(Case) is None
        assert router.db_for_write(Case) is None


@pytest.mark.parametrize(
    ("method", "path", "on_replica"),
    [
        ("get", "/reports/", True),
        ("get", "/reports/extracts/cases.csv", True),
        ("get", "/api/v1/reporting/dashboard", True),
        ("post", "/reports/governance/", False),
        ("get", "/cases/", False),
        ("get", "/api/v1/cases/", False),
    ],
)
def test_middleware_reads_from_the_replica_for_performance_pages_only(
    with_replica, method, path, on_replica
):
    seen = []
    middleware = ReplicaReadsMiddleware(
        lambda request: seen.append(router.db_for_read(Case)) or "response"
    )

    middleware(getattr(RequestFactory(), method)(path))

    assert seen == ["replica" if on_replica else "default"]
    assert router.db_for_read(Case) == "default"  # and not after the request
