"""A discrete-event simulation of a service year's allocation queue: Requests for Support
arrive, wait until a worker has caseload headroom, and hold that place for the case's
weeks of support. No Django here, and no simulation library: a heapq event loop.

Time runs in working days (5 to a week). Arrivals are Poisson at a rate per working day,
optionally scaled by a factor per month (a year is cut into 12 equal spans of working
days). The queue is first come, first served; a request goes to the worker with the most
headroom. Statistics are taken over the year after a warm-up, so that a run starting
with no open cases can be read as the steady state. Each replication draws from
`random.Random(seed + replication)`, so a seed gives the same results every time.

Left out for now: workers' leave, review extensions of a case, school-holiday patterns
finer than a month and calibration from the live database.
"""

from __future__ import annotations

import heapq
import math
import random
import statistics
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from earlyhelp.domain.resource_model import HUNDRED, ScenarioError, default_scenario

WORKING_DAYS_PER_WEEK = 5
MONTHS = 12
# Weeks of support a case lasts: the seed's L3 cases run 15 weeks, all others 12.
DEFAULT_SUPPORT_WEEKS: Mapping[str, float] = MappingProxyType(
    {"L3": 15.0, "L2A": 12.0, "L2B": 12.0, "L2-L1": 12.0}
)
# 2025 in England: 261 weekdays less 8 weekday bank holidays.
DEFAULT_WORKING_DAYS_PER_YEAR = 253.0
# Two-sided 95% Student t quantiles for 1 to 30 degrees of freedom.
_T_975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
_Z_975 = 1.959964

_ARRIVAL = 0
_CLOSE = 1


@dataclass(frozen=True)
class SimulationScenario:
    """The inputs of a simulated year; `case_type_mix` shares are percentages adding to 100."""

    requests_per_working_day: float
    case_type_mix: Mapping[str, float]
    support_weeks: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_SUPPORT_WEEKS))
    caseload_limit: int = 18
    allocation_target_days: float = 5
    working_days_per_year: float = DEFAULT_WORKING_DAYS_PER_YEAR
    # One factor a month multiplying the arrival rate; None means the same all year.
    seasonal_factors: Sequence[float] | None = None
    # Coefficient of variation of a case's length: 0 is exactly its weeks of support.
    duration_cv: float = 0.0
    warm_up_days: float = 0.0


@dataclass(frozen=True)
class ReplicationResult:
    """One simulated year: waits to allocation in working days, on-time share, caseloads."""

    arrivals: int
    mean_wait_days: float
    median_wait_days: float
    p95_wait_days: float
    share_allocated_on_time: float
    mean_caseload: float
    utilisation: float
    mean_number_waiting: float
    arrivals_per_working_day: float


@dataclass(frozen=True)
class ConfidenceInterval:
    """A mean over replications with its two-sided 95% Student t interval."""

    mean: float
    low: float
    high: float

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class SimulationResult:
    """Every replication's results and a 95% confidence interval of each figure's mean."""

    replications: tuple[ReplicationResult, ...]
    intervals: dict[str, ConfidenceInterval]


def default_simulation_scenario() -> SimulationScenario:
    """The seed's year: 10,000 cases over 253 working days, the 5/40/50/5 case-type mix."""
    seed = default_scenario()
    return SimulationScenario(
        requests_per_working_day=float(seed.total_cases_per_year) / DEFAULT_WORKING_DAYS_PER_YEAR,
        case_type_mix={name: float(ct.share_percent) for name, ct in seed.case_types.items()},
        caseload_limit=int(seed.mixed_caseload),
    )


def mean_case_days(scenario: SimulationScenario) -> float:
    """The mean length of a case in working days: weeks of support weighted by the mix."""
    return sum(
        share / float(HUNDRED) * scenario.support_weeks[name] * WORKING_DAYS_PER_WEEK
        for name, share in scenario.case_type_mix.items()
    )


