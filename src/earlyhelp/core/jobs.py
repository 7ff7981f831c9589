"""Background work on Redis workers (RQ), when JOBS_BACKEND=rq.

A job carries only ids and plain values; the worker reads the rows and claims them in
the database, so a job that runs twice, or after a restart, does the work once. Jobs are
queued when the transaction that asks for them commits, never before: a rolled-back
change queues nothing, and a worker never looks for a row that is not there yet.

With the default backend (``database``) nothing is queued here: ``manage.py
process_outbox --loop`` and cron find the work in the database instead.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from redis.exceptions import RedisError

from earlyhelp.config.scaling import JOBS_RQ

log = logging.getLogger(__name__)

QUEUE = "default"


def rq_enabled() -> bool:
    """True when background work goes to Redis workers."""
    return settings.JOBS_BACKEND == JOBS_RQ


def _queue():
    import django_rq

    return django_rq.get_queue(QUEUE)


def enqueue(function: str, *args: Any, at: dt.datetime | None = None) -> bool:
    """Queue ``function(*args)`` (a dotted path) for a worker now, or at a time (the
    worker must run with ``--with-scheduler``). False if Redis could not take it: the
    work stays in the database for the sweep to find (see earlyhelp.core.cron)."""
    try:
        if at is None:
            _queue().enqueue(function, *args)
        else:
            _queue().enqueue_at(at, function, *args)
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
