"""Server time and SQL queries of the outcomes figures over a large cohort: the cohort
outcomes and Star pages, the cases behind a figure, and the selectors the dashboard
calls, on a fresh database.

    .venv/bin/python benchmarks/outcomes.py --cases 10000 [--repeat 5]

It builds its own database (a temporary SQLite file unless DATABASE_URL names an empty
database), loads the Lancashire configuration and the synthetic demo set with its cases
and demo outcomes, then copies those cases (each with its Request for Support, plan
actions and Star readings, scores varied) until there are ``--cases`` of them, and
measures each page in-process as the head of service (service-wide figures), printing a
Markdown table: median and 95th percentile server time and SQL queries per request.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from harness import measure, percentiles, use_benchmark_settings  # noqa: E402


def _time(call, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return percentiles(times)


def _grow(target: int, rng: random.Random) -> int:
    """Copy the demo's cases (request, case, actions, readings) until there are target."""
    from django.db import transaction

    from earlyhelp.cases.models import Case, PlanAction, StarReading
    from earlyhelp.people.models import Family
    from earlyhelp.referrals.models import RequestForSupport

    templates = list(
        Case.objects.filter(star_readings__isnull=False).distinct().select_related("request")
    )
    if not templates:
        raise SystemExit("The demo set has no case with a Star reading to copy")
    actions = {}
    for action in PlanAction.objects.filter(case__in=templates):
        actions.setdefault(action.case_id, []).append(action)
    readings = {}
    for reading in StarReading.objects.filter(case__in=templates):
        readings.setdefault(reading.case_id, []).append(reading)
    made = Case.objects.count()
    while made < target:
        batch = templates[: min(len(templates), target - made)]
        with transaction.atomic():
            # Each copy is a new family, so that families counted once still count.
            families = []
            for case in batch:
                family = Family.objects.get(pk=case.family_id)
                family.pk = None
                families.append(family)
            families = Family.objects.bulk_create(families)
            requests = []
            for case, family in zip(batch, families, strict=True):
                request = RequestForSupport.objects.get(pk=case.request_id)
                request.pk, request.family = None, family
                requests.append(request)
            requests = RequestForSupport.objects.bulk_create(requests)
            copies = []
            for case, request, family in zip(batch, requests, families, strict=True):
                copy = Case.objects.get(pk=case.pk)
                copy.pk, copy.request, copy.family = None, request, family
                copies.append(copy)
            copies = Case.objects.bulk_create(copies)
            new_actions, new_readings = [], []
            for case, copy in zip(batch, copies, strict=True):
                for action in actions.get(case.pk, []):
                    action.pk, action.case = None, copy
                    action.status = rng.choice(["achieved", "in_progress", "not_achieved"])
                    new_actions.append(action)
                for reading in readings.get(case.pk, []):
                    reading.pk, reading.case = None, copy
                    reading.scores = {
                        k: max(1, min(10, v + rng.randint(-2, 2)))
                        for k, v in reading.scores.items()
                    }
                    new_readings.append(reading)
            PlanAction.objects.bulk_create(new_actions)
            StarReading.objects.bulk_create(new_readings)
        made += len(batch)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--families", type=int, default=120)
    parser.add_argument("--staff", type=int, default=160)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=5)
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
        from django.db import connection, transaction
        from django.test import Client

        from earlyhelp.accounts.models import User
        from earlyhelp.accounts.roles import Role
        from earlyhelp.cases.demo import seed_casework
        from earlyhelp.cases.models import Case, StarReading
        from earlyhelp.outcomes import selectors
        from earlyhelp.outcomes.demo import seed_outcomes
        from earlyhelp.people.models import Family
        from earlyhelp.workforce.demo import seed_demo

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command(
            "load_configuration", str(ROOT / "configuration" / "lancashire.yaml"), stdout=StringIO()
        )
        seed_demo(families=args.families, staff=args.staff, seed=args.seed)
        families = list(
            Family.objects.filter(is_synthetic=True)
            .select_related("team__manager", "key_worker")
            .order_by("pk")
        )
        with transaction.atomic():
            seed_casework(families=families, seed=args.seed)
            seed_outcomes(seed=args.seed)
        cases = _grow(args.cases, random.Random(args.seed))
        built = time.perf_counter() - started
        head = User.objects.filter(groups__name=Role.HEAD_OF_SERVICE.value).first()
        client = Client()
        client.force_login(head)
        print(
            f"{connection.vendor}: {cases:,} cases, "
            f"{StarReading.objects.count():,} Star readings, built in {built:.0f} s\n"
        )
        print("| measure | median ms | p95 ms | queries |")
        print("| --- | ---: | ---: | ---: |")
        pages = [
            ("Cohort outcomes page", "/outcomes/"),
            ("Cohort Star page", "/outcomes/star/"),
            ("Cases behind a figure (page 1)", "/outcomes/cases/?figure=improving-routines"),
            ("API: cohort outcomes", "/api/v1/outcomes/cohort"),
            ("API: cohort Star", "/api/v1/outcomes/cohort/star"),
        ]
        case_id = Case.objects.filter(star_readings__kind="review").values("pk").first()["pk"]
        pages.append(("Case outcomes and radar chart", f"/outcomes/case/{case_id}/"))
        for label, path in pages:
            median, p95, queries = measure(client, path, args.repeat)
            print(f"| {label} | {median:.0f} | {p95:.0f} | {queries} |")
        filters = selectors.CohortFilters()
        for label, call in (
            (
                "selector cohort_outcomes",
                lambda: selectors.cohort_outcomes(user=head, filters=filters),
            ),
            ("selector cohort_star", lambda: selectors.cohort_star(user=head, filters=filters)),
        ):
            median, p95 = _time(call, args.repeat)
            print(f"| {label} | {median:.0f} | {p95:.0f} | |")


if __name__ == "__main__":
    main()
