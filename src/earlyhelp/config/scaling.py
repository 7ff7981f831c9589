"""Settings for running EarlyHelp on more than one machine, read from the environment.

With none of these variables set, a single machine keeps its defaults: sessions in the
database, a per-process memory cache, files under ``var/media``, no replica, and
background work done by ``manage.py process_outbox --loop`` and cron. Each function
takes the environment as a mapping so that the tests can try any combination.

- ``REDIS_URL``: the cache in Redis, sessions cached there (and kept in the database, so
  a Redis restart or flush signs nobody out), and the queue that workers read.
- ``JOBS_BACKEND=rq``: outgoing messages and scheduled reports go to Redis workers
  (``manage.py rqworker default --with-scheduler``) instead of the outbox loop.
- ``STORAGE_BACKEND=s3`` or ``AWS_STORAGE_BUCKET_NAME``: generated files in an
  S3-compatible bucket (``AWS_S3_ENDPOINT_URL`` for MinIO, Ceph and the like).
- ``DATABASE_REPLICA_URL``: a read replica that the performance pages read from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

REPLICA = "replica"
JOBS_DATABASE = "database"
JOBS_RQ = "rq"
# Where django-rq looks when REDIS_URL is unset: it insists on RQ_QUEUES at import time,
# and nothing is queued there unless JOBS_BACKEND=rq (which requires REDIS_URL).
UNUSED_REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_url(env: Mapping[str, str]) -> str | None:
    """The Redis server shared by every app process, if there is one."""
    return env.get("REDIS_URL", "").strip() or None


def caches(env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Redis when configured. Otherwise each process's own memory: nothing in EarlyHelp
    relies on the cache being shared (sessions, sign-in lockouts, outbox claims and
    two-factor throttling are all in the database), so several processes without Redis
    stay correct, and there is no cache table to create."""
    url = redis_url(env)
    if url is None:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            # Councils sharing one Redis keep their keys apart.
            "KEY_PREFIX": env.get("CACHE_KEY_PREFIX", "earlyhelp"),
            "TIMEOUT": 300,
        }
    }


def session_engine(env: Mapping[str, str]) -> str:
    """Sessions always live in the database; with Redis they are also cached there, so
    most requests read no session row and a Redis flush signs nobody out."""
    if redis_url(env) is None:
        return "django.contrib.sessions.backends.db"
    return "django.contrib.sessions.backends.cached_db"


def rq_queues(env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """The worker queue, in the same Redis as the cache (its own database number is
    best: give REDIS_URL a path such as /1 per council)."""
    return {
        "default": {
            "URL": redis_url(env) or UNUSED_REDIS_URL,
            # A quarter's PDFs for every locality take minutes, not hours.
            "DEFAULT_TIMEOUT": int(env.get("JOBS_TIMEOUT", "1800")),
        }
    }


def jobs_backend(env: Mapping[str, str]) -> str:
    """``database`` (the outbox loop and cron, the default) or ``rq`` (Redis workers)."""
    backend = env.get("JOBS_BACKEND", JOBS_DATABASE).strip().lower() or JOBS_DATABASE
    if backend not in {JOBS_DATABASE, JOBS_RQ}:
        raise ImproperlyConfigured(f"JOBS_BACKEND must be 'database' or 'rq', not {backend!r}")
    if backend == JOBS_RQ and redis_url(env) is None:
        raise ImproperlyConfigured("JOBS_BACKEND=rq needs REDIS_URL")
    return backend


def uses_s3(env: Mapping[str, str]) -> bool:
    backend = env.get("STORAGE_BACKEND", "").strip().lower()
    if backend and backend not in {"s3", "filesystem"}:
        raise ImproperlyConfigured(f"STORAGE_BACKEND must be 's3' or 'filesystem', not {backend!r}")
    return backend == "s3" or (not backend and bool(env.get("AWS_STORAGE_BUCKET_NAME")))


def default_storage(env: Mapping[str, str]) -> dict[str, Any]:
    """Where generated files (governance reports) are kept: the local disk under
    MEDIA_ROOT, or an S3-compatible bucket that every app process and worker shares."""
    if not uses_s3(env):
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    bucket = env.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not bucket:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        # Councils sharing a bucket each keep their files under their own prefix.
        "location": env.get("AWS_LOCATION", ""),
        "region_name": env.get("AWS_S3_REGION_NAME") or None,
        "endpoint_url": env.get("AWS_S3_ENDPOINT_URL") or None,
        # Files are private and reached only through the app, which checks permission
        # and records the download; never by a public or signed bucket address.
        "default_acl": None,
        "querystring_auth": True,
        # Two reports of the same place and quarter must not overwrite each other's file.
        "file_overwrite": False,
        "addressing_style": env.get("AWS_S3_ADDRESSING_STYLE") or None,
    }
    # Without keys, boto3 finds credentials itself (instance role, ~/.aws, web identity).
    if env.get("AWS_ACCESS_KEY_ID"):
        options["access_key"] = env["AWS_ACCESS_KEY_ID"]
        options["secret_key"] = env.get("AWS_SECRET_ACCESS_KEY", "")
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def replica_databases(env: Mapping[str, str], *, conn_max_age: int) -> dict[str, dict[str, Any]]:
    """The read replica's connection, when there is one. In a test run it mirrors the
    test database instead of getting a test database of its own."""
    url = env.get("DATABASE_REPLICA_URL", "").strip()
    if not url:
        return {}
    replica = dj_database_url.parse(url, conn_max_age=conn_max_age)
    replica["TEST"] = {"MIRROR": "default"}
    return {REPLICA: replica}
