"""The settings for more than one machine come from the environment, and leave a single
machine's defaults alone when unset. Checked in a subprocess, as tests/core/test_settings.py
does, because settings are read once at start-up."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from earlyhelp.config import scaling

REPO_ROOT = Path(__file__).resolve().parents[2]

SCALED = {
    "REDIS_URL": "redis://cache.internal:6379/3",
    "JOBS_BACKEND": "rq",
    "STORAGE_BACKEND": "s3",
    "AWS_STORAGE_BUCKET_NAME": "earlyhelp-files",
    "AWS_S3_ENDPOINT_URL": "https://minio.internal:9000",
    "AWS_S3_REGION_NAME": "eu-west-2",
    "AWS_ACCESS_KEY_ID": "earlyhelp",
    "AWS_SECRET_ACCESS_KEY": "not-a-real-secret",
    "DATABASE_REPLICA_URL": "postgres://reader@replica.internal:5432/earlyhelp",
}

PRINT_SETTINGS = """
import json
from django.conf import settings
from django.core.files.storage import default_storage
from earlyhelp.reporting.models import GeneratedReport
storage = GeneratedReport._meta.get_field("file").storage
print(json.dumps({
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "sessions": settings.SESSION_ENGINE,
    "jobs": settings.JOBS_BACKEND,
    "rq_url": settings.RQ_QUEUES["default"]["URL"],
    "databases": sorted(settings.DATABASES),
    "replica_host": settings.DATABASES.get("replica", {}).get("HOST"),
    "replica_mirrors": settings.DATABASES.get("replica", {}).get("TEST", {}).get("MIRROR"),
    "report_storage": storage.__class__.__name__,
    "bucket": getattr(default_storage, "bucket_name", None),
    "endpoint": getattr(default_storage, "endpoint_url", None),
    "overwrite": getattr(default_storage, "file_overwrite", None),
}))
"""


@pytest.fixture
def base_env(tmp_path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DEBUG"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for name in [*SCALED, "STORAGE_BACKEND", "DATABASE_URL"]:
        env.pop(name, None)
    env["EARLYHELP_VAR_DIR"] = str(tmp_path)
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _settings(env: dict[str, str]) -> dict:
    result = _manage(env, "shell", "--no-imports", "-c", PRINT_SETTINGS)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_single_machine_defaults_are_unchanged(base_env):
    found = _settings(base_env)

    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["sessions"] == "django.contrib.sessions.backends.db"
    assert found["jobs"] == "database"
    assert found["databases"] == ["default"]
    assert found["report_storage"] == "FileSystemStorage"


def test_environment_moves_cache_sessions_jobs_files_and_reports_off_the_machine(base_env):
    found = _settings(base_env | SCALED)

    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert found["cache_location"] == SCALED["REDIS_URL"]
    assert found["sessions"] == "django.contrib.sessions.backends.cached_db"
    assert found["jobs"] == "rq"
    assert found["rq_url"] == SCALED["REDIS_URL"]
    assert found["databases"] == ["default", "replica"]
    assert found["replica_host"] == "replica.internal"
    assert found["replica_mirrors"] == "default"  # a test run uses the test database
    # Governance reports are stored through the default storage: in the bucket.
    assert found["report_storage"] == "S3Storage"
    assert found["bucket"] == "earlyhelp-files"
    assert found["endpoint"] == "https://minio.internal:9000"
    assert found["overwrite"] is False


def test_scaled_production_settings_pass_the_deployment_checks(base_env):
    env = (
        base_env
        | SCALED
        | {
            "SECURE": "1",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "earlyhelp.example.gov.uk",
        }
    )

    result = _manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr


def test_a_bucket_name_alone_selects_s3_and_filesystem_can_be_forced():
    bucket = {"AWS_STORAGE_BUCKET_NAME": "files"}

    assert scaling.default_storage(bucket)["BACKEND"] == "storages.backends.s3.S3Storage"
    forced = scaling.default_storage(bucket | {"STORAGE_BACKEND": "filesystem"})
    assert forced["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_without_keys_boto3_finds_credentials_itself():
    options = scaling.default_storage({"AWS_STORAGE_BUCKET_NAME": "files"})["OPTIONS"]

    assert "access_key" not in options
    assert "secret_key" not in options


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"JOBS_BACKEND": "rq"}, "JOBS_BACKEND=rq needs REDIS_URL"),
        ({"JOBS_BACKEND": "celery"}, "JOBS_BACKEND must be"),
        ({"STORAGE_BACKEND": "s3"}, "needs AWS_STORAGE_BUCKET_NAME"),
        ({"STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND must be"),
    ],
)
def test_incomplete_configuration_is_refused_at_start_up(env, message):
    def read_settings() -> None:
        scaling.jobs_backend(env)
        scaling.default_storage(env)

    with pytest.raises(ImproperlyConfigured, match=message):
        read_settings()
