"""Load test: 150 staff at once, two app processes behind nginx, one PostgreSQL.

    .venv/bin/python benchmarks/load/run.py                 # the reported run
    .venv/bin/python benchmarks/load/run.py --reuse --redis-url redis://127.0.0.1:6379/5
    .venv/bin/python benchmarks/load/run.py --users 20 --managers 4 --run-time 1m --years 1

It (1) creates the PostgreSQL database afresh (``--database``, default ``eh_load``;
``--reuse`` keeps a county generated before), migrates it, loads the Lancashire
configuration and generates a county (``generate_county``, as ``benchmarks/county.py``
does); (2) gives the staff accounts it will sign in as the demo password and writes
their own open cases, teams and people to search for into ``accounts.json``; (3)
collects the static files into its own directory and starts two gunicorn processes
(ports 8101 and 8102) and nginx on 8100 in front of both (``nginx.conf.template``);
(4) runs ``locust -f benchmarks/load/locustfile.py --headless`` against nginx; (5)
stops the app processes and compares the rows the database gained with the writes
the simulated users counted, and prints a Markdown report (also ``report.md`` in the
output directory, beside locust's CSV files and the access logs).

Needs nginx (``apt-get install nginx-light``; installed here when run as root) and
PostgreSQL at ``--postgres``. The app runs with DEBUG off, plain HTTP (SECURE=0) and
TWO_FACTOR_REQUIRED=0: the simulated staff sign in with email and password only.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))
VENV = ROOT / ".venv" / "bin"
SIGN_IN = "/account/sign-in/"


# ---------------------------------------------------------------- the database


def fresh_database(postgres: str, name: str) -> None:
    """Drop and create the database (nobody else should be using a load test's)."""
    import psycopg

    with psycopg.connect(f"{postgres}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def build(args: argparse.Namespace) -> str:
    """Migrate, load the configuration and generate the county (county.py's build)."""
    from pages import _has_tables, _setup_database

    from county import build_or_reuse

    _setup_database(None)
    from django.core.management import call_command
    from django.utils import timezone

    if args.reuse and _has_tables():
        # Migrations others added since the county was generated.
        call_command("migrate", verbosity=0)

    return build_or_reuse(
        reuse=args.reuse,
        years=args.years,
        cases_per_year=args.cases_per_year,
        seed=args.seed,
        as_of=timezone.localdate(),
    )


def _people(family_ids: list[int], rng, count: int = 4) -> list[dict]:
    """A few members of these families with a date of birth: names to search for."""
    from earlyhelp.people.models import Person

    people = list(
        Person.objects.filter(
            memberships__family_id__in=rng.sample(family_ids, min(len(family_ids), 20)),
            date_of_birth__isnull=False,
        )
        .order_by("pk")
        .values("first_name", "last_name", "date_of_birth")[:count]
    )
    return [
        {"name": f"{p['first_name']} {p['last_name']}", "born": p["date_of_birth"].isoformat()}
        for p in people
    ]


def accounts(users: int, managers: int, seed: int) -> dict:
    """The staff the simulated users sign in as, each with the demo password: team
    managers (operations and delivery leaders, then locality managers), and key workers
    and senior practitioners with open cases of their own, busiest first."""
    import random

    from django.contrib.auth.hashers import make_password
    from django.db.models import Count, Q
    from django.utils import timezone

    from earlyhelp.accounts.models import User
    from earlyhelp.accounts.roles import Role
    from earlyhelp.cases.models import Case
    from earlyhelp.domain.casework import CASE_ACTIONS_ALLOWED
    from earlyhelp.workforce.demo import DEMO_PASSWORD
    from earlyhelp.workforce.selectors import teams_managed_by

    rng = random.Random(seed)
    contact_statuses = [str(s) for s in CASE_ACTIONS_ALLOWED["record_contact"]]
    review_statuses = [str(s) for s in CASE_ACTIONS_ALLOWED["review"]]
    # A contact may not be more than a day before the allocation: leave out today's cases.
    settled = timezone.now() - dt.timedelta(days=2)
    open_cases = Case.objects.filter(status__in=contact_statuses, allocated_at__lt=settled)

    chosen_managers = []
    for role in (Role.OPERATIONS_DELIVERY_LEADER, Role.LOCALITY_MANAGER):
        for user in User.objects.filter(groups__name=role.value, is_active=True).order_by("pk"):
            teams = [t.pk for t in teams_managed_by(user)]
            cases = list(
                open_cases.filter(team_id__in=teams).order_by("pk").values_list("pk", flat=True)
            )
            if teams and cases and len(chosen_managers) < managers:
                chosen_managers.append(
                    {
                        "email": user.email,
                        "role": role.value,
                        "teams": teams,
                        "cases": rng.sample(cases, min(len(cases), 30)),
                        "people": _people(
                            list(
                                open_cases.filter(pk__in=cases).values_list("family_id", flat=True)
                            ),
                            rng,
                        ),
                    }
                )
    workers = (
        User.objects.filter(
            groups__name__in=[Role.KEY_WORKER.value, Role.SENIOR_PRACTITIONER.value],
            is_active=True,
        )
        .annotate(open_cases=Count("cases", filter=Q(cases__in=open_cases)))
        .filter(open_cases__gt=0)
        .order_by("-open_cases", "pk")
        .distinct()[: users - len(chosen_managers)]
    )
    chosen_workers = []
    for user in workers:
        own = open_cases.filter(key_worker=user)
        chosen_workers.append(
            {
                "email": user.email,
                "role": "key_worker",
                "cases": list(own.order_by("pk").values_list("pk", flat=True)),
                "review_cases": list(
                    own.filter(status__in=review_statuses, plan_started_on__isnull=False)
                    .order_by("pk")
                    .values_list("pk", flat=True)
                ),
                "people": _people(list(own.values_list("family_id", flat=True)), rng),
            }
        )
    if len(chosen_managers) + len(chosen_workers) < users:
        raise SystemExit(
            f"Only {len(chosen_managers) + len(chosen_workers)} staff with open cases or "
            f"teams: generate a larger county for {users} users."
        )
    emails = [a["email"] for a in chosen_managers + chosen_workers]
    # One hash for all of them: hashing is deliberately slow.
    User.objects.filter(email__in=emails).update(password=make_password(DEMO_PASSWORD))
    return {"password": DEMO_PASSWORD, "managers": chosen_managers, "key_workers": chosen_workers}


def row_counts() -> dict[str, int]:
    """The rows a write adds, counted in the database."""
    from django.db import connection

    from earlyhelp.audit.models import AuditEvent
    from earlyhelp.cases.models import Contact, Review
    from earlyhelp.outbox.models import OutboxMessage

    counts = {
        "contacts": Contact.objects.count(),
        "reviews": Review.objects.count(),
        "audit: contact.recorded": AuditEvent.objects.filter(code="contact.recorded").count(),
        "audit: review.recorded": AuditEvent.objects.filter(code="review.recorded").count(),
        "outbox: review submissions": OutboxMessage.objects.filter(
            kind="review_submission"
        ).count(),
        "audit: user.signed_in": AuditEvent.objects.filter(code="user.signed_in").count(),
    }
    connection.close()
    return counts


# ---------------------------------------------------------------- the processes


def app_environment(args: argparse.Namespace, var_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "earlyhelp.config.settings",
        "DATABASE_URL": os.environ["DATABASE_URL"],
        # Each thread keeps its connection for the whole run, as a long-lived server does.
        "DATABASE_CONN_MAX_AGE": "3600",
        "DEBUG": "0",
        "SECURE": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TWO_FACTOR_REQUIRED": "0",
        "PROXY_COUNT": "1",
        "EARLYHELP_VAR_DIR": str(var_dir),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "LOG_LEVEL": "WARNING",
    }
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    else:
        env.pop("REDIS_URL", None)
    return env


def wait_for(url: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - http://127.0.0.1
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not answer within {seconds:.0f} s") from None
        time.sleep(0.5)


def start_apps(args: argparse.Namespace, out: Path, env: dict[str, str]) -> list[subprocess.Popen]:
    apps = []
    for port in args.app_ports:
        apps.append(
            subprocess.Popen(  # noqa: S603 - our own venv's gunicorn, our own arguments
                [
                    str(VENV / "gunicorn"),
                    "earlyhelp.config.wsgi:application",
                    f"--bind=127.0.0.1:{port}",
                    f"--workers={args.workers}",
                    "--worker-class=gthread",
                    f"--threads={args.threads}",
                    "--timeout=120",
                    "--no-control-socket",  # two masters would share its one path
                    "--capture-output",  # Django's errors into the error log
                    f"--name=earlyhelp-{port}",
                    f"--access-logfile={out / f'gunicorn-{port}-access.log'}",
                    f"--error-logfile={out / f'gunicorn-{port}-error.log'}",
                    '--access-logformat=%(h)s %(t)s "%(r)s" %(s)s %(b)s %(L)s',
                ],
                cwd=ROOT,
                env=env,
            )
        )
    for port in args.app_ports:
        wait_for(f"http://127.0.0.1:{port}{SIGN_IN}")
    return apps


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None
    )
    if found:
        return found
    if os.geteuid() == 0:
        print("Installing nginx-light (Debian) ...", flush=True)
        subprocess.run(["/usr/bin/apt-get", "update", "-qq"], check=True)
        subprocess.run(
            ["/usr/bin/apt-get", "install", "-y", "-qq", "nginx-light"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        return "/usr/sbin/nginx"
    raise SystemExit("nginx is missing: run 'sudo apt-get install nginx-light'")


def start_nginx(args: argparse.Namespace, out: Path) -> subprocess.Popen:
    tmp = out / "nginx-tmp"
    tmp.mkdir(exist_ok=True)
    tmp.chmod(0o777)  # nginx's worker runs as an unprivileged user
    upstreams = "\n".join(f"        server 127.0.0.1:{port};" for port in args.app_ports)
    conf = (HERE / "nginx.conf.template").read_text()
    conf = conf.replace("@DIR@", str(out)).replace("@PORT@", str(args.port))
    conf = conf.replace("@UPSTREAMS@", upstreams)
    (out / "nginx.conf").write_text(conf)
    command = [nginx_binary(), "-c", str(out / "nginx.conf"), "-p", str(out)]
    return subprocess.Popen([*command, "-e", str(out / "nginx-error.log")])  # noqa: S603


def stop(process: subprocess.Popen, signal_number: int = 15) -> None:
    if process.poll() is None:
        process.send_signal(signal_number)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---------------------------------------------------------------- measuring the machine


def _uptime() -> str:
    return subprocess.run(
        ["/usr/bin/uptime"], capture_output=True, text=True, check=False
    ).stdout.strip()


class MachineWatch:
    """The load average every 15 s, the machine's CPU busy share, and the CPU seconds
    each part of the test used while locust ran (locust's own is added when it ends)."""

    def __init__(self, groups: dict[str, list[int]], database: str) -> None:
        self.groups = groups
        self.database = database
        self.loads: list[tuple[float, float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _cpu(self) -> dict[str, float]:
        used = {}
        for name, pids in self.groups.items():
            procs = []
            for pid in pids:
                with contextlib.suppress(psutil.NoSuchProcess):
                    proc = psutil.Process(pid)
                    procs += [proc, *proc.children(recursive=True)]
            used[name] = sum(_cpu_seconds(p) for p in procs)
        # The app's connections: backends of this database (kept open all the run).
        used["PostgreSQL"] = sum(
            _cpu_seconds(p)
            for p in psutil.process_iter(["name", "cmdline"])
            if p.info["name"] == "postgres"
            and f" {self.database} " in " ".join(p.info["cmdline"] or [])
        )
        return used

    def _sample(self) -> None:
        while not self._stop.wait(15):
            self.loads.append(os.getloadavg())

    def __enter__(self):
        self.uptime_before = _uptime()
        self.cpu_before = psutil.cpu_times()
        self.used_before = self._cpu()
        self.started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.seconds = time.monotonic() - self.started
        self.uptime_after = _uptime()
        after = psutil.cpu_times()
        idle = (after.idle + after.iowait) - (self.cpu_before.idle + self.cpu_before.iowait)
        total = sum(after) - sum(self.cpu_before)
        self.busy = 1 - idle / total if total else 0.0
        used_after = self._cpu()
        self.used = {k: used_after[k] - self.used_before.get(k, 0.0) for k in used_after}


def _cpu_seconds(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return times.user + times.system


def run_locust(command: list[str], env: dict[str, str]) -> tuple[int, float]:
    """Run locust to its end: its exit code and the CPU seconds it used."""
    locust = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
    _, status, usage = os.wait4(locust.pid, 0)
    locust.returncode = os.waitstatus_to_exitcode(status)
    return locust.returncode, usage.ru_utime + usage.ru_stime


# ---------------------------------------------------------------- the report


def stats_rows(prefix: Path) -> list[dict[str, str]]:
    with open(f"{prefix}_stats.csv", newline="") as f:
        return list(csv.DictReader(f))


def served_by(out: Path, ports: list[int]) -> tuple[dict[str, int], dict[int, int], Counter]:
    """Requests per upstream in nginx's log, lines per gunicorn access log, and the
    status codes nginx returned."""
    upstream: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    pattern = re.compile(r'" (\d{3}) \d+ [\d.]+ (\S+)')
    with open(out / "nginx-access.log") as log:
        for line in log:
            found = pattern.search(line)
            if found:
                statuses[found.group(1)] += 1
                upstream[found.group(2)] += 1
    per_process = {port: _lines(out / f"gunicorn-{port}-access.log") for port in ports}
    return dict(upstream), per_process, statuses


def _lines(path: Path) -> int:
    with open(path) as f:
        return sum(1 for _ in f)


def _ms(value: str) -> str:
    return f"{float(value):,.0f}" if value not in ("", "N/A") else "n/a"


def report(
    args: argparse.Namespace,
    out: Path,
    how: str,
    watch: MachineWatch,
    before: dict[str, int],
    after: dict[str, int],
    counted: dict,
    logged_before: dict[int, int],
) -> str:
    """The Markdown report: locust's figures, writes against rows, who served, the CPU."""
    rows = stats_rows(out / "locust")
    lines = [
        f"Load test on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC: {args.users} users "
        f"(spawned {args.spawn_rate}/s), {args.run_time}, think time {args.think_min:g}-"
        f"{args.think_max:g} s; {how}",
        f"Two gunicorn processes (ports {', '.join(map(str, args.app_ports))}; "
        f"{args.workers} workers x {args.threads} threads each) behind nginx on {args.port}; "
        "sessions in the database"
        + (f", cached in Redis ({args.redis_url})." if args.redis_url else " (no Redis)."),
        "",
        "| request | requests | failures | median ms | p95 ms | p99 ms | max ms | requests/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "**All requests**"
        lines.append(
            f"| {name} | {int(row['Request Count']):,} | {row['Failure Count']} | "
            f"{_ms(row['50%'])} | {_ms(row['95%'])} | {_ms(row['99%'])} | "
            f"{_ms(row['Max Response Time'])} | {float(row['Requests/s']):.2f} |"
        )
    failures = out / "locust_failures.csv"
    if failures.exists():
        with open(failures, newline="") as f:
            for failure in csv.DictReader(f):
                lines.append(
                    f"\nFailure: {failure['Method']} {failure['Name']}: {failure['Error']} "
                    f"({failure['Occurrences']} times)"
                )
    counts = counted.get("counts", {})
    lines += [
        "",
        "| written | counted by the users | rows gained in the database | equal |",
        "| --- | ---: | ---: | --- |",
    ]
    checks = [
        ("contacts", "contacts", "contacts"),
        ("contacts (audit events)", "contacts", "audit: contact.recorded"),
        ("reviews", "reviews", "reviews"),
        ("reviews (audit events)", "reviews", "audit: review.recorded"),
        ("reviews (CAF mailbox messages)", "reviews", "outbox: review submissions"),
        ("sign-ins (audit events)", "signed in", "audit: user.signed_in"),
    ]
    lost = False
    for label, mine, theirs in checks:
        gained = after[theirs] - before[theirs]
        equal = counts.get(mine, 0) == gained
        lost |= not equal
        lines.append(
            f"| {label} | {counts.get(mine, 0):,} | {gained:,} | {'yes' if equal else '**no**'} |"
        )
    other = {k: v for k, v in counts.items() if k not in {"contacts", "reviews", "signed in"}}
    if other:
        lines.append(f"\nOther outcomes counted by the users: {other}")
    upstream, per_process, statuses = served_by(out, args.app_ports)
    per_process = {port: n - logged_before[port] for port, n in per_process.items()}
    lines += [
        "",
        "Served by each process: "
        + ", ".join(f"port {p}: {n:,} requests (gunicorn log)" for p, n in per_process.items())
        + "; nginx's log by upstream: "
        + ", ".join(f"{k}: {v:,}" for k, v in sorted(upstream.items()))
        + "; by the X-Upstream header the users saw: "
        + ", ".join(f"{k}: {v:,}" for k, v in sorted(counted.get("upstreams", {}).items())),
        "Status codes from nginx: " + ", ".join(f"{k}: {v:,}" for k, v in sorted(statuses.items())),
        "",
        f"Machine: {psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GB. "
        f"Before: {watch.uptime_before.strip()}. After: {watch.uptime_after.strip()}.",
        f"CPU busy while locust ran: {watch.busy:.0%} of both cores; load average every "
        f"15 s (1 min): min {min(a[0] for a in watch.loads):.1f}, max "
        f"{max(a[0] for a in watch.loads):.1f}."
        if watch.loads
        else f"CPU busy while locust ran: {watch.busy:.0%} of both cores.",
        "CPU seconds used while locust ran ("
        f"{watch.seconds:.0f} s wall, {2 * watch.seconds:.0f} core-seconds available): "
        + ", ".join(f"{k} {v:.0f}" for k, v in watch.used.items())
        + ".",
    ]
    verdict = "no lost writes" if not lost else "WRITES DO NOT MATCH"
    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    failed = int(total["Failure Count"]) if total else -1
    lines.append(f"\nResult: {failed} failed requests; {verdict}.")
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=150)
    parser.add_argument("--managers", type=int, default=17, help="Of the users, team managers")
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--run-time", default="10m")
    parser.add_argument("--think-min", type=float, default=5, help="Seconds between clicks")
    parser.add_argument("--think-max", type=float, default=15)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="eh_load")
    parser.add_argument("--reuse", action="store_true", help="Keep the county already there")
    parser.add_argument("--years", type=float, default=10)
    parser.add_argument("--cases-per-year", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--port", type=int, default=8100, help="nginx")
    parser.add_argument("--app-ports", type=int, nargs="+", default=[8101, 8102])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers a process")
    parser.add_argument("--threads", type=int, default=4, help="threads a gunicorn worker")
    parser.add_argument("--redis-url", default="", help="Cache and sessions in Redis")
    parser.add_argument("--out", type=Path, default=None, help="Default: var/load/<time>")
    args = parser.parse_args()

    out = (args.out or ROOT / "var" / "load" / f"{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}").resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"{args.postgres}/{args.database}"
    if not args.reuse:
        fresh_database(args.postgres, args.database)
    started = time.perf_counter()
    how = build(args)
    print(f"{args.database}: {how} ({time.perf_counter() - started:.0f} s)", flush=True)
    staff = accounts(args.users, args.managers, args.seed)
    (out / "accounts.json").write_text(json.dumps(staff, indent=1))
    print(
        f"{len(staff['managers'])} managers and {len(staff['key_workers'])} key workers "
        "to sign in as",
        flush=True,
    )
    before = row_counts()

    var_dir = out / "var"
    env = app_environment(args, var_dir)
    subprocess.run(  # noqa: S603
        [str(VENV / "python"), "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    apps = start_apps(args, out, env)
    nginx = None
    try:
        nginx = start_nginx(args, out)
        wait_for(f"http://127.0.0.1:{args.port}{SIGN_IN}")
        locust_env = {
            **os.environ,
            "LOAD_ACCOUNTS": str(out / "accounts.json"),
            "LOAD_COUNTS": str(out / "counts.json"),
            "LOAD_MANAGERS": str(len(staff["managers"])),
            "LOAD_THINK_MIN": str(args.think_min),
            "LOAD_THINK_MAX": str(args.think_max),
        }
        command = [
            str(VENV / "locust"),
            "-f",
            str(HERE / "locustfile.py"),
            "--headless",
            "-u",
            str(args.users),
            "-r",
            str(args.spawn_rate),
            "-t",
            args.run_time,
            "--host",
            f"http://127.0.0.1:{args.port}",
            "--csv",
            str(out / "locust"),
            "--stop-timeout",
            "60",
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        print("$ " + " ".join(command), flush=True)
        groups = {
            f"app on {port}": [app.pid] for port, app in zip(args.app_ports, apps, strict=True)
        }
        groups["nginx"] = [nginx.pid]
        logged_before = {
            port: _lines(out / f"gunicorn-{port}-access.log") for port in args.app_ports
        }
        with MachineWatch(groups, args.database) as watch:
            exit_code, locust_cpu = run_locust(command, locust_env)
        watch.used["locust"] = locust_cpu
    finally:
        # Stop the apps gracefully first: every request they took is finished and saved.
        for app in apps:
            stop(app)
        if nginx is not None:
            stop(nginx, 3)  # SIGQUIT: graceful, flushes the access log
    if not (out / "counts.json").exists():
        raise SystemExit(f"locust stopped (exit code {exit_code}) before the end")
    after = row_counts()
    counted = json.loads((out / "counts.json").read_text())
    text = report(args, out, how, watch, before, after, counted, logged_before)
    (out / "report.md").write_text(text + "\n")
    print(f"\n{text}\n\nFiles: {out}")


if __name__ == "__main__":
    main()
