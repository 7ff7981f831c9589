"""Production settings pass Django's deployment checks, and hash passwords with Argon2.

Run in a subprocess: the test suite changes some settings (password hashers, email)
in tests/conftest.py, and settings are read from the environment once, at start-up."""

from __future__ import annotations

import os
import secrets
import subprocess

import pytest

from tests.processes import manage


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DEBUG"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        SECURE="1",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="example.org",
        EARLYHELP_VAR_DIR=str(tmp_path),
    )
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return manage(env, *args, timeout=120)


def test_production_settings_pass_the_deployment_checks(production_env):
    result = _manage(production_env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr


def test_deployment_checks_fail_without_https_settings(production_env):
    production_env["SECURE"] = "0"

    result = _manage(production_env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0


PRINT_SETTINGS = """
from django.conf import settings
from django.contrib.auth.hashers import make_password
print(settings.PASSWORD_HASHERS[0])
print(make_password("correct horse battery staple").split("$")[0])
print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)
"""


def test_production_hashes_passwords_with_argon2_first(production_env):
    result = _manage(production_env, "shell", "--no-imports", "-c", PRINT_SETTINGS)

    assert result.returncode == 0, result.stderr
    hasher, algorithm, secure = result.stdout.strip().splitlines()[-3:]
    assert hasher == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert algorithm == "argon2"
    assert secure == "False True True"
