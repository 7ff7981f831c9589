"""Separate processes sharing one installation, as in production: a database file that
every process opens (migrated once for this module), Redis for the queue, and
``manage.py rqworker`` as the worker. Run in subprocesses because settings are read
from the environment once, at start-up."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.processes import manage


@pytest.fixture(scope="module")
def installation(tmp_path_factory) -> dict[str, str]:
    """The environment of an installation with its own migrated SQLite database."""
    var = tmp_path_factory.mktemp("installation")
    database = f"sqlite:///{var / 'earlyhelp.sqlite3'}"
    env = {key: value for key, value in os.environ.items() if key != "DEBUG"}
    for name in ["DJANGO_SETTINGS_MODULE", "REDIS_URL", "JOBS_BACKEND", "STORAGE_BACKEND"]:
        env.pop(name, None)
    env |= {
        "EARLYHELP_VAR_DIR": str(var),
        "DATABASE_URL": database,
        "TWO_FACTOR_REQUIRED": "0",
    }
    result = manage(env, "migrate", "--verbosity", "0")
    assert result.returncode == 0, result.stderr
    return env


def _shell(env: dict[str, str], script: str) -> dict:
    result = manage(env, "shell", "--no-imports", "-c", script)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


DASHBOARD_THROUGH_TWO_CONNECTIONS = """
import json
from django.conf import settings
from django.db import connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from tests.casework import build_world

world = build_world()
client = Client()
client.force_login(world.head)
# Static files from the finders: this installation has not run collectstatic.
static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
with override_settings(STORAGES={**settings.STORAGES, "staticfiles": static}):
    with CaptureQueriesContext(connections["default"]) as primary:
        with CaptureQueriesContext(connections["replica"]) as replica:
            response = client.get("/reports/")
print(json.dumps({
    "status": response.status_code,
    "replica": [query["sql"] for query in replica.captured_queries],
    "primary": [query["sql"] for query in primary.captured_queries],
}))
"""


def test_performance_dashboard_reads_its_figures_from_the_replica(installation):
    env = installation | {"DATABASE_REPLICA_URL": installation["DATABASE_URL"]}

    found = _shell(env, DASHBOARD_THROUGH_TWO_CONNECTIONS)

    assert found["status"] == 200
    replica = " ".join(found["replica"])
    assert '"cases_case"' in replica
    assert '"referrals_requestforsupport"' in replica
    primary = " ".join(found["primary"])
    assert '"cases_case"' not in primary
    assert '"referrals_requestforsupport"' not in primary
    assert '"django_session"' in primary  # who is signed in: never from a lagging copy
    assert "django_session" not in replica


QUEUE_ONE_MESSAGE_TWICE = """
import json
from django.db import transaction
from earlyhelp.core import jobs
from earlyhelp.outbox.models import Kind
from earlyhelp.outbox.services import SEND_JOB, queue_message

with transaction.atomic():
    message = queue_message(
        kind=Kind.ACKNOWLEDGEMENT, to="referrer@example.org", subject="Received", body="Hello"
    )
jobs.enqueue(SEND_JOB, message.pk)
print(json.dumps({"id": message.pk}))
"""

MESSAGE_STATE = """
import json
from earlyhelp.outbox.models import OutboxMessage
message = OutboxMessage.objects.get(pk={pk})
print(json.dumps({{"status": message.status, "attempts": message.attempts}}))
"""


def test_rqworker_sends_a_message_queued_twice_once(installation, redis_url):
    env = installation | {"REDIS_URL": redis_url, "JOBS_BACKEND": "rq"}
    mail = Path(installation["EARLYHELP_VAR_DIR"]) / "mail"
    before = len(list(mail.glob("*"))) if mail.exists() else 0

    queued = _shell(env, QUEUE_ONE_MESSAGE_TWICE)
    worker = manage(env, "rqworker", "default", "--burst")

    assert worker.returncode == 0, worker.stderr
    state = _shell(env, MESSAGE_STATE.format(pk=queued["id"]))
    assert state == {"status": "sent", "attempts": 1}
    assert len(list(mail.glob("*"))) - before == 1


START_SESSION = """
import json
from django.conf import settings
from django.core.cache import cache
from importlib import import_module

store = import_module(settings.SESSION_ENGINE).SessionStore()
store["seen_by"] = "first process"
store.create()
cache.set("shared", "from the first process", 60)
print(json.dumps({"key": store.session_key, "engine": settings.SESSION_ENGINE}))
"""

READ_SESSION = """
import json
from django.conf import settings
from django.core.cache import cache
from importlib import import_module

store = import_module(settings.SESSION_ENGINE).SessionStore(session_key="{key}")
print(json.dumps({{"seen_by": store.get("seen_by"), "shared": cache.get("shared")}}))
"""


def test_two_processes_share_the_cache_and_sessions_survive_a_redis_flush(
    installation, redis_url, redis_server
):
    env = installation | {"REDIS_URL": redis_url}

    started = _shell(env, START_SESSION)
    shared = _shell(env, READ_SESSION.format(key=started["key"]))
    redis_server.flushdb()
    after_flush = _shell(env, READ_SESSION.format(key=started["key"]))

    assert started["engine"] == "django.contrib.sessions.backends.cached_db"
    assert shared == {"seen_by": "first process", "shared": "from the first process"}
    assert after_flush == {"seen_by": "first process", "shared": None}
