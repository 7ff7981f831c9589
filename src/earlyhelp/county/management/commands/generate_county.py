import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from earlyhelp.county.generator import CountyDataError, generate_county


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--as-of must be a date like 2026-04-01, not {value!r}") from error


class Command(BaseCommand):
    help = (
        "Generate a county's years of synthetic casework (staff, families, people, "
        "Requests for Support, cases, contacts, reviews, Outcomes Star readings, tasks) "
        "in bulk, for speed tests. Needs an empty database with the configuration loaded "
        "(manage.py load_configuration configuration/lancashire.yaml)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--years", type=float, default=1, help="Years of casework (0.1: the first weeks)"
        )
        parser.add_argument(
            "--cases-per-year", type=int, default=10_000, help="Requests for Support a year"
        )
        parser.add_argument("--seed", type=int, default=2026, help="Same seed, same data")
        parser.add_argument(
            "--as-of", type=_date, default=None, help="The last day of the records (today)"
        )

    def handle(self, *args, years, cases_per_year, seed, as_of, **options):
        as_of = as_of or timezone.localdate()
        self.stdout.write(
            f"Generating {years:g} year(s) x {cases_per_year} cases a year, seed {seed}, "
            f"up to {as_of}, on {connection.vendor}"
        )
        try:
            summary = generate_county(
                years=years,
                cases_per_year=cases_per_year,
                seed=seed,
                as_of=as_of,
                progress=self.stdout.write,
            )
        except CountyDataError as error:
            raise CommandError(str(error)) from error
        for name, count in summary.counts.items():
            self.stdout.write(f"  {name:<22} {count:>10,}")
        self.stdout.write(self.style.SUCCESS(f"Generated in {summary.seconds:.1f} s"))
