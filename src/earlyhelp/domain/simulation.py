"""A discrete-event simulation (SimPy) of a service year's allocation queue: Requests for
Support arrive, wait until a worker who is not on leave has caseload headroom, and hold
that place for the case's weeks of support and any review extensions. No Django here.

Time runs in working days (5 to a week). Arrivals are Poisson with a rate that is
piecewise constant over the year: a factor per month (12 equal spans of the working
year) times, in school-holiday weeks (52 equal spans), the school-holiday factor. The
pattern only shapes the year: it is scaled so that the year still brings
`requests_per_working_day x working_days_per_year` requests on average. The measured
year starts with January; the warm-up before it is the end of the previous year, so a
run that starts with no open cases can be read as the steady state.

The queue is first come, first served, and the allocator gives the request at its head
to the available worker with the most headroom (fewest open cases; the lowest number on
a tie). A worker on leave keeps their cases but takes no new one: leave is taken in
whole-day blocks placed at random in each year. A case's length is drawn when it
arrives: its weeks of support (optionally gamma-distributed about them), then at each
review a chance of being extended by the extension length again.

Each replication draws from `random.Random(seed + replication)`: a seed gives the same
results every time, sequentially or spread over processes. Arrivals and leave draw from
separate streams, so runs of one seed at different staffing see the same requests
(common random numbers) and the comparison between staffing levels is sharper.
"""

from __future__ import annotations

import heapq
import math
import multiprocessing
import random
import statistics
import threading
from bisect import bisect_right
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate, pairwise
from types import MappingProxyType

import simpy

from earlyhelp.domain.resource_model import (
    HUNDRED,
    Scenario,
    ScenarioError,
    default_scenario,
    plan,
)

WORKING_DAYS_PER_WEEK = 5
MONTHS = 12
WEEKS_PER_YEAR = 52
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


@dataclass(frozen=True)
class SimulationScenario:
    """The inputs of a simulated year; `case_type_mix` shares are percentages adding to 100.

    Left at their defaults, the newer inputs change nothing: no school-holiday dip, no
    review extensions and no leave. `simulation_scenario()` fills them from a resource
    model scenario, `default_simulation_scenario()` from the seed's."""

    requests_per_working_day: float
    case_type_mix: Mapping[str, float]
    support_weeks: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_SUPPORT_WEEKS))
    caseload_limit: int = 18
    allocation_target_days: float = 5
    working_days_per_year: float = DEFAULT_WORKING_DAYS_PER_YEAR
    # One factor a month shaping the arrival rate; None means the same all year.
    seasonal_factors: Sequence[float] | None = None
    # Coefficient of variation of a case's length: 0 is exactly its weeks of support.
    duration_cv: float = 0.0
    warm_up_days: float = 0.0
    # Weeks of the year (1 to 52) when schools are closed, and the arrival factor then.
    school_holiday_weeks: Sequence[int] = ()
    school_holiday_factor: float = 1.0
    # Chance (0 to 1) that a review extends a case, and by how many weeks.
    review_extension_probability: float = 0.0
    review_extension_weeks: float = 0.0
    # Working days of leave each worker takes a year, in blocks of this many days.
    leave_days_per_year: float = 0.0
    leave_block_days: int = WORKING_DAYS_PER_WEEK


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
    cases_allocated_per_worker: float = 0.0


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


@dataclass(frozen=True)
class StaffingLevelResult:
    """One staffing level's simulated year: the share allocated on time and its waits."""

    workers: int
    share_allocated_on_time: ConfidenceInterval
    mean_wait_days: ConfidenceInterval
    p95_wait_days: ConfidenceInterval
    utilisation: ConfidenceInterval
    offered_utilisation: float


# The figures that get a confidence interval: all but the count of arrivals.
FIGURES = tuple(name for name in ReplicationResult.__dataclass_fields__ if name != "arrivals")


def simulation_scenario(scenario: Scenario) -> SimulationScenario:
    """The simulated year of a resource-model scenario: its cases a year spread over the
    working days, its case-type profile, and the inputs of its `simulation` section."""
    plan(scenario)  # validates every input, the simulation section's among them
    inputs = scenario.simulation
    return SimulationScenario(
        requests_per_working_day=float(
            scenario.total_cases_per_year / inputs.working_days_per_year
        ),
        case_type_mix={name: float(ct.share_percent) for name, ct in scenario.case_types.items()},
        support_weeks={name: float(weeks) for name, weeks in inputs.support_weeks.items()},
        caseload_limit=inputs.caseload_limit,
        allocation_target_days=float(inputs.allocation_target_days),
        working_days_per_year=float(inputs.working_days_per_year),
        seasonal_factors=tuple(float(factor) for factor in inputs.seasonal_factors),
        duration_cv=float(inputs.duration_cv),
        warm_up_days=float(inputs.warm_up_days),
        school_holiday_weeks=tuple(inputs.school_holiday_weeks),
        school_holiday_factor=float(inputs.school_holiday_factor),
        review_extension_probability=float(inputs.review_extension_percent / HUNDRED),
        review_extension_weeks=float(inputs.review_extension_weeks),
        leave_days_per_year=float(inputs.leave_days_per_year),
        leave_block_days=inputs.leave_block_days,
    )


