"""Background work on Redis workers (RQ), when JOBS_BACKEND=rq.

A job carries only ids and plain values; the worker reads the rows and claims them in
the database, so a job that runs twice, or after a restart, does the work once. Jobs are
queued when the transaction that asks for them commits, never before: a rolled-back
change queues nothing, and a worker never looks for a row that is not there yet.

Every job runs through ``run``, which first checks that the job was queued by this
installation's database: councils sharing a Redis server by mistake (rather than a
database number each) get failed jobs, never another council's message id looked up in
their own database.

With the default backend (``database``) nothing is queued here: ``manage.py
process_outbox --loop`` and cron find the work in the database instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from functools import partial
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from redis.exceptions import RedisError

from earlyhelp.config.scaling import JOBS_RQ

log = logging.getLogger(__name__)

QUEUE = "default"
RUN = "earlyhelp.core.jobs.run"


class WrongInstallation(Exception):
    """A job queued against another installation's database reached this worker."""


def rq_enabled() -> bool:
    """True when background work goes to Redis workers."""
    return settings.JOBS_BACKEND == JOBS_RQ


def _queue():
    import django_rq

    return django_rq.get_queue(QUEUE)


def installation() -> str:
    """A short fingerprint of this installation's database (engine, host, port, name)."""
    database = connections[DEFAULT_DB_ALIAS].settings_dict
    identity = "|".join(str(database.get(key) or "") for key in ("ENGINE", "HOST", "PORT", "NAME"))
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def run(installation_id: str, function: str, *args: Any) -> Any:
    """What a worker runs: ``function(*args)``, if the job is this installation's."""
    if installation_id != installation():
        raise WrongInstallation(
            f"Job for installation {installation_id} reached {installation()}: give each "
            "council its own Redis database (REDIS_URL ending /1, /2 ...)"
        )
    module, _, name = function.rpartition(".")
    return getattr(import_module(module), name)(*args)


def enqueue(function: str, *args: Any, at: dt.datetime | None = None) -> bool:
    """Queue ``function(*args)`` (a dotted path) for a worker now, or at a time (the
    worker must run with ``--with-scheduler``). False if Redis could not take it: the
    work stays in the database for the sweep to find (see earlyhelp.core.cron)."""
    try:
        if at is None:
            _queue().enqueue(RUN, installation(), function, *args)
        else:
            _queue().enqueue_at(at, RUN, installation(), function, *args)
    except RedisError:
        log.exception("Could not queue %s%r; the sweep will pick it up", function, args)
        return False
    return True


def enqueue_on_commit(function: str, *args: Any, using: str = DEFAULT_DB_ALIAS) -> None:
    """Queue ``function(*args)`` once the current transaction commits (at once if there
    is none); does nothing unless JOBS_BACKEND=rq."""
    if rq_enabled():
        transaction.on_commit(partial(enqueue, function, *args), using=using)


SCHEDULED_REPORTS_JOB = "earlyhelp.core.jobs.scheduled_reports_job"


def scheduled_reports_job(today: str | None = None) -> int:
    """Generate the last complete quarter's governance reports not made yet (a run that
    finds them made does nothing); ``today`` as YYYY-MM-DD. Returns how many it made."""
    from earlyhelp.reporting.services import run_scheduled_reports

    made = run_scheduled_reports(today=dt.date.fromisoformat(today) if today else None)
    return len(made)
