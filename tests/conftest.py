"""Test-wide set-up: fast password hashing, static files from the finders, and the
shared fixtures for staff, teams and families."""

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


@pytest.fixture(autouse=True)
def _reset_axes(db):
    """Sign-in lockouts never leak from one test into another."""
    from axes.utils import reset

    reset()
    return
