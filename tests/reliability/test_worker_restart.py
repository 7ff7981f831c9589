"""The outbox's workers killed and restarted in the middle of their work, as separate
processes sharing one installation (a migrated SQLite file, or a PostgreSQL database
of its own when DATABASE_URL is PostgreSQL) and one mail drop (the file email backend,
slowed down so that a kill lands in the middle of the run).

What must hold: every message is delivered (none lost, none left queued), and a message
is delivered twice only when a SIGKILL landed between the mail server's accepting it and
its SENT mark: at most one duplicate per SIGKILL. A SIGTERM stops a worker after the
message in hand, so it sends nothing twice. Exactly once is impossible over SMTP (no
idempotent send); at least once is the right side for a children's service."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
from django.core.mail.backends import filebased

from tests.processes import REPO_ROOT, empty_redis, manage, redis_database

MESSAGES = 40
HEADER = re.compile(rb"^X-EarlyHelp-Message: (\d+)\r?$", re.MULTILINE)
# Long enough that a kill usually lands after the mail server took a message and before
# its SENT mark (the duplicate the guarantee allows); short enough for a quick test.
SEND_SECONDS = "0.15"
WAIT_SECONDS = 90


class SlowFileBackend(filebased.EmailBackend):
    """The file backend of a mail server that takes a while to answer after accepting a
    message, and refuses every message while ``<EARLYHELP_VAR_DIR>/mail-down`` exists."""

    def send_messages(self, email_messages):
        var = Path(os.environ["EARLYHELP_VAR_DIR"])
        if (var / "mail-down").exists():
            raise ConnectionRefusedError("mail server down")
        sent = super().send_messages(email_messages)
        time.sleep(float(os.environ.get("EARLYHELP_TEST_SEND_SECONDS", "0")))
        return sent


# The installation -----------------------------------------------------------------------


@dataclass
class Installation:
    env: dict[str, str]
    var: Path
    query: Callable[[str], list[tuple]]
    workers: list[subprocess.Popen] = field(default_factory=list)

    @property
    def mail(self) -> Path:
        return self.var / "mail"

    def delivered(self) -> Counter[int]:
        """How many times each message id reached the mail drop."""
        found: Counter[int] = Counter()
        if self.mail.exists():
            for path in self.mail.iterdir():
                found.update(int(pk) for pk in HEADER.findall(path.read_bytes()))
        return found

    def statuses(self) -> Counter[str]:
        rows = self.query("SELECT status, COUNT(*) FROM outbox_outboxmessage GROUP BY status")
        return Counter(dict(rows))

    def start(self, *args: str) -> subprocess.Popen:
        """A ``manage.py`` process in a session of its own, logging to files under the
        installation."""
        log = self.var / f"worker-{len(self.workers)}"
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=log.with_suffix(".out").open("wb"),
            stderr=log.with_suffix(".err").open("wb"),
            start_new_session=True,
        )
        self.workers.append(worker)
        return worker

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.var.glob("worker-*.*"))
        )

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        """Poll until ``condition()``; fail with the workers' logs after WAIT_SECONDS."""
        deadline = time.monotonic() + WAIT_SECONDS
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"Waited {WAIT_SECONDS} s for {what}\n{self.logs()}")
            time.sleep(0.05)

    def wait_for_more_deliveries(self, count: int) -> None:
        before = len(self.delivered())
        self.wait_for(lambda: len(self.delivered()) >= before + count, f"{count} more messages")


def kill(worker: subprocess.Popen) -> None:
    """SIGKILL the worker and every process it started, as a crash or a lost machine
    would: stopped first, so that it forks nothing meanwhile. (RQ's work horse, which
    runs the job, is in a process group of its own.)"""
    try:
        parent = psutil.Process(worker.pid)
        parent.suspend()
        family = [*parent.children(recursive=True), parent]
    except psutil.NoSuchProcess:  # it has ended by itself
        family = []
    for process in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    worker.wait(timeout=30)


