"""The timetable of background work on Redis workers (JOBS_BACKEND=rq), run by
``manage.py run_job_timetable``, one process per installation.

Without Redis the same work is done by ``manage.py process_outbox --loop`` and a daily
``manage.py run_scheduled_reports`` from cron or a systemd timer (see the README)."""

from __future__ import annotations

from rq.cron import CronScheduler

from earlyhelp.core.jobs import QUEUE, SCHEDULED_REPORTS_JOB, installation, run

# Each message is queued for a worker when its transaction commits; the sweep sends
# any that Redis did not take (unreachable at that moment, or flushed since).
OUTBOX_SWEEP_SECONDS = 300
OUTBOX_SWEEP_JOB = "earlyhelp.outbox.jobs.send_due_messages_job"
# Daily: the first run after a quarter ends makes its reports, the rest find them made.
SCHEDULED_REPORTS_CRON = "30 6 * * *"


def register_timetable(scheduler: CronScheduler) -> None:
    """Put the outbox sweep and the daily scheduled reports on the scheduler."""
    here = installation()
    scheduler.register(run, QUEUE, args=(here, OUTBOX_SWEEP_JOB), interval=OUTBOX_SWEEP_SECONDS)
    scheduler.register(run, QUEUE, args=(here, SCHEDULED_REPORTS_JOB), cron=SCHEDULED_REPORTS_CRON)
