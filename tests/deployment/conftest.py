"""Redis for the deployment tests: the machine's own server at 127.0.0.1:6379, in a
database number of these tests' own (one per pytest-xdist worker), emptied before and
after each test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.processes import empty_redis, redis_database

REDIS_TEST_URL = os.environ.get(
    "EARLYHELP_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{redis_database(11, 5)}"
)


@pytest.fixture
def redis_url() -> Iterator[str]:
    yield from empty_redis(REDIS_TEST_URL)


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
