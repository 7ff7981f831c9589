"""Redis for the deployment tests: the machine's own server at 127.0.0.1:6379, in a
database number of these tests' own (one per pytest-xdist worker), emptied before and
after each test."""

from __future__ import annotations

import os

import pytest


def _database_number() -> int:
    """11, and one more for each further pytest-xdist worker, since each test empties it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    return 11 + index % 5


REDIS_TEST_URL = os.environ.get(
    "EARLYHELP_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{_database_number()}"
)


@pytest.fixture
def redis_url() -> str:
    from redis import Redis
    from redis.exceptions import RedisError

    server = Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    try:
        server.ping()
    except RedisError as error:
        pytest.skip(f"Redis is not reachable at {REDIS_TEST_URL}: {error}")
    server.flushdb()
    yield REDIS_TEST_URL
    server.flushdb()
    server.close()


@pytest.fixture
def redis_server(redis_url):
    from redis import Redis

    server = Redis.from_url(redis_url)
    yield server
    server.close()


@pytest.fixture
def rq_queue(redis_url, settings, monkeypatch):
    """The worker queue in the test Redis, with JOBS_BACKEND=rq. django-rq reads
    RQ_QUEUES once, at import, so its copy is pointed at the test database."""
    import django_rq.settings

    settings.JOBS_BACKEND = "rq"
    monkeypatch.setitem(django_rq.settings.QUEUES, "default", {"URL": redis_url})
    queue = django_rq.get_queue("default")
    yield queue
    queue.connection.close()
