"""Generate a quarterly governance report for a locality or the county into a file:

manage.py generate_governance_report --locality central --quarter 2026Q3 --format pdf \
    --output report.pdf
manage.py generate_governance_report --county --quarter 2026Q3 --format xlsx \
    --output county.xlsx
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from earlyhelp.configuration.models import Locality
from earlyhelp.domain import performance as rules
from earlyhelp.reporting.models import ReportFormat
from earlyhelp.reporting.services import ScheduledRunUser, render_report


class Command(BaseCommand):
    help = "Generate a quarterly governance report (PDF or XLSX) for a locality or the county."

    def add_arguments(self, parser) -> None:
        place = parser.add_mutually_exclusive_group(required=True)
        place.add_argument("--locality", help="The locality's code")
        place.add_argument("--county", action="store_true", help="Every locality")
        parser.add_argument("--quarter", required=True, help="For example 2026Q3")
        parser.add_argument("--format", required=True, choices=[f.value for f in ReportFormat])
        parser.add_argument("--output", required=True, help="The file to write")

    def handle(self, *args, **options) -> None:
        try:
            quarter = rules.parse_quarter(options["quarter"])
        except rules.BadQuarter as error:
            raise CommandError(str(error)) from error
        locality = None
        if options["locality"]:
            locality = Locality.objects.filter(code=options["locality"]).first()
            if locality is None:
                codes = ", ".join(Locality.objects.values_list("code", flat=True))
                raise CommandError(f"No locality {options['locality']!r}; known: {codes}")
        content = render_report(
            user=ScheduledRunUser(),
            locality=locality,
            quarter=quarter,
            report_format=options["format"],
        )
        output = Path(options["output"])
        output.write_bytes(content)
        self.stdout.write(f"Wrote {output} ({len(content):,} bytes)")