def offered_utilisation(scenario: SimulationScenario, *, workers: int) -> float:
    """Demand over capacity: arrivals a day x mean case days / (workers x caseload limit),
    at the mean seasonal factor; the long-run utilisation when it is under 1."""
    factors = scenario.seasonal_factors or (1.0,)
    rate = scenario.requests_per_working_day * statistics.fmean(factors)
    return rate * mean_case_days(scenario) / (workers * scenario.caseload_limit)


def validate_simulation(scenario: SimulationScenario, *, workers: int) -> None:
    """Raise ScenarioError naming the first input out of range."""
    if scenario.requests_per_working_day < 0:
        raise ScenarioError("requests_per_working_day", "must not be negative")
    if not scenario.case_type_mix:
        raise ScenarioError("case_type_mix", "must name at least one case type")
    if any(share < 0 for share in scenario.case_type_mix.values()):
        raise ScenarioError("case_type_mix", "shares must not be negative")
    total = sum(scenario.case_type_mix.values())
    if abs(total - 100) > float(HUNDRED) * 1e-4:
        raise ScenarioError("case_type_mix", f"shares must add up to 100%, not {total}%")
    for name in scenario.case_type_mix:
        weeks = scenario.support_weeks.get(name)
        if weeks is None:
            raise ScenarioError(f"support_weeks.{name}", "is missing")
        if weeks <= 0:
            raise ScenarioError(f"support_weeks.{name}", "must be more than zero")
    if scenario.caseload_limit <= 0:
        raise ScenarioError("caseload_limit", "must be more than zero")
    if scenario.allocation_target_days < 0:
        raise ScenarioError("allocation_target_days", "must not be negative")
    if scenario.working_days_per_year <= 0:
        raise ScenarioError("working_days_per_year", "must be more than zero")
    if scenario.seasonal_factors is not None and (
        len(scenario.seasonal_factors) != MONTHS or min(scenario.seasonal_factors) < 0
    ):
        raise ScenarioError("seasonal_factors", "must be 12 factors, none negative")
    if scenario.duration_cv < 0:
        raise ScenarioError("duration_cv", "must not be negative")
    if scenario.warm_up_days < 0:
        raise ScenarioError("warm_up_days", "must not be negative")
    if workers <= 0:
        raise ScenarioError("workers", "must be more than zero")