def default_simulation_scenario() -> SimulationScenario:
    """The seed's year: 10,000 cases over 253 working days, the 5/40/50/5 case-type mix,
    caseloads of 18, with the leave, school holidays and reviews of its simulation inputs."""
    return simulation_scenario(default_scenario())


def default_workers(scenario: Scenario) -> int:
    """Workers to simulate when none are given: the casework FTE required, rounded."""
    fte = plan(scenario).casework_fte_required
    return int(fte.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def mean_case_days(scenario: SimulationScenario) -> float:
    """The mean length of a case in working days: weeks of support weighted by the mix,
    plus the expected extensions (each review extends with probability p: p / (1 - p))."""
    base = sum(
        share / float(HUNDRED) * scenario.support_weeks[name] * WORKING_DAYS_PER_WEEK
        for name, share in scenario.case_type_mix.items()
    )
    p = scenario.review_extension_probability
    return base + p / (1 - p) * scenario.review_extension_weeks * WORKING_DAYS_PER_WEEK


def offered_utilisation(scenario: SimulationScenario, *, workers: int) -> float:
    """Demand over capacity: arrivals a day x mean case days / (workers x caseload limit);
    the long-run utilisation when it is under 1 (the demand pattern keeps the mean rate)."""
    return (
        scenario.requests_per_working_day
        * mean_case_days(scenario)
        / (workers * scenario.caseload_limit)
    )


def demand_pattern(scenario: SimulationScenario) -> tuple[tuple[float, float, float], ...]:
    """The year's arrival pattern as (start day, end day, factor) spans covering the working
    year: month factor x school-holiday factor, scaled so that the year's mean is 1."""
    year = scenario.working_days_per_year
    month_days = year / MONTHS
    week_days = year / WEEKS_PER_YEAR
    months = scenario.seasonal_factors or (1.0,) * MONTHS
    holidays = set(scenario.school_holiday_weeks)
    # Spans run between month and week boundaries, counted by integer indices so that
    # float rounding cannot put a boundary in the wrong span.
    bounds = sorted({m * month_days for m in range(MONTHS)} | {w * week_days for w in range(52)})
    bounds.append(year)
    spans = []
    for low, high in pairwise(bounds):
        if high <= low:
            continue
        middle = (low + high) / 2
        month = min(int(middle // month_days), MONTHS - 1)
        week = min(int(middle // week_days), WEEKS_PER_YEAR - 1) + 1
        factor = months[month] * (scenario.school_holiday_factor if week in holidays else 1.0)
        spans.append((low, high, factor))
    mean = sum((high - low) * factor for low, high, factor in spans) / year
    if mean <= 0:
        raise ScenarioError("seasonal_factors", "leave no requests in the year")
    return tuple((low, high, factor / mean) for low, high, factor in spans)


def arrival_times(
    scenario: SimulationScenario, rng: random.Random, *, until: float
) -> Iterator[float]:
    """Poisson arrival times from day 0 to `until` at the patterned rate; the measured year
    starts at the warm-up's end, so day 0 is that long before the year's first day."""
    spans = demand_pattern(scenario)
    starts = [low for low, _, _ in spans]
    year = scenario.working_days_per_year
    offset = -scenario.warm_up_days
    cycle = math.floor(offset / year)
    index = bisect_right(starts, offset - cycle * year) - 1
    now = 0.0
    while now < until:
        _low, high, factor = spans[index]
        boundary = scenario.warm_up_days + cycle * year + high
        rate = scenario.requests_per_working_day * factor
        candidate = now + rng.expovariate(rate) if rate > 0 else math.inf
        if candidate < boundary:
            now = candidate
            if now < until:
                yield now
            continue
        # Memorylessness: a draw that crosses a span's end restarts there at the next rate.
        now = boundary
        index += 1
        if index == len(spans):
            index = 0
            cycle += 1


def leave_blocks(
    scenario: SimulationScenario, rng: random.Random, *, year_start: float
) -> list[tuple[float, float]]:
    """One worker's leave in the working year from year_start: (first day, day after) blocks
    of leave_block_days (the last one shorter), at random, whole days, never overlapping."""
    days = scenario.leave_days_per_year
    if days <= 0:
        return []
    size = scenario.leave_block_days
    blocks = math.ceil(days / size)
    slots = int(scenario.working_days_per_year // size)
    chosen = sorted(rng.sample(range(slots), blocks))
    lengths = [size] * (blocks - 1) + [days - size * (blocks - 1)]
    # The shorter last block goes to a random one of the chosen slots.
    rng.shuffle(lengths)
    return [
        (year_start + slot * size, year_start + slot * size + length)
        for slot, length in zip(chosen, lengths, strict=True)
    ]


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
    if any(not 1 <= week <= WEEKS_PER_YEAR for week in scenario.school_holiday_weeks):
        raise ScenarioError("school_holiday_weeks", "weeks are 1 to 52")
    if scenario.school_holiday_factor < 0:
        raise ScenarioError("school_holiday_factor", "must not be negative")
    if scenario.duration_cv < 0:
        raise ScenarioError("duration_cv", "must not be negative")
    if scenario.warm_up_days < 0:
        raise ScenarioError("warm_up_days", "must not be negative")
    if not 0 <= scenario.review_extension_probability < 1:
        raise ScenarioError("review_extension_probability", "must be at least 0 and below 1")
    if scenario.review_extension_weeks < 0:
        raise ScenarioError("review_extension_weeks", "must not be negative")
    if scenario.leave_block_days < 1:
        raise ScenarioError("leave_block_days", "must be at least one day")
    if scenario.leave_days_per_year < 0:
        raise ScenarioError("leave_days_per_year", "must not be negative")
    blocks = math.ceil(scenario.leave_days_per_year / scenario.leave_block_days)
    if blocks > scenario.working_days_per_year // scenario.leave_block_days:
        raise ScenarioError("leave_days_per_year", "do not fit in the year's working days")
    if workers <= 0:
        raise ScenarioError("workers", "must be more than zero")
    if scenario.requests_per_working_day > 0:
        demand_pattern(scenario)


class _Year:
    """One replication's state: the SimPy environment, its processes and the statistics."""

    def __init__(self, scenario: SimulationScenario, *, workers: int, rng: random.Random) -> None:
        self.scenario = scenario
        self.env = simpy.Environment()
        self.start = scenario.warm_up_days
        self.end = self.start + scenario.working_days_per_year
        self.workers = workers
        self.open_cases = [0] * workers
        self.on_leave = [False] * workers
        # Already a heap: (0, 0), (0, 1), ... in order.
        self.candidates = [(0, worker) for worker in range(workers)]
        self.queue: deque[tuple[float, float]] = deque()
        self.waits: list[float] = []
        self.allocated_in_year = 0
        self.arrivals = 0
        # Requests of the measured year still waiting: the run ends when none is left.
        self.pending = 0
        self.arrivals_over = False
        self.busy = 0
        self.last = 0.0
        self.busy_area = 0.0
        self.queue_area = 0.0
        self.wake_up = self.env.event()
        self.done = self.env.event()
        # Separate streams: the requests do not depend on the staffing, nor leave on demand.
        self.arrival_rng = random.Random(rng.getrandbits(64))  # noqa: S311
        self.leave_seed = rng.getrandbits(64)

    # --- statistics --------------------------------------------------------------------

    def advance(self) -> None:
        """Time-weighted areas under the open cases and the queue, in the measured year."""
        now = self.env.now
        overlap = min(now, self.end) - max(self.last, self.start)
        if overlap > 0:
            self.busy_area += self.busy * overlap
            self.queue_area += len(self.queue) * overlap
        self.last = now

    def poke(self) -> None:
        """Wake the allocator: a request arrived, a place came free or a worker came back."""
        if not self.wake_up.triggered:
            self.wake_up.succeed()

    # --- processes ---------------------------------------------------------------------

    def arrive(self) -> Iterator[simpy.Event]:
        """Requests arrive; each brings its case's length, drawn now from the arrival stream."""
        scenario = self.scenario
        rng = self.arrival_rng
        names = list(scenario.case_type_mix)
        cumulative = list(accumulate(scenario.case_type_mix[name] for name in names))
        days = {name: scenario.support_weeks[name] * WORKING_DAYS_PER_WEEK for name in names}
        extension = scenario.review_extension_weeks * WORKING_DAYS_PER_WEEK
        p_extend = scenario.review_extension_probability
        cv = scenario.duration_cv
        for when in arrival_times(scenario, rng, until=self.end):
            yield self.env.timeout(when - self.env.now)
            name = rng.choices(names, cum_weights=cumulative)[0]
            length = days[name]
            if cv:
                shape = 1 / cv**2
                length = rng.gammavariate(shape, length / shape)
            while p_extend and rng.random() < p_extend:
                length += extension
            self.advance()
            measured = when >= self.start
            self.arrivals += measured
            self.pending += measured
            self.queue.append((when, length))
            self.poke()
        self.arrivals_over = True
        if not self.pending:
            self.done.succeed()

    def free_worker(self) -> int | None:
        """The available worker with the most headroom (fewest open cases, then the lowest
        number), or None. Candidates sit in a heap of (open cases, worker) pushed whenever
        a worker's cases or leave change; entries that no longer hold are dropped."""
        heap = self.candidates
        limit = self.scenario.caseload_limit
        while heap:
            cases, worker = heap[0]
            if self.open_cases[worker] == cases and cases < limit and not self.on_leave[worker]:
                return worker
            heapq.heappop(heap)
        return None

    def offer(self, worker: int) -> None:
        """Put a worker forward for allocation as they stand now."""
        cases = self.open_cases[worker]
        if cases < self.scenario.caseload_limit and not self.on_leave[worker]:
            heapq.heappush(self.candidates, (cases, worker))

    def allocate(self) -> Iterator[simpy.Event]:
        """Give the request at the head of the queue to the available worker with the most
        headroom; wait when the queue is empty or nobody can take a case."""
        open_cases = self.open_cases
        while True:
            worker = self.free_worker() if self.queue else None
            if worker is None:
                yield self.wake_up
                self.wake_up = self.env.event()
                continue
            heapq.heappop(self.candidates)
            self.advance()
            arrived, length = self.queue.popleft()
            now = self.env.now
            open_cases[worker] += 1
            self.offer(worker)
            self.busy += 1
            if self.start <= now < self.end:
                self.allocated_in_year += 1
            if arrived >= self.start:
                self.waits.append(now - arrived)
                self.pending -= 1
                if self.arrivals_over and not self.pending:
                    self.done.succeed()
            self.env.timeout(length).callbacks.append(lambda _, worker=worker: self.close(worker))

    def close(self, worker: int) -> None:
        """A case ends and its worker has a place again."""
        self.advance()
        self.open_cases[worker] -= 1
        self.busy -= 1
        self.offer(worker)
        self.poke()

    def take_leave(self, worker: int) -> Iterator[simpy.Event]:
        """One worker's leave, year by year; blocks already over at day 0 are skipped."""
        rng = random.Random(f"{self.leave_seed}:{worker}")  # noqa: S311
        year = self.scenario.working_days_per_year
        cycle = math.floor(-self.start / year)
        while True:
            year_start = self.start + cycle * year
            for first, after in leave_blocks(self.scenario, rng, year_start=year_start):
                if after <= self.env.now:
                    continue
                if first > self.env.now:
                    yield self.env.timeout(first - self.env.now)
                self.on_leave[worker] = True
                yield self.env.timeout(after - self.env.now)
                self.on_leave[worker] = False
                self.offer(worker)
                self.poke()
            cycle += 1

    def run(self) -> ReplicationResult:
        env = self.env
        env.process(self.arrive())
        env.process(self.allocate())
        if self.scenario.leave_days_per_year > 0:
            for worker in range(self.workers):
                env.process(self.take_leave(worker))
        env.run(until=self.done)
        self.advance()
        scenario = self.scenario
        year = scenario.working_days_per_year
        waits = self.waits
        target = scenario.allocation_target_days
        return ReplicationResult(
            arrivals=self.arrivals,
            mean_wait_days=statistics.fmean(waits) if waits else 0.0,
            median_wait_days=statistics.median(waits) if waits else 0.0,
            p95_wait_days=_percentile(waits, 95),
            share_allocated_on_time=(
                sum(1 for wait in waits if wait <= target) / len(waits) if waits else 1.0
            ),
            mean_caseload=self.busy_area / year / self.workers,
            utilisation=self.busy_area / year / (self.workers * scenario.caseload_limit),
            mean_number_waiting=self.queue_area / year,
            arrivals_per_working_day=self.arrivals / year,
            cases_allocated_per_worker=self.allocated_in_year / self.workers,
        )


def run_replication(
    scenario: SimulationScenario, *, workers: int, rng: random.Random
) -> ReplicationResult:
    """Simulate the warm-up and one year; a year's requests are followed until allocated."""
    validate_simulation(scenario, workers=workers)
    return _Year(scenario, workers=workers, rng=rng).run()


def _replicate(job: tuple[SimulationScenario, int, int]) -> ReplicationResult:
    """One replication from its own seed (top level, so that a worker process can run it)."""
    scenario, workers, seed = job
    # A simulation's draws need reproducibility, not secrecy.
    return _Year(scenario, workers=workers, rng=random.Random(seed)).run()  # noqa: S311


def _portable(scenario: SimulationScenario) -> SimulationScenario:
    """The scenario with plain dicts and tuples, which any process can unpickle."""
    return replace(
        scenario,
        case_type_mix=dict(scenario.case_type_mix),
        support_weeks=dict(scenario.support_weeks),
        seasonal_factors=(
            tuple(scenario.seasonal_factors) if scenario.seasonal_factors is not None else None
        ),
        school_holiday_weeks=tuple(scenario.school_holiday_weeks),
    )


def _start_method() -> str:
    """Fork worker processes when this process runs one thread (a command, a script): it is
    quick. A fork of a threaded process (a web server) could copy a lock that another
    thread holds, so there they are spawned afresh, which costs a start-up each."""
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


def _run_jobs(
    jobs: Sequence[tuple[SimulationScenario, int, int]], processes: int
) -> list[ReplicationResult]:
    """Run the jobs in order, in this process or spread over `processes` worker processes;
    each job depends only on its own seed, so the results are the same either way."""
    if processes < 1:
        raise ScenarioError("processes", "must be at least one")
    if processes == 1 or len(jobs) < 2:
        return [_replicate(job) for job in jobs]
    context = multiprocessing.get_context(_start_method())
    with ProcessPoolExecutor(max_workers=min(processes, len(jobs)), mp_context=context) as pool:
        return list(pool.map(_replicate, jobs))


def simulate(
    scenario: SimulationScenario,
    *,
    workers: int,
    replications: int,
    seed: int,
    processes: int = 1,
) -> SimulationResult:
    """Run the year `replications` times, each from Random(seed + replication), on up to
    `processes` processes (1 runs them here), and give a 95% confidence interval of the
    mean of every figure (clipped at 0, and at 1 for shares)."""
    if replications < 1:
        raise ScenarioError("replications", "must be at least one")
    validate_simulation(scenario, workers=workers)
    portable = _portable(scenario)
    runs = tuple(_run_jobs([(portable, workers, seed + r) for r in range(replications)], processes))
    return SimulationResult(replications=runs, intervals=_intervals(runs))


def on_time_by_staffing(
    scenario: SimulationScenario | Scenario,
    workers_levels: Sequence[int],
    replications: int,
    seed: int,
    processes: int = 1,
) -> list[StaffingLevelResult]:
    """The share allocated on time (and waits, utilisation) at each number of workers, for
    a chart against FTE. Every level sees the same replications' requests (seeds seed,
    seed + 1, ...), so the curve shows the staffing's effect, not the draws'."""
    if isinstance(scenario, Scenario):
        scenario = simulation_scenario(scenario)
    if replications < 1:
        raise ScenarioError("replications", "must be at least one")
    if not workers_levels:
        raise ScenarioError("workers_levels", "must give at least one number of workers")
    for workers in workers_levels:
        validate_simulation(scenario, workers=workers)
    portable = _portable(scenario)
    jobs = [(portable, w, seed + r) for w in workers_levels for r in range(replications)]
    runs = _run_jobs(jobs, processes)
    levels = []
    for index, workers in enumerate(workers_levels):
        intervals = _intervals(runs[index * replications : (index + 1) * replications])
        levels.append(
            StaffingLevelResult(
                workers=workers,
                share_allocated_on_time=intervals["share_allocated_on_time"],
                mean_wait_days=intervals["mean_wait_days"],
                p95_wait_days=intervals["p95_wait_days"],
                utilisation=intervals["utilisation"],
                offered_utilisation=offered_utilisation(scenario, workers=workers),
            )
        )
    return levels


# Figures that are shares, so their intervals end at 1 as every figure's ends at 0.
_SHARES = frozenset({"share_allocated_on_time", "utilisation"})


def _intervals(runs: Sequence[ReplicationResult]) -> dict[str, ConfidenceInterval]:
    """Each figure's interval, clipped to the values the figure can take."""
    intervals = {}
    for name in FIGURES:
        interval = confidence_interval([getattr(run, name) for run in runs])
        high = min(interval.high, 1.0) if name in _SHARES else interval.high
        intervals[name] = ConfidenceInterval(interval.mean, max(interval.low, 0.0), high)
    return intervals


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
