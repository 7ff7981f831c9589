"""Server time and SQL queries of the outreach, Talkzone and reach pages, and the time of
the reach report itself, on a fresh database of a given size.

    .venv/bin/python benchmarks/outreach.py --families 120 --staff 160 [--repeat 15]
    .venv/bin/python benchmarks/outreach.py --families 1000 --staff 300
    DATABASE_URL=sqlite:///var/bench-outreach.sqlite3 .venv/bin/python \
        benchmarks/outreach.py --families 1000 --staff 300 --reuse  # build once, rerun

It builds its own database (a temporary SQLite file unless DATABASE_URL names an empty
database), loads the Lancashire configuration, the synthetic demo set with its casework,
the centres and their demo week where the centres app is there, and the outreach demo
(six weeks of sessions in every district, four weeks of Talkzone contacts, six weeks of
rota), then requests each page in-process as the demo user who would use it. It prints
a Markdown table: median and 95th percentile server time and SQL queries per request,
then the reach report's time over 90 and 365 days.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from harness import measure, percentiles, use_benchmark_settings  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))


def _build(families: int, staff: int, seed: int) -> None:
    from django.apps import apps
    from django.core.management import call_command

    quiet = StringIO()
    call_command("migrate", verbosity=0, stdout=quiet)
    call_command(
        "load_configuration", str(ROOT / "configuration" / "lancashire.yaml"), stdout=quiet
    )
    call_command("seed_demo", families=families, staff=staff, seed=seed, stdout=quiet)
    if apps.is_installed("earlyhelp.centres"):
        call_command("load_centres", demo=True, seed=seed, stdout=quiet)
    call_command("load_outreach_lists", demo_seed=seed, stdout=quiet)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=120)
    parser.add_argument("--staff", type=int, default=160)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Measure the database DATABASE_URL names as it is, if this script built it before",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        if not os.environ.get("DATABASE_URL"):
            os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        use_benchmark_settings()
        import django

        django.setup()
        from django.conf import settings

        # Static files from the finders: the benchmark needs no collectstatic manifest.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        from django.db import connection
        from django.test import Client
        from django.utils import timezone

        from earlyhelp.accounts.models import User
        from earlyhelp.accounts.roles import Role
        from earlyhelp.outreach.models import OutreachSession, TalkzoneContact, TalkzoneShift
        from earlyhelp.outreach.reach import reach_report
        from earlyhelp.people.models import Family
        from earlyhelp.workforce.demo import demo_email

        has_tables = "audit_auditevent" in connection.introspection.table_names()
        if has_tables and not args.reuse:
            raise SystemExit("The benchmark needs an empty database: create a new one for it.")
        started = time.perf_counter()
        if not has_tables:
            _build(args.families, args.staff, args.seed)
        built = time.perf_counter() - started
        print(
            f"{connection.vendor}, {Family.objects.count()} families, "
            f"{OutreachSession.objects.count()} sessions, {TalkzoneContact.objects.count()} "
            f"Talkzone contacts, {TalkzoneShift.objects.count()} shifts "
            f"(built in {built:.1f} s), {args.repeat} requests a page\n"
        )
        head = demo_email(Role.HEAD_OF_SERVICE)
        outreach = demo_email(Role.OUTREACH_WORKER)
        talkzone = demo_email(Role.TALKZONE_WORKER)
        pages = [
            ("Outreach sessions (head of service)", head, "/outreach/"),
            ("Record a session (outreach worker)", outreach, "/outreach/new/"),
            ("Areas served, 180 days", head, "/outreach/areas/"),
            ("Reach, 90 days", head, "/outreach/reach/"),
            ("Talkzone log (Talkzone worker)", talkzone, "/talkzone/"),
            ("Talkzone rota and coverage", talkzone, "/talkzone/rota/"),
            ("API: sessions", head, "/api/v1/outreach/sessions"),
            ("API: contacts", head, "/api/v1/talkzone/contacts"),
            ("API: reach", head, "/api/v1/outreach/reach"),
        ]
        print("| page | median ms | p95 ms | SQL queries |")
        print("| --- | ---: | ---: | ---: |")
        clients: dict[str, Client] = {}
        for label, email, path in pages:
            if email not in clients:
                clients[email] = Client()
                clients[email].force_login(User.objects.get(email=email))
            median, p95, queries = measure(clients[email], path, args.repeat)
            print(f"| {label} | {median:.1f} | {p95:.1f} | {queries} |")

        print("\n| reach report | median ms | p95 ms | people reached |")
        print("| --- | ---: | ---: | ---: |")
        today = timezone.localdate()
        for days in (90, 365):
            times, people = [], 0
            for _ in range(args.repeat):
                started = time.perf_counter()
                report = reach_report(since=today - dt.timedelta(days=days - 1), until=today)
                times.append((time.perf_counter() - started) * 1000)
                people = report.total.people
            median, p95 = percentiles(times)
            print(f"| {days} days, county | {median:.1f} | {p95:.1f} | {people} |")


if __name__ == "__main__":
    main()