def run_replication(
    scenario: SimulationScenario, *, workers: int, rng: random.Random
) -> ReplicationResult:
    """Simulate the warm-up and one year; a year's requests are followed until allocated."""
    validate_simulation(scenario, workers=workers)
    start = scenario.warm_up_days
    end = start + scenario.working_days_per_year
    month_days = scenario.working_days_per_year / MONTHS
    names = list(scenario.case_type_mix)
    weights = [scenario.case_type_mix[name] for name in names]
    case_days = {name: scenario.support_weeks[name] * WORKING_DAYS_PER_WEEK for name in names}

    def next_arrival(now: float) -> float:
        # Piecewise-constant rate: memorylessness lets a draw that crosses a month
        # boundary restart from the boundary at the next month's rate.
        # Months are counted by an integer index, so that float rounding at a boundary
        # cannot land the clock back in the month it is leaving.
        index = math.floor((now - start) / month_days)
        while now < end:
            boundary = start + (index + 1) * month_days
            factor = scenario.seasonal_factors[index % MONTHS] if scenario.seasonal_factors else 1.0
            rate = scenario.requests_per_working_day * factor
            candidate = now + rng.expovariate(rate) if rate > 0 else math.inf
            if candidate < boundary:
                return candidate
            now = boundary
            index += 1
        return math.inf

    def case_length(name: str) -> float:
        mean = case_days[name]
        if scenario.duration_cv == 0:
            return mean
        shape = 1 / scenario.duration_cv**2
        return rng.gammavariate(shape, mean / shape)

    open_cases = [0] * workers
    busy = 0
    queue: deque[float] = deque()
    waits: list[float] = []
    events: list[tuple[float, int, int, int]] = []
    sequence = 0
    last = 0.0
    busy_area = 0.0
    queue_area = 0.0
    arrivals = 0
    # Requests of the measured year still in the queue: the run goes on until none is left.
    pending = 0

    def advance(now: float) -> None:
        # Time-weighted areas under the caseload and queue, inside the measured year only.
        nonlocal last, busy_area, queue_area
        overlap = min(now, end) - max(last, start)
        if overlap > 0:
            busy_area += busy * overlap
            queue_area += len(queue) * overlap
        last = now

    def allocate(now: float, arrived: float) -> None:
        nonlocal busy, sequence
        worker = min(range(workers), key=open_cases.__getitem__)
        open_cases[worker] += 1
        busy += 1
        if start <= arrived < end:
            waits.append(now - arrived)
        name = rng.choices(names, weights)[0]
        sequence += 1
        heapq.heappush(events, (now + case_length(name), sequence, _CLOSE, worker))

    capacity = workers * scenario.caseload_limit
    first = next_arrival(0.0)
    if first < math.inf:
        heapq.heappush(events, (first, 0, _ARRIVAL, -1))
    while events:
        now, _, kind, worker = heapq.heappop(events)
        if now >= end and not pending:
            # The year is over and no request of the year is still waiting.
            advance(end)
            break
        advance(now)
        if kind == _ARRIVAL:
            if start <= now < end:
                arrivals += 1
            if busy < capacity:
                allocate(now, now)
            else:
                queue.append(now)
                pending += start <= now < end
            following = next_arrival(now)
            if following < math.inf:
                sequence += 1
                heapq.heappush(events, (following, sequence, _ARRIVAL, -1))
        else:
            open_cases[worker] -= 1
            busy -= 1
            if queue:
                arrived = queue.popleft()
                pending -= start <= arrived < end
                allocate(now, arrived)
    else:
        advance(end)

    target = scenario.allocation_target_days
    return ReplicationResult(
        arrivals=arrivals,
        mean_wait_days=statistics.fmean(waits) if waits else 0.0,
        median_wait_days=statistics.median(waits) if waits else 0.0,
        p95_wait_days=_percentile(waits, 95),
        share_allocated_on_time=(
            sum(1 for wait in waits if wait <= target) / len(waits) if waits else 1.0
        ),
        mean_caseload=busy_area / scenario.working_days_per_year / workers,
        utilisation=busy_area / scenario.working_days_per_year / capacity,
        mean_number_waiting=queue_area / scenario.working_days_per_year,
        arrivals_per_working_day=arrivals / scenario.working_days_per_year,
    )


def simulate(
    scenario: SimulationScenario, *, workers: int, replications: int, seed: int
) -> SimulationResult:
    """Run the year `replications` times, each from Random(seed + replication), and give a
    95% confidence interval of the mean of every figure."""
    if replications < 1:
        raise ScenarioError("replications", "must be at least one")
    validate_simulation(scenario, workers=workers)
    # A simulation's draws need reproducibility, not secrecy.
    runs = tuple(
        run_replication(scenario, workers=workers, rng=random.Random(seed + replication))  # noqa: S311
        for replication in range(replications)
    )
    figures = [name for name in ReplicationResult.__dataclass_fields__ if name != "arrivals"]
    return SimulationResult(
        replications=runs,
        intervals={
            name: confidence_interval([getattr(run, name) for run in runs]) for name in figures
        },
    )


def confidence_interval(values: Sequence[float]) -> ConfidenceInterval:
    """The mean with its two-sided 95% Student t interval; one value gives a zero width."""
    mean = statistics.fmean(values)
    if len(values) < 2:
        return ConfidenceInterval(mean, mean, mean)
    half = _t_975(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    return ConfidenceInterval(mean, mean - half, mean + half)


def _t_975(degrees: int) -> float:
    if degrees <= len(_T_975):
        return _T_975[degrees - 1]
    # Cornish-Fisher expansion of the t quantile about the normal: within 0.001 past 30.
    z = _Z_975
    return z + (z**3 + z) / (4 * degrees) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * degrees**2)


def _percentile(values: Sequence[float], percent: float) -> float:
    """Linear-interpolated percentile (numpy's default); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * percent / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
