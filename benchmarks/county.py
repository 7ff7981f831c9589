"""Server time and SQL queries of the pages staff use all day, on a generated county.

    createdb -h 127.0.0.1 -U postgres earlyhelp_county
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/earlyhelp_county \\
        .venv/bin/python benchmarks/county.py --years 10 --cases-per-year 10000
    # later runs on the same database, without generating it again:
    DATABASE_URL=... .venv/bin/python benchmarks/county.py --reuse

Without --reuse the database must be empty: the script migrates it, loads the
Lancashire configuration and runs ``manage.py generate_county`` (the same seed always
makes the same county). With --reuse it measures the county already there. With no
DATABASE_URL it builds a temporary SQLite file.

``--years 0.1 --cases-per-year 10000`` is a county's first weeks (1,000 cases, the same
staff); ``--years 10`` is its tenth year (100,000 cases). Each page is requested in-process
through Django's test client as the demo user who would use it, and the script prints a
Markdown table: median and 95th percentile server time and the number of SQL queries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))
SEARCH = "/families/people/search/"


def build_or_reuse(*, reuse: bool, years: float, cases_per_year: int, seed: int, as_of) -> str:
    """Generate the county unless --reuse finds one; a line saying which."""
    from io import StringIO

    from django.core.management import call_command
    from pages import _has_tables

    from earlyhelp.cases.models import Case
    from earlyhelp.workforce.demo import demo_data_loaded

    quiet = StringIO()
    if reuse and _has_tables():
        # A county generated before the latest migrations is brought up to date first.
        call_command("migrate", verbosity=0, stdout=quiet)
        if demo_data_loaded():
            return f"reusing the county already generated ({Case.objects.count():,} cases)"
    if _has_tables():
        raise SystemExit(
            "The benchmark needs an empty database, or --reuse with a generated county."
        )
    call_command("migrate", verbosity=0, stdout=quiet)
    call_command(
        "load_configuration", str(ROOT / "configuration" / "lancashire.yaml"), stdout=quiet
    )
    call_command("load_outreach_lists", stdout=quiet)  # Talkzone's topics and hours
    started = time.perf_counter()
    call_command(
        "generate_county",
        years=years,
        cases_per_year=cases_per_year,
        seed=seed,
        as_of=as_of,
        stdout=quiet,
    )
    return f"generated {Case.objects.count():,} cases in {time.perf_counter() - started:.0f} s"


def county_pages() -> list[tuple[str, str, str]]:
    """(label, user's email, path) of each page issue 9 lists."""
    from urllib.parse import urlencode

    from earlyhelp.accounts.roles import Role
    from earlyhelp.cases.models import Case
    from earlyhelp.people.models import Person
    from earlyhelp.workforce.demo import demo_email
    from earlyhelp.workforce.models import Team

    worker = demo_email(Role.KEY_WORKER)
    manager = demo_email(Role.OPERATIONS_DELIVERY_LEADER)
    case = (
        Case.objects.filter(key_worker__email=worker)
        .exclude(status="closed")
        .order_by("-allocated_at")
        .first()
    )
    if case is None:
        raise SystemExit("The demo key worker holds no open case: generate more cases.")
    team = Team.objects.get(manager__email=manager)
    person = (
        Person.objects.filter(memberships__family=case.family, date_of_birth__isnull=False)
        .order_by("pk")
        .first()
    )
    born = person.date_of_birth
    by_name_and_birth = urlencode(
        {
            "name": f"{person.first_name} {person.last_name}",
            "date_of_birth_day": born.day,
            "date_of_birth_month": born.month,
            "date_of_birth_year": born.year,
        }
    )
    # A close spelling: the last name with its last letter doubled.
    misspelt = urlencode({"name": f"{person.first_name} {person.last_name}{person.last_name[-1]}"})
    return [
        ("RfS queue (team leader)", manager, "/requests/"),
        ("My caseload (key worker)", worker, "/cases/"),
        ("Case page (key worker)", worker, f"/cases/{case.pk}/"),
        ("Task list (key worker)", worker, "/tasks/"),
        ("Team view (team leader)", manager, f"/workforce/teams/{team.pk}/"),
        ("Person search, name + date of birth", worker, f"{SEARCH}?{by_name_and_birth}"),
        ("Person search, close spelling", worker, f"{SEARCH}?{misspelt}"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=float, default=1)
    parser.add_argument("--cases-per-year", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 27))
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--reuse", action="store_true", help="Measure the county already in the database"
    )
    args = parser.parse_args()

    from pages import _measure, _setup_database

    with tempfile.TemporaryDirectory() as tmp:
        sqlite = None if os.environ.get("DATABASE_URL") else Path(tmp) / "county.sqlite3"
        _setup_database(sqlite)
        from django.conf import settings
        from django.db import connection

        # Static files from the finders: the benchmark needs no collectstatic manifest.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        from django.test import Client

        from earlyhelp.accounts.models import User

        how = build_or_reuse(
            reuse=args.reuse,
            years=args.years,
            cases_per_year=args.cases_per_year,
            seed=args.seed,
            as_of=args.as_of,
        )
        print(f"{connection.vendor}: {how}; {args.repeat} requests a page\n")
        print("| page | median ms | p95 ms | SQL queries |")
        print("| --- | ---: | ---: | ---: |")
        clients: dict[str, Client] = {}
        for label, email, path in county_pages():
            if email not in clients:
                clients[email] = Client()
                clients[email].force_login(User.objects.get(email=email))
            median, p95, queries = _measure(clients[email], path, args.repeat)
            print(f"| {label} | {median:.1f} | {p95:.1f} | {queries} |", flush=True)


if __name__ == "__main__":
    main()
