"""The outbox's Redis-worker jobs (JOBS_BACKEND=rq). Each carries a message id only;
``attempt_send`` claims the row, so a job run twice sends once. A worker killed in the
middle of a job leaves the message QUEUED (its transaction rolls back) and RQ marks the
job abandoned, not retried: the timetable's sweep sends the message within five
minutes."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from earlyhelp.core import jobs
from earlyhelp.outbox.services import SEND_JOB, Outcome, attempt_send, send_due_messages

# Worker and scheduler clocks may run a little apart from the one that set the time.
CLOCK_TOLERANCE = dt.timedelta(seconds=5)


def send_queued_message(message_id: int) -> str:
    """Send one message if it is queued and due; if the mail server refuses it, queue
    the retry for when it is next due (the back-off of ``retry_delay``)."""
    attempt = attempt_send(message_id, due_by=timezone.now() + CLOCK_TOLERANCE)
    if attempt.outcome is Outcome.RETRY and attempt.retry_at is not None:
        jobs.enqueue(SEND_JOB, message_id, at=attempt.retry_at)
    return attempt.outcome.value


def send_due_messages_job() -> int:
    """The sweep: send whatever is due that no job carried (Redis was unreachable when
    its transaction committed, or lost its queue)."""
    return send_due_messages()
