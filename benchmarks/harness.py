"""What the page benchmarks share: timing a page through Django's test client."""

from __future__ import annotations

import statistics
import time


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
