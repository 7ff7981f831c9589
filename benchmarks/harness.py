"""What the page benchmarks share: Django's environment, and timing a page through
Django's test client."""

from __future__ import annotations

import os
import statistics
import time


def use_benchmark_settings() -> None:
    """The settings every in-process benchmark runs Django with, unless the environment
    says otherwise. Users are signed in with force_login, which has no second factor to
    confirm: the pages are measured, not two-factor sign-in."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "earlyhelp.config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("TWO_FACTOR_REQUIRED", "0")


def percentiles(times: list[float]) -> tuple[float, float]:
    """The median and the 95th percentile of some timings."""
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def measure(client, path: str, repeat: int) -> tuple[float, float, int]:
    """Median and 95th percentile server time in ms of `repeat` requests for the page,
    after one to warm caches and the template loader, and its number of SQL queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        queries = len(captured)
    return (*percentiles(times), queries)


def measure_sql(client, path: str, repeat: int) -> tuple[float, float, int, float]:
    """As `measure`, with a fourth figure: the median time spent in the database
    (from sending each SQL query to having its rows), in ms, the rest being Python
    and template rendering."""
    from django.db import connection

    spent: list[float] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[-1] += time.perf_counter() - started

    client.get(path)
    times, queries, sql = [], 0, []
    from django.test.utils import CaptureQueriesContext

    with connection.execute_wrapper(timed):
        for _ in range(repeat):
            spent.append(0.0)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
            queries = len(captured)
            sql.append(spent[-1] * 1000)
    return (*percentiles(times), queries, statistics.median(sql))


def explain_slowest(client, path: str, top: int = 3) -> str:
    """The page's `top` slowest SQL queries, each with its plan as PostgreSQL ran it
    (EXPLAIN (ANALYZE, BUFFERS)); on another database, just the queries and times."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:top]
    parts = []
    for query in slowest:
        parts.append(f"-- {float(query['time']) * 1000:.1f} ms\n{query['sql']}")
        if connection.vendor == "postgresql" and query["sql"].lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                parts.append("\n".join(row[0] for row in cursor.fetchall()))
    return "\n\n".join(parts)
