"""Troubled Families claims: the pure claim rules over many families, and the server time
and SQL queries of the claims pages and API with every open demo case attached.

    .venv/bin/python benchmarks/claims.py --families 120 --staff 160 [--repeat 15]
    .venv/bin/python benchmarks/claims.py --families 1000 --staff 300 --rules 20000

First, without a database, it assesses ``--rules`` synthetic attached families against
the Troubled Families framework (two or three needs with progress, sustained evidence
and a regression for some, a spell of work for a third). Then it builds its own database
(a temporary SQLite file unless DATABASE_URL names an empty database): the Lancashire
configuration, the synthetic demo set with its casework and the claim frameworks with
their demo, and attaches every other open demo case with progress (directly through the
ORM, to keep the build short). It requests each page as the demo head of service and
prints a Markdown table: median and 95th percentile server time and SQL queries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from harness import measure, use_benchmark_settings  # noqa: E402


def _rules(count: int, seed: int) -> tuple[float, int]:
    """Seconds to assess ``count`` synthetic families, and how many have a claim due."""
    import yaml

    from earlyhelp.domain.claims import (
        EmploymentEpisode,
        ProgressEntry,
        ProgressStatus,
        add_months,
        assess_claim,
        framework_from_mapping,
    )

    path = ROOT / "src" / "earlyhelp" / "claims" / "frameworks" / "troubled_families_phase2.yaml"
    framework = framework_from_mapping(yaml.safe_load(path.read_text()))
    rng = random.Random(seed)
    codes = [n.code for n in framework.needs]
    today = dt.date(2026, 11, 30)
    families = []
    for index in range(count):
        attached = today - dt.timedelta(days=rng.randint(30, 900))
        needs = rng.sample(codes, rng.choice((2, 2, 3)))
        progress = []
        for need in needs:
            start = attached + dt.timedelta(days=rng.randint(5, 120))
            progress.append(ProgressEntry(need, start, ProgressStatus.PROGRESS, "seen"))
            if rng.random() < 0.2:
                progress.append(
                    ProgressEntry(need, start + dt.timedelta(days=40), ProgressStatus.REGRESSED)
                )
            progress.append(
                ProgressEntry(need, add_months(start, 6), ProgressStatus.SUSTAINED, "still")
            )
        episodes = []
        if index % 3 == 0:
            begin = attached + dt.timedelta(days=rng.randint(0, 200))
            episodes.append(EmploymentEpisode(index, begin, begin + dt.timedelta(days=150)))
            episodes.append(EmploymentEpisode(index, begin + dt.timedelta(days=170)))
        families.append((attached, needs, progress, episodes))
    started = time.perf_counter()
    due = sum(
        assess_claim(
            framework,
            attached_on=attached,
            needs=needs,
            progress=progress,
            episodes=episodes,
            as_of=today,
        ).due
        for attached, needs, progress, episodes in families
    )
    return time.perf_counter() - started, due


def _attach_every_open_case(seed: int) -> int:
    """Attach each open demo case not yet attached, with progress, through the ORM."""
    from django.utils import timezone

    from earlyhelp.cases.models import Case, Status
    from earlyhelp.claims.models import Attachment, IdentifiedNeed, NeedProgress
    from earlyhelp.claims.selectors import active_framework, current_needs
    from earlyhelp.domain.claims import add_months

    framework = active_framework()
    needs = current_needs(framework)
    rng = random.Random(seed)
    today = timezone.localdate()
    attached = set(Attachment.objects.values_list("family_id", flat=True))
    cases = Case.objects.exclude(status=Status.CLOSED).exclude(family_id__in=attached)
    made = 0
    for case in cases.select_related("key_worker").order_by("pk"):
        attached_on = today - dt.timedelta(days=rng.randint(30, 400))
        attachment = Attachment.objects.create(
            family_id=case.family_id,
            framework=framework,
            case=case,
            attached_on=attached_on,
            recorded_by=case.key_worker,
        )
        identified = IdentifiedNeed.objects.bulk_create(
            IdentifiedNeed(attachment=attachment, need=need, evidence="At assessment")
            for need in rng.sample(needs, 2)
        )
        progress_on = attached_on + dt.timedelta(days=10)
        rows = []
        for need in identified:
            rows.append(
                NeedProgress(
                    identified_need=need,
                    recorded_on=progress_on,
                    status="progress",
                    evidence="Seen",
                    recorded_by=case.key_worker,
                )
            )
            if add_months(progress_on, 6) <= today:
                rows.append(
                    NeedProgress(
                        identified_need=need,
                        recorded_on=add_months(progress_on, 6),
                        status="sustained",
                        evidence="Still",
                        recorded_by=case.key_worker,
                    )
                )
        NeedProgress.objects.bulk_create(rows)
        made += 1
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=120)
    parser.add_argument("--staff", type=int, default=160)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--rules", type=int, default=10000)
    args = parser.parse_args()

    seconds, due = _rules(args.rules, args.seed)
    print(
        f"Claim rules: {args.rules} families assessed in {seconds * 1000:.0f} ms "
        f"({seconds / args.rules * 1e6:.1f} µs each), {due} with a claim due\n"
    )

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
        from earlyhelp.claims.models import Attachment
        from earlyhelp.workforce.demo import demo_email

        if "audit_auditevent" in connection.introspection.table_names():
            raise SystemExit("The benchmark needs an empty database: create a new one for it.")
        started = time.perf_counter()
        quiet = StringIO()
        call_command("migrate", verbosity=0, stdout=quiet)
        call_command(
            "load_configuration", str(ROOT / "configuration" / "lancashire.yaml"), stdout=quiet
        )
        call_command(
            "seed_demo", families=args.families, staff=args.staff, seed=args.seed, stdout=quiet
        )
        call_command("load_claim_frameworks", demo=True, seed=args.seed, stdout=quiet)
        _attach_every_open_case(args.seed)
        built = time.perf_counter() - started
        print(
            f"{connection.vendor}, {args.families} families, {args.staff} staff, "
            f"{Attachment.objects.count()} attached (built in {built:.1f} s), "
            f"{args.repeat} requests a page\n"
        )
        client = Client()
        client.force_login(User.objects.get(email=demo_email(Role.HEAD_OF_SERVICE)))
        pages = [
            ("Programme progress", "/claims/"),
            ("Programme progress by team", "/claims/?by=team"),
            ("Attached families", "/claims/families/"),
            ("Families who look eligible", "/claims/eligible/"),
            ("Claims report (quarter)", "/claims/report/"),
            ("Claims report CSV", "/claims/report.csv"),
            ("Claims report XLSX", "/claims/report.xlsx"),
            ("API: attachments", "/api/v1/claims/attachments"),
            ("API: report", "/api/v1/claims/report"),
            ("API: programme progress", "/api/v1/claims/progress"),
        ]
        print("| page | median ms | p95 ms | SQL queries |")
        print("| --- | ---: | ---: | ---: |")
        for label, path in pages:
            median, p95, queries = measure(client, path, args.repeat)
            print(f"| {label} | {median:.1f} | {p95:.1f} | {queries} |")


if __name__ == "__main__":
    main()