def _manage(env: dict[str, str], *args: str) -> str:
    result = manage(env, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


@dataclass
class Database:
    url: str
    query: Callable[[str], list[tuple]]


def _postgresql_database(url: str) -> Iterator[Database]:
    """A new database on the PostgreSQL server of ``url``, dropped afterwards."""
    import psycopg
    from psycopg import sql

    from earlyhelp.core.backup import drop_postgresql_database

    server, _, name = url.rpartition("/")
    url = f"{server}/{name.split('?')[0]}_restart_{os.getpid()}"
    drop_postgresql_database(url)
    with psycopg.connect(f"{server}/postgres".replace("postgres://", "postgresql://", 1)) as admin:
        admin.autocommit = True
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(url.rpartition("/")[2])))

    def query(statement: str) -> list[tuple]:
        with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
            cursor = conn.execute(statement)
            return cursor.fetchall() if cursor.description else []

    yield Database(url, query)
    drop_postgresql_database(url)


def _sqlite_database(path: Path) -> Iterator[Database]:
    def query(statement: str) -> list[tuple]:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        try:
            return conn.execute(statement).fetchall()
        finally:
            conn.close()

    yield Database(f"sqlite:///{path}", query)


def _environment(var: Path, database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DEBUG"}
    for name in ["DJANGO_SETTINGS_MODULE", "REDIS_URL", "JOBS_BACKEND", "STORAGE_BACKEND"]:
        env.pop(name, None)
    return env | {
        "EARLYHELP_VAR_DIR": str(var),
        "DATABASE_URL": database_url,
        "TWO_FACTOR_REQUIRED": "0",
        "EMAIL_BACKEND": f"{__name__}.SlowFileBackend",
        "EARLYHELP_TEST_SEND_SECONDS": SEND_SECONDS,
    }


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Iterator[Database]:
    """The installation's database, migrated once for this module: a SQLite file, or a
    database of its own on the PostgreSQL server when DATABASE_URL is PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        made = _postgresql_database(url)
    else:
        made = _sqlite_database(tmp_path_factory.mktemp("database") / "earlyhelp.sqlite3")
    database = next(made)
    var = tmp_path_factory.mktemp("migrate")
    _manage(_environment(var, database.url), "migrate", "--verbosity", "0")
    yield database
    next(made, None)


@pytest.fixture
def installation(database, tmp_path) -> Iterator[Installation]:
    """An installation with an empty outbox and mail drop; its workers are killed at
    the end."""
    database.query("DELETE FROM outbox_outboxmessage")
    env = _environment(tmp_path, database.url)
    here = Installation(env=env, var=tmp_path, query=database.query)
    try:
        yield here
    finally:
        for worker in here.workers:
            if worker.poll() is None:
                kill(worker)


QUEUE_MESSAGES = """
import json
from django.db import transaction
from earlyhelp.outbox.models import Kind
from earlyhelp.outbox.services import queue_message

with transaction.atomic():
    ids = [
        queue_message(
            kind=Kind.ACKNOWLEDGEMENT,
            to=f"referrer{n}@example.org",
            subject=f"Request for Support received {n}",
            body="We have received your Request for Support.",
        ).pk
        for n in range(COUNT)
    ]
print(json.dumps(ids))
"""


def queue_messages(env: dict[str, str], count: int = MESSAGES) -> set[int]:
    script = QUEUE_MESSAGES.replace("COUNT", str(count))
    output = _manage(env, "shell", "--no-imports", "-c", script)
    return set(json.loads(output.strip().splitlines()[-1]))


def assert_each_delivered_with_a_duplicate_per_kill_at_most(
    here: Installation, ids: set[int], kills: int
) -> int:
    delivered = here.delivered()
    assert set(delivered) == ids, f"lost: {sorted(ids - set(delivered))}"
    duplicates = sum(times - 1 for times in delivered.values())
    assert duplicates <= kills, f"{duplicates} duplicates after {kills} SIGKILLs: {delivered}"
    assert all(times <= 2 for times in delivered.values()), delivered
    assert here.statuses() == Counter({"sent": len(ids)})  # none stuck, none failed
    return duplicates


# The tests --------------------------------------------------------------------------------


def test_outbox_worker_killed_and_restarted_through_an_outage_loses_nothing(installation):
    here = installation
    (here.var / "mail-down").touch()
    ids = queue_messages(here.env)
    loop = ("process_outbox", "--loop", "--interval", "0.2")

    # The mail server refuses everything: each message is tried, kept, and not sent.
    worker = here.start(*loop)
    here.wait_for(
        lambda: here.query("SELECT MIN(attempts) FROM outbox_outboxmessage")[0][0] == 1,
        "the worker to try every message once",
    )
    kill(worker)
    assert here.statuses() == Counter({"queued": MESSAGES})
    assert not here.delivered()
    # The server is back and the back-off has passed.
    (here.var / "mail-down").unlink()
    here.query("UPDATE outbox_outboxmessage SET next_attempt_at = created_at")

    kills = 0
    for _ in range(3):
        worker = here.start(*loop)
        here.wait_for_more_deliveries(4)
        kill(worker)
        kills += 1
    worker = here.start(*loop)
    here.wait_for_more_deliveries(4)
    worker.send_signal(signal.SIGTERM)
    # Stopped after the message in hand, not killed by the signal.
    assert worker.wait(timeout=60) == 0, f"exit {worker.returncode}\n{here.logs()}"
    assert here.statuses()["queued"] > 0, "the run ended before the last restart"
    # Two workers at once for the rest: neither sends what the other has claimed.
    pair = [here.start(*loop), here.start(*loop)]
    here.wait_for(lambda: here.statuses()["queued"] == 0, "the outbox to empty")
    for worker in pair:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0, f"exit {worker.returncode}\n{here.logs()}"

    duplicates = assert_each_delivered_with_a_duplicate_per_kill_at_most(here, ids, kills)
    # One refused attempt and one that counted (a killed attempt rolled back with it).
    assert here.query("SELECT MIN(attempts), MAX(attempts) FROM outbox_outboxmessage") == [(2, 2)]
    assert here.query("SELECT COUNT(*) FROM outbox_outboxmessage WHERE sent_at IS NULL") == [(0,)]
    print(f"process_outbox: {MESSAGES} messages, {kills} SIGKILLs, {duplicates} duplicates")


@pytest.fixture
def redis_url() -> Iterator[str]:
    # Databases 6 to 9 of the machine's Redis (the deployment tests use 11 to 15).
    yield from empty_redis(f"redis://127.0.0.1:6379/{redis_database(6, 4)}")


def test_rq_worker_killed_mid_run_loses_nothing_the_sweep_sends_the_abandoned(
    installation, redis_url
):
    from redis import Redis

    here = installation
    here.env |= {"REDIS_URL": redis_url, "JOBS_BACKEND": "rq"}
    queue = Redis.from_url(redis_url)
    ids = queue_messages(here.env)  # a job each, queued as the transaction commits
    assert queue.llen("rq:queue:default") == MESSAGES

    kills = 0
    for _ in range(2):
        worker = here.start("rqworker", "default")
        here.wait_for_more_deliveries(4)
        kill(worker)  # the job in hand is abandoned: RQ does not run it again
        kills += 1
    assert queue.llen("rq:queue:default") > 0, "the run ended before the last restart"
    here.start("rqworker", "default")
    # The timetable queues the sweep as it starts, then every five minutes.
    here.start("run_job_timetable")
    here.wait_for(lambda: here.statuses()["queued"] == 0, "the outbox to empty")

    duplicates = assert_each_delivered_with_a_duplicate_per_kill_at_most(here, ids, kills)
    assert here.query("SELECT MAX(attempts) FROM outbox_outboxmessage") == [(1,)]
    queue.close()
    print(f"rqworker: {MESSAGES} messages, {kills} SIGKILLs, {duplicates} duplicates")
