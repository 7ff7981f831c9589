"""Generate the last complete quarter's governance reports for every locality and the
county, once each (a second run the same quarter does nothing). Run it daily from cron
or a systemd timer; see the README. With Redis workers (JOBS_BACKEND=rq) it queues the
run for a worker instead, unless told --here (``manage.py rqcron earlyhelp.core.cron``
queues it daily by itself)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from earlyhelp.core import jobs
from earlyhelp.reporting.services import run_scheduled_reports


class Command(BaseCommand):
    help = "Generate the last complete quarter's governance reports not yet generated."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD)")
        parser.add_argument(
            "--here",
            action="store_true",
            help="Generate them in this process even when Redis workers are configured",
        )

    def handle(self, *args, **options) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today must be a date like 2026-10-01") from error
        if jobs.rq_enabled() and not options["here"]:
            day = today.isoformat() if today else None
            if not jobs.enqueue(jobs.SCHEDULED_REPORTS_JOB, day):
                raise CommandError("Redis did not take the job; run again, or with --here")
            self.stdout.write("Queued the scheduled reports for a worker")
            return
        made = run_scheduled_reports(today=today)
        for report in made:
            self.stdout.write(f"Generated {report} ({report.size:,} bytes)")
        self.stdout.write(f"{len(made)} report(s) generated")
