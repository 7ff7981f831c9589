"""Helpers for tests that run the application as real processes: ``manage.py`` in a
subprocess, and a Redis database of the machine's server for one pytest-xdist worker."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def manage(
    env: dict[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``python manage.py ARGS`` from the repository's root with ``env``; not checked."""
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def redis_database(first: int, count: int) -> int:
    """A database number of ``first`` to ``first + count - 1``, one per pytest-xdist
    worker, since each test empties its database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    return first + index % count


def empty_redis(url: str) -> Iterator[str]:
    """For a fixture: ``url``'s Redis database, emptied before and after the test; the
    test is skipped when nothing answers there."""
    from redis import Redis
    from redis.exceptions import RedisError

    server = Redis.from_url(url, socket_connect_timeout=2)
    try:
        server.ping()
    except RedisError as error:
        pytest.skip(f"Redis is not reachable at {url}: {error}")
    server.flushdb()
    yield url
    server.flushdb()
    server.close()
