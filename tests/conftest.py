"""Test-wide set-up: fast password hashing and static files from the finders.

Sign-in lockouts (django-axes) live in the database, so each test's rollback clears them."""

from __future__ import annotations

import pytest


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


@pytest.fixture
def world(db):
    """A small configured service with staff of each casework role (tests/casework.py)."""
    from tests.casework import build_world

    return build_world()
