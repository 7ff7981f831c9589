"""Queue the timetabled background work for the Redis workers (JOBS_BACKEND=rq): the
outbox sweep every five minutes and the scheduled reports daily. Run one per
installation beside ``manage.py rqworker default --with-scheduler``.

RQ's scheduler is used directly: django-rq's ``rqcron`` does not accept the job
definitions of the RQ version installed here."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from rq.cron import CronScheduler

from earlyhelp.core import jobs
from earlyhelp.core.cron import register_timetable


class Command(BaseCommand):
    help = "Queue the outbox sweep and the scheduled reports for the Redis workers, on time."

    def handle(self, *args, **options) -> None:
        if not jobs.rq_enabled():
            raise CommandError(
                "Background work is not on Redis workers (JOBS_BACKEND=rq); use "
                "process_outbox --loop and a daily run_scheduled_reports instead"
            )
        import django_rq

        scheduler = CronScheduler(connection=django_rq.get_connection(jobs.QUEUE))
        register_timetable(scheduler)
        self.stdout.write(f"Queueing {len(scheduler.get_jobs())} timetabled jobs")
        scheduler.start()
