"""Speed of resource planning: the analytic model, one simulated year of the whole
service, and 20 replications in one process and spread over two.

    .venv/bin/python benchmarks/planning.py [--repeat 200] [--years 5] [--replications 20]

No database is needed: the model and the simulation are plain Python (domain/). It
prints a Markdown table of the median and 95th percentile times, and checks that the two-process
run gives exactly the figures of the one-process run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from earlyhelp.domain import simulation as sim  # noqa: E402
from earlyhelp.domain.resource_model import default_scenario, plan, result_as_dict  # noqa: E402


def _times(action, repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds taken by each of `repeat` calls of action."""
    walls, cpus = [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def _row(what: str, times: tuple[list[float], list[float]], target: str, unit: str = "ms") -> str:
    scale = 1000 if unit == "ms" else 1
    walls, cpus = times
    median = statistics.median(walls) * scale
    ordered = sorted(walls)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * scale
    cpu = statistics.median(cpus) * scale
    return f"| {what} | {median:,.2f} {unit} | {p95:,.2f} {unit} | {cpu:,.2f} {unit} | {target} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="Runs of the analytic model")
    parser.add_argument("--years", type=int, default=5, help="Single simulated years to time")
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()

    scenario = default_scenario()
    year = sim.default_simulation_scenario()
    workers = sim.default_workers(scenario)
    rows = []

    result_as_dict(plan(scenario))  # one call first: imports and caches warm up
    analytic = _times(lambda: result_as_dict(plan(scenario)), options.repeat)
    rows.append(_row("Analytic model (plan + JSON figures), seed scenario", analytic, "< 10 ms"))

    runs: list[sim.ReplicationResult] = []

    def one_year(workers: int = workers) -> None:
        seed = options.seed + len(runs)
        runs.append(sim.run_replication(year, workers=workers, rng=random.Random(seed)))

    single = _times(one_year, options.years)
    cases = statistics.fmean(run.arrivals for run in runs)
    rows.append(
        _row(
            f"One simulated year: {cases:,.0f} requests, {workers} workers "
            f"(+ {year.warm_up_days:g}-day warm-up)",
            single,
            "< 2 s",
            "s",
        )
    )
    runs.clear()
    short = _times(lambda: one_year(140), options.years)
    rows.append(_row("One simulated year, 140 workers (queue builds up)", short, "< 2 s", "s"))

    results = {}
    walls = {}
    cpus = {}
    for processes in (1, 2):
        before = os.times()
        started = time.perf_counter()
        results[processes] = sim.simulate(
            year,
            workers=workers,
            replications=options.replications,
            seed=options.seed,
            processes=processes,
        )
        walls[processes] = time.perf_counter() - started
        after = os.times()
        # This process's CPU and that of the worker processes it waited for.
        cpus[processes] = (
            after.user + after.system + after.children_user + after.children_system
        ) - (before.user + before.system + before.children_user + before.children_system)
    if results[1] != results[2]:
        raise SystemExit("The two-process run differs from the one-process run")
    for processes, wall in walls.items():
        rows.append(
            f"| {options.replications} replications, {processes} process"
            f"{'es' if processes > 1 else ''} (wall time) | {wall:,.2f} s "
            f"| | {cpus[processes]:,.2f} s | 20 replications on both cores |"
        )
    rows.append(
        f"| Speed-up of 2 processes over 1 (wall time) | {walls[1] / walls[2]:.2f}x | | | "
        f"identical figures: {results[1] == results[2]} |"
    )

    load = os.getloadavg()[0]
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {load:.1f}")
    print()
    print("| what | median | 95th percentile | CPU (median) | target |")
    print("| --- | ---: | ---: | ---: | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
