"""Time of the performance dashboard for a year and of the quarterly governance report
(PDF and XLSX), on a generated county.

    createdb -h 127.0.0.1 -U postgres earlyhelp_county
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/earlyhelp_county \\
        .venv/bin/python benchmarks/reporting.py --years 10 --cases-per-year 10000
    DATABASE_URL=... .venv/bin/python benchmarks/reporting.py --reuse   # county already there

The county is built (or reused) as benchmarks/county.py does. The dashboard is
requested in-process through Django's test client by the demo head of service, for the
whole county and for the demo locality, over the twelve months to --as-of; the
quarterly report is rendered through reporting.services.render_report for the last
whole quarter before --as-of. Prints a Markdown table: median and 95th percentile time
and the SQL queries. Goals (issue 7): dashboard under 2 s, the PDF under 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _time(call, repeat: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm caches and the template loader
    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, queries


def _last_quarter(as_of: dt.date):
    from earlyhelp.domain.performance import Quarter

    quarter = Quarter(as_of.year, (as_of.month - 1) // 3 + 1)
    return quarter.previous()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=float, default=1)
    parser.add_argument("--cases-per-year", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 27))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--reuse", action="store_true", help="Measure the county already in the database"
    )
    args = parser.parse_args()

    from pages import _setup_database

    with tempfile.TemporaryDirectory() as tmp:
        sqlite = None if os.environ.get("DATABASE_URL") else Path(tmp) / "county.sqlite3"
        _setup_database(sqlite)
        from django.conf import settings
        from django.db import connection
        from django.test import Client

        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        from county import build_or_reuse
        from earlyhelp.accounts.models import User
        from earlyhelp.accounts.roles import Role
        from earlyhelp.reporting.models import ReportFormat
        from earlyhelp.reporting.services import render_report
        from earlyhelp.workforce.demo import demo_email
        from earlyhelp.workforce.models import StaffMember

        how = build_or_reuse(
            reuse=args.reuse,
            years=args.years,
            cases_per_year=args.cases_per_year,
            seed=args.seed,
            as_of=args.as_of,
        )
        head = User.objects.get(email=demo_email(Role.HEAD_OF_SERVICE))
        locality = (
            StaffMember.objects.select_related("locality")
            .get(user__email=demo_email(Role.LOCALITY_MANAGER))
            .locality
        )
        client = Client()
        client.force_login(head)
        start = args.as_of - dt.timedelta(days=364)
        year = {"date_from": start.isoformat(), "date_to": args.as_of.isoformat()}
        quarter = _last_quarter(args.as_of)

        def page(params: dict):
            def call():
                response = client.get("/reports/", params)
                if response.status_code != 200:
                    raise SystemExit(f"/reports/ answered {response.status_code}")

            return call

        def report(report_format: str, place=None):
            def call():
                content = render_report(
                    user=head, locality=place, quarter=quarter, report_format=report_format
                )
                if not content:
                    raise SystemExit("The report came back empty")

            return call

        measured = [
            ("Dashboard, county, 12 months", page(year), args.repeat),
            (f"Dashboard, {locality.name}, 12 months", page({**year, "locality": locality.pk}),
             args.repeat),
            (f"Quarterly report PDF, county, {quarter.code}", report(ReportFormat.PDF),
             max(1, args.repeat // 2)),
            (f"Quarterly report XLSX, county, {quarter.code}", report(ReportFormat.XLSX),
             max(1, args.repeat // 2)),
        ]  # fmt: skip
        print(f"{connection.vendor}: {how}\n")
        print("| what | median ms | p95 ms | SQL queries |")
        print("| --- | ---: | ---: | ---: |")
        for label, call, repeat in measured:
            median, p95, queries = _time(call, repeat)
            print(f"| {label} | {median:.0f} | {p95:.0f} | {queries} |", flush=True)


if __name__ == "__main__":
    main()
