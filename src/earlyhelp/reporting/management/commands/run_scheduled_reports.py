"""Generate the last complete quarter's governance reports for every locality and the
county, once each (a second run the same quarter does nothing). Run it daily from cron
or a systemd timer; see the README."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from earlyhelp.reporting.services import run_scheduled_reports


class Command(BaseCommand):
    help = "Generate the last complete quarter's governance reports not yet generated."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD)")

    def handle(self, *args, **options) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today must be a date like 2026-10-01") from error
        made = run_scheduled_reports(today=today)
        for report in made:
            self.stdout.write(f"Generated {report} ({report.size:,} bytes)")
        self.stdout.write(f"{len(made)} report(s) generated")
