"""Speed of allocation: the bulk proposal's solve and service call, and one request's
recommendations, on a fresh database built with bulk_create.

    .venv/bin/python benchmarks/allocation.py [--requests 1000] [--workers 300]
        [--open-cases 20000] [--repeat 10]

It migrates a temporary SQLite database (or an empty DATABASE_URL database), loads the
Lancashire configuration, then writes straight to the tables: one district (Preston)
with ``--workers`` key workers in three teams, holding part of the ``--open-cases``
open cases (the rest are held by workers of the other districts), specialisms and
languages on some workers, and ``--requests`` requests awaiting allocation in that
district, each about a family with a child. It then times:

- the domain's solve alone (``domain.allocation.propose``) on the inputs the selectors
  built, for the district (every worker eligible for every request: the largest
  network), and on the same numbers spread over 12 districts;
- the whole service call ``propose_bulk_allocation`` for the district (reading the
  queue and the workers, solving, saving the proposal and its lines, the audit event);
- ``recommendations_for`` one request (300 workers ranked with reasons), and the API's
  GET of the same list through Django's test client.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from harness import use_benchmark_settings  # noqa: E402


def _setup(sqlite: Path | None) -> None:
    if sqlite is not None:
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite}"
    use_benchmark_settings()
    import django

    django.setup()


def _build(n_requests: int, n_workers: int, n_open: int, seed: int) -> dict:
    from io import StringIO

    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from earlyhelp.accounts.models import User
    from earlyhelp.accounts.roles import Role
    from earlyhelp.cases.models import Case
    from earlyhelp.cases.models import Status as CaseStatus
    from earlyhelp.configuration.models import CaseType, District, Specialism
    from earlyhelp.people.models import Family, FamilyMember, Person
    from earlyhelp.referrals.models import RequestForSupport, RequestMember, Status
    from earlyhelp.workforce.models import Grade, StaffMember, Team

    if "audit_auditevent" in connection.introspection.table_names():
        raise SystemExit("The benchmark needs an empty database: create a new one for it.")
    quiet = StringIO()
    call_command("migrate", verbosity=0, stdout=quiet)
    call_command(
        "load_configuration", str(ROOT / "configuration" / "lancashire.yaml"), stdout=quiet
    )
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    districts = list(District.objects.order_by("pk"))
    home = next(d for d in districts if d.code == "preston")
    others = [d for d in districts if d.pk != home.pk]
    specialisms = list(Specialism.objects.all())
    case_types = list(CaseType.objects.all())
    key_worker = Group.objects.get(name=Role.KEY_WORKER)
    with transaction.atomic():
        head = User.objects.create(email="head@bench.test", first_name="Hana", last_name="Head")
        head.groups.add(Group.objects.get(name=Role.HEAD_OF_SERVICE))
        StaffMember.objects.create(user=head, job_title="Head", grade=Grade.G14, fte=1)
        teams = [Team.objects.create(name=f"Preston {i}", district=home) for i in range(3)]
        other_teams = [Team.objects.create(name=f"{d.name} team", district=d) for d in others]
        n_others = max(1, (n_open - n_workers * 12) // 16)
        users = User.objects.bulk_create(
            User(email=f"worker{i}@bench.test", first_name="Worker", last_name=f"{i:04d}")
            for i in range(n_workers + n_others)
        )
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=u.pk, group_id=key_worker.pk) for u in users
        )
        staff = StaffMember.objects.bulk_create(
            StaffMember(
                user=u,
                job_title="Key worker",
                grade=Grade.G6,
                fte=1,
                team=teams[i % 3] if i < n_workers else other_teams[i % len(other_teams)],
                languages=["urdu"] if i % 9 == 0 else [],
            )
            for i, u in enumerate(users)
        )
        StaffMember.specialisms.through.objects.bulk_create(
            StaffMember.specialisms.through(staffmember_id=s.pk, specialism_id=sp.pk)
            for s in staff
            for sp in rng.sample(specialisms, 2)
        )
        total_families = n_open + n_requests
        families = Family.objects.bulk_create(
            Family(
                name=f"Family{i}",
                district=home if i >= n_open or i < n_workers * 12 else rng.choice(others),
                postcode="PR1 2AB",
            )
            for i in range(total_families)
        )
        people = Person.objects.bulk_create(
            Person(
                first_name="Kit",
                last_name=f"Family{i}",
                date_of_birth=today - dt.timedelta(days=rng.randint(365, 17 * 365)),
                preferred_language="Urdu" if i % 13 == 0 else "English",
                has_send=i % 11 == 0,
            )
            for i in range(total_families)
        )
        FamilyMember.objects.bulk_create(
            FamilyMember(family=f, person=p, relationship="child")
            for f, p in zip(families, people, strict=True)
        )

        def team_of(i: int):
            return teams[i % 3] if i < n_workers * 12 else other_teams[i % len(other_teams)]

        requests = RequestForSupport.objects.bulk_create(
            RequestForSupport(
                family=families[i],
                team=team_of(i) if i < n_open else teams[i % 3],
                status=Status.ALLOCATED if i < n_open else Status.AWAITING_ALLOCATION,
                route="agency",
                received_at=now,
                first_received_at=now,
                allocation_due_by=today + dt.timedelta(days=rng.randint(-2, 7)),
                caf_urn=f"BEN-{i:06d}",
                referrer_name="Pat Referrer",
                presenting_needs="Routines",
                created_by=head,
            )
            for i in range(total_families)
        )
        RequestMember.objects.bulk_create(
            RequestMember(request=requests[i], person=people[i]) for i in range(total_families)
        )
        holders = users[:n_workers]
        other_holders = users[n_workers:]
        Case.objects.bulk_create(
            Case(
                request=requests[i],
                family=families[i],
                urn=f"BEN-{i:06d}",
                status=CaseStatus.PLANNING,
                key_worker=holders[i % n_workers]
                if i < n_workers * 12
                else other_holders[i % len(other_holders)],
                team=team_of(i),
                allocated_at=now,
                allocated_by=head,
                initial_visit_due_by=today,
                case_type=rng.choice(case_types),
            )
            for i in range(n_open)
        )
    waiting = RequestForSupport.objects.filter(status=Status.AWAITING_ALLOCATION).count()
    return {"head": head, "district": home, "waiting": waiting}


def _time(func, repeat: int) -> tuple[float, float, float]:
    """Median and 95th percentile wall time, and median CPU time of this process, in ms
    (SQLite runs in the process, so its work is in the CPU time; on a machine shared
    with other work the CPU time is the steadier figure)."""
    func()  # warm caches
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        func()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=300)
    parser.add_argument("--open-cases", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        sqlite = None if os.environ.get("DATABASE_URL") else Path(tmp) / "bench.sqlite3"
        _setup(sqlite)
        from dataclasses import replace

        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from earlyhelp.allocation import selectors
        from earlyhelp.allocation.services import propose_bulk_allocation
        from earlyhelp.cases.models import Case
        from earlyhelp.domain.allocation import propose
        from earlyhelp.referrals.models import RequestForSupport, Status

        started = time.perf_counter()
        built = _build(args.requests, args.workers, args.open_cases, args.seed)
        print(
            f"{connection.vendor}: {built['waiting']} waiting requests, {args.workers} workers "
            f"in the district, {Case.objects.count()} open cases in the database "
            f"(built in {time.perf_counter() - started:.1f} s), {args.repeat} runs each\n"
        )
        scope = selectors.scope_for(district_id=built["district"].pk)
        inputs = selectors.bulk_inputs(scope)
        waiting, workers = inputs.waiting, inputs.candidates.workers
        spread_requests = [replace(r, district_id=r.id % 12) for r in waiting]
        spread_workers = [replace(w, district_id=w.id % 12) for w in workers]
        plan = propose(waiting, workers)
        print(
            f"The district's proposal places {len(plan.lines)} and leaves {len(plan.unplaced)} "
            f"unplaced ({sum(w.headroom_cases for w in workers if w.available)} places free).\n"
        )
        head = built["head"]
        rfs = RequestForSupport.objects.filter(status=Status.AWAITING_ALLOCATION).first()
        client = Client()
        client.force_login(head)
        api_path = f"/api/v1/allocation/requests/{rfs.pk}/recommendations"

        def one_request():
            request = selectors.request_for_recommendations(request_id=rfs.pk)
            return selectors.recommendations_for(request)

        def api_get():
            response = client.get(api_path)
            assert response.status_code == 200, response.content

        rows = [
            ("Domain solve: 1 district, every worker eligible", lambda: propose(waiting, workers)),
            (
                "Domain solve: the same spread over 12 districts",
                lambda: propose(spread_requests, spread_workers),
            ),
            ("Service's reads: bulk_inputs for the district", lambda: selectors.bulk_inputs(scope)),
            (
                "Service: propose_bulk_allocation for the district",
                lambda: propose_bulk_allocation(actor=head, district_id=built["district"].pk),
            ),
            ("Selector: recommendations_for one request", one_request),
            ("API: GET recommendations for one request", api_get),
        ]
        print(f"Load average at the start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)\n")
        print("| measurement | median ms | p95 ms | CPU median ms | SQL queries |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for label, func in rows:
            with CaptureQueriesContext(connection) as captured:
                func()
            # The test client's request_started signal resets the query log.
            count = "n/a" if label.startswith("API") else str(len(captured))
            median, p95, cpu = _time(func, args.repeat)
            print(f"| {label} | {median:.1f} | {p95:.1f} | {cpu:.1f} | {count} |")
        print(f"\nLoad average at the end: {os.getloadavg()[0]:.1f}")
        ranked = one_request()
        print(f"\nRecommendations for one request: {len(ranked)} workers ranked.")


if __name__ == "__main__":
    main()
