"""Server time and SQL queries of the centre pages (the programme, the specification
check over the whole county, a run and its register) on a fresh database.

    .venv/bin/python benchmarks/centres.py --families 120 --staff 160 [--repeat 15]

It builds its own database (a temporary SQLite file unless DATABASE_URL names an empty
database), loads the Lancashire configuration, the synthetic demo set, the 56 centres and
their demo week (452 sessions, four weeks delivered, group runs with registers), then
requests each page in-process as the demo user who would use it, and prints a Markdown
table: median and 95th percentile server time and SQL queries per request.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from harness import measure, use_benchmark_settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=120)
    parser.add_argument("--staff", type=int, default=160)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        if not os.environ.get("DATABASE_URL"):
            os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        use_benchmark_settings()
        import django

        django.setup()
        from django.conf import settings

        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from earlyhelp.accounts.models import User
        from earlyhelp.accounts.roles import Role
        from earlyhelp.centres.models import Centre, GroupRun, ProgrammeSession
        from earlyhelp.workforce.demo import demo_email

        if "audit_auditevent" in connection.introspection.table_names():
            raise SystemExit("The benchmark needs an empty database: create a new one for it.")
        quiet = StringIO()
        started = time.perf_counter()
        call_command("migrate", verbosity=0, stdout=quiet)
        call_command(
            "load_configuration", str(ROOT / "configuration" / "lancashire.yaml"), stdout=quiet
        )
        call_command(
            "seed_demo", families=args.families, staff=args.staff, seed=args.seed, stdout=quiet
        )
        call_command("load_centres", demo=True, seed=args.seed, stdout=quiet)
        built = time.perf_counter() - started
        print(
            f"{connection.vendor}, {args.families} families, {args.staff} staff, "
            f"{Centre.objects.count()} centre buildings, {ProgrammeSession.objects.count()} "
            f"weekly sessions (built in {built:.1f} s), {args.repeat} requests a page\n"
        )
        enhanced = Centre.objects.filter(offer__code="enhanced").order_by("pk").first()
        run = GroupRun.objects.order_by("pk").first()
        register = run.sessions.filter(register_taken_at__isnull=False).order_by("number").first()
        register_url = f"/centres/group-sessions/{register.pk}/register/"
        head = demo_email(Role.HEAD_OF_SERVICE)
        outreach = demo_email(Role.OUTREACH_WORKER)
        pages = [
            ("Centres by district", outreach, "/centres/"),
            ("Enhanced centre's week", head, f"/centres/{enhanced.pk}/"),
            ("Specification check, county", head, "/centres/check/"),
            ("Group programmes", outreach, "/centres/programmes/"),
            ("Group run", outreach, f"/centres/runs/{run.pk}/"),
            ("Register (outreach worker)", outreach, register_url),
            ("API: centres", head, "/api/v1/centres"),
            ("API: specification check", head, "/api/v1/centres/check"),
        ]  # fmt: skip
        print("| page | median ms | p95 ms | SQL queries |")
        print("| --- | ---: | ---: | ---: |")
        clients: dict[str, Client] = {}
        for label, email, path in pages:
            if email not in clients:
                clients[email] = Client()
                clients[email].force_login(User.objects.get(email=email))
            median, p95, queries = measure(clients[email], path, args.repeat)
            print(f"| {label} | {median:.1f} | {p95:.1f} | {queries} |")


if __name__ == "__main__":
    main()
