"""Server time and SQL queries of the main pages, on a fresh database of a given size.

    .venv/bin/python benchmarks/pages.py --families 120 --staff 160 [--repeat 20]
    createdb -h 127.0.0.1 -U postgres earlyhelp_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/earlyhelp_bench .venv/bin/python \
        benchmarks/pages.py --families 1000
    # the pages of issue 9 on a generated county (see county.py), measured again later
    DATABASE_URL=... .venv/bin/python benchmarks/pages.py --county --years 10
    DATABASE_URL=... .venv/bin/python benchmarks/pages.py --county --reuse [--explain]

It builds its own database (a temporary SQLite file unless DATABASE_URL names an empty
database), loads the Lancashire configuration and the
synthetic demo set, then requests each page in-process through Django's test client
as the demo user who would use it, and prints a Markdown table: median and 95th
percentile server time, and the number of SQL queries.

With --county it measures the pages of issue 9 (RfS queue, caseload, case page, task
list, team view, person search) on a county that ``generate_county`` makes, or with
--reuse on one generated before; --explain then prints, for each page, its slowest
queries with PostgreSQL's EXPLAIN (ANALYZE, BUFFERS).
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

from harness import explain_slowest, measure, measure_sql, use_benchmark_settings  # noqa: E402

_measure = measure  # the name county.py imports


def _setup_database(use_sqlite_file: Path | None) -> None:
    if use_sqlite_file is not None:
        os.environ["DATABASE_URL"] = f"sqlite:///{use_sqlite_file}"
    use_benchmark_settings()
    import django

    django.setup()
    from django.conf import settings

    # Static files from the finders: the benchmark needs no collectstatic manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _build(families: int, staff: int, seed: int) -> None:
    from io import StringIO

    from django.core.management import call_command

    quiet = StringIO()
    if _has_tables():
        raise SystemExit("The benchmark needs an empty database: create a new one for it.")
    call_command("migrate", verbosity=0, stdout=quiet)
    call_command(
        "load_configuration", str(ROOT / "configuration" / "lancashire.yaml"), stdout=quiet
    )
    call_command("seed_demo", families=families, staff=staff, seed=seed, stdout=quiet)


def _has_tables() -> bool:
    from django.db import connection

    return "audit_auditevent" in connection.introspection.table_names()


def _pages() -> list[tuple[str, str, str]]:
    """(label, role's demo email, path) of each page measured."""
    from earlyhelp.accounts.roles import Role
    from earlyhelp.people.models import Family
    from earlyhelp.workforce.demo import demo_email

    worker = demo_email(Role.KEY_WORKER)
    manager = demo_email(Role.OPERATIONS_DELIVERY_LEADER)
    family = Family.objects.filter(key_worker__email=worker).order_by("pk").first()
    pages = [
        ("Home (key worker)", worker, "/"),
        ("Families list (key worker)", worker, "/families/"),
        ("Family record (key worker)", worker, f"/families/{family.pk}/"),
        ("Families list (manager)", manager, "/families/"),
        ("API: me", worker, "/api/v1/me"),
        ("API: families", manager, "/api/v1/families"),
    ]
    optional = [
        ("RfS queue (manager)", manager, "/requests/"),
        ("My caseload (key worker)", worker, "/cases/"),
        ("Task list (key worker)", worker, "/tasks/"),
    ]
    from django.urls import Resolver404, resolve

    for label, email, path in optional:
        try:
            resolve(path)
        except Resolver404:
            continue
        pages.append((label, email, path))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=120)
    parser.add_argument("--staff", type=int, default=160)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=20)
    county = parser.add_argument_group("a generated county (issue 9's pages)")
    county.add_argument("--county", action="store_true", help="Measure issue 9's pages")
    county.add_argument("--years", type=float, default=10)
    county.add_argument("--cases-per-year", type=int, default=10000)
    county.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 27))
    county.add_argument("--reuse", action="store_true", help="Measure the county already there")
    county.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE each page's slowest queries"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        sqlite = None if os.environ.get("DATABASE_URL") else Path(tmp) / "bench.sqlite3"
        _setup_database(sqlite)
        from django.db import connection
        from django.test import Client

        from earlyhelp.accounts.models import User

        if args.county:
            from county import build_or_reuse, county_pages

            how = build_or_reuse(
                reuse=args.reuse,
                years=args.years,
                cases_per_year=args.cases_per_year,
                seed=args.seed,
                as_of=args.as_of,
            )
            pages = county_pages()
            print(f"{connection.vendor}: {how}; {args.repeat} requests a page\n")
        else:
            started = time.perf_counter()
            _build(args.families, args.staff, args.seed)
            built = time.perf_counter() - started
            pages = _pages()
            print(
                f"{connection.vendor}, {args.families} families, {args.staff} staff "
                f"(built in {built:.1f} s), {args.repeat} requests a page\n"
            )
        print("| page | median ms | p95 ms | SQL queries | of which in SQL: median ms |")
        print("| --- | ---: | ---: | ---: | ---: |")
        clients: dict[str, Client] = {}
        for label, email, path in pages:
            if email not in clients:
                clients[email] = Client()
                clients[email].force_login(User.objects.get(email=email))
            median, p95, queries, sql = measure_sql(clients[email], path, args.repeat)
            print(f"| {label} | {median:.1f} | {p95:.1f} | {queries} | {sql:.1f} |", flush=True)
        if args.explain:
            for label, email, path in pages:
                print(f"\n## {label}: {path}\n")
                print(explain_slowest(clients[email], path))


if __name__ == "__main__":
    main()
