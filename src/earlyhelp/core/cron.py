"""The timetable of background work on Redis workers (JOBS_BACKEND=rq), for RQ's cron
scheduler: ``manage.py rqcron earlyhelp.core.cron``, one process per installation.

Without Redis the same work is done by ``manage.py process_outbox --loop`` and a daily
``manage.py run_scheduled_reports`` from cron or a systemd timer (see the README)."""

from __future__ import annotations

from rq import cron

from earlyhelp.core.jobs import QUEUE, scheduled_reports_job
from earlyhelp.outbox.jobs import send_due_messages_job

# Each message is queued for a worker when its transaction commits; the sweep sends
# any that Redis did not take (unreachable at that moment, or flushed since).
OUTBOX_SWEEP_SECONDS = 300

cron.register(send_due_messages_job, QUEUE, interval=OUTBOX_SWEEP_SECONDS)
# Daily: the first run after a quarter ends makes its reports, the rest find them made.
cron.register(scheduled_reports_job, QUEUE, cron="30 6 * * *")
