"""Test-wide set-up: fast password hashing, static files from the finders, and
two-factor sign-in off unless a test turns it on.

Sign-in lockouts (django-axes) live in the database, so each test's rollback clears them."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings


def pytest_configure(config):
    from django.conf import settings

    # Static files come straight from the finders (no collectstatic manifest needed).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Argon2 is the production hasher (tested in tests/core/test_settings.py); tests
    # use a fast one so that thousands of sign-ins stay quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Tests sign in with force_login or the password form alone; the two-factor tests
    # turn it on with the ``two_factor_required`` fixture below.
    settings.TWO_FACTOR_REQUIRED = False
    # A calendar read again mid-test would add a query to the query-count tests; the
    # expiry has its own test (tests/configuration/test_selectors.py).
    settings.CALENDAR_CACHE_SECONDS = None
    # WhiteNoise looks for collected static files at start-up; tests use the finders.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def two_factor_required(settings):
    """Two-factor sign-in on, as in a live service (the suite runs with it off)."""
    settings.TWO_FACTOR_REQUIRED = True
    return settings


@pytest.fixture
def world(db):
    """A small configured service with staff of each casework role (tests/casework.py)."""
    from tests.casework import build_world

    return build_world()


# The audit log's append-only triggers (audit migration 0002) also refuse the flush with
# which a transactional test empties the database afterwards, and a sign-in writes to
# the log. They are lifted for that flush only.
_AUDIT_TRIGGERS = importlib.import_module("earlyhelp.audit.migrations.0002_append_only_triggers")


def _set_audit_triggers(*, present: bool) -> None:
    from django.db import connection

    with connection.schema_editor() as editor:
        if present:
            _AUDIT_TRIGGERS.add_triggers(None, editor)
        else:
            _AUDIT_TRIGGERS.drop_triggers(None, editor)


def _database_name() -> str:
    from django.db import connection

    return str(connection.settings_dict["NAME"])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """Let the transactional flush empty the audit log, then put its triggers back."""
    funcargs = getattr(item, "funcargs", {})
    blocker = funcargs.get("django_db_blocker")
    marker = item.get_closest_marker("django_db")
    transactional = "transactional_db" in funcargs or bool(
        marker and marker.kwargs.get("transaction")
    )
    # Only once this test has the test database: never touch another database.
    if not transactional or blocker is None:
        return (yield)
    with blocker.unblock():
        test_database = _database_name()
        _set_audit_triggers(present=False)
    try:
        return (yield)
    finally:
        # After the last test the teardown also destroys the test database and points
        # the connection back at the real one, which must be left alone.
        if _database_name() == test_database:
            with blocker.unblock():
                _set_audit_triggers(present=True)


# Hypothesis's per-example deadline would fail property tests on a busy CI machine;
# the speed of the domain is measured in benchmarks/, not here.
hypothesis_settings.register_profile("earlyhelp", deadline=None, derandomize=True)
hypothesis_settings.load_profile("earlyhelp")
