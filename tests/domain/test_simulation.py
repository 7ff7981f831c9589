import itertools
import random
import statistics
import threading
from dataclasses import replace

import pytest

from earlyhelp.domain import simulation
from earlyhelp.domain.resource_model import ScenarioError, default_scenario
from earlyhelp.domain.simulation import (
    SimulationScenario,
    arrival_times,
    confidence_interval,
    default_simulation_scenario,
    default_workers,
    demand_pattern,
    leave_blocks,
    mean_case_days,
    offered_utilisation,
    on_time_by_staffing,
    run_replication,
    simulate,
    simulation_scenario,
)

MIX = {"L3": 5, "L2A": 40, "L2B": 50, "L2-L1": 5}
# A small service: 1,000 cases a year over 253 working days, past a warm-up of 150 days
# (over twice a case's length) so that the year is measured in steady state.
SMALL = SimulationScenario(requests_per_working_day=1000 / 253, case_type_mix=MIX, warm_up_days=150)


def test_a_case_lasts_its_weeks_of_support_weighted_by_the_mix():
    # 5% of 15 weeks and 95% of 12 weeks, 5 working days a week.
    assert mean_case_days(SMALL) == pytest.approx((0.05 * 15 + 0.95 * 12) * 5)


def test_the_default_scenario_is_the_seeds_10000_cases_and_caseload_of_18():
    scenario = default_simulation_scenario()
    assert scenario.requests_per_working_day * 253 == pytest.approx(10000)
    assert scenario.case_type_mix == MIX
    assert scenario.caseload_limit == 18
    assert scenario.allocation_target_days == 5
    # 253 working days less the seed's 46 weeks of 5 days.
    assert scenario.leave_days_per_year == 23
    assert scenario.review_extension_probability == pytest.approx(0.1)


def test_default_workers_are_the_casework_fte_rounded():
    assert default_workers(default_scenario()) == 175  # 174.9 FTE


def test_review_extensions_lengthen_the_mean_case():
    extended = replace(SMALL, review_extension_probability=0.2, review_extension_weeks=6)
    # Each review extends with probability 0.2: 0.2 / 0.8 extensions of 30 days on average.
    assert mean_case_days(extended) == pytest.approx(mean_case_days(SMALL) + 0.25 * 30)


def test_a_seed_gives_the_same_results_every_time():
    first = simulate(SMALL, workers=14, replications=3, seed=42)
    again = simulate(SMALL, workers=14, replications=3, seed=42)
    other = simulate(SMALL, workers=14, replications=3, seed=43)
    assert first == again
    assert first != other


def test_replication_n_of_seed_s_is_replication_0_of_seed_s_plus_n():
    many = simulate(SMALL, workers=14, replications=3, seed=10)
    one = simulate(SMALL, workers=14, replications=1, seed=12)
    assert many.replications[2] == one.replications[0]


def test_with_ample_workers_every_request_is_allocated_at_once():
    result = simulate(SMALL, workers=30, replications=5, seed=1)
    for run in result.replications:
        assert run.share_allocated_on_time == 1
        assert run.mean_wait_days == 0
        assert run.p95_wait_days == 0


def test_with_too_few_workers_waits_grow_and_requests_miss_five_days():
    enough = simulate(SMALL, workers=14, replications=5, seed=1).intervals
    short = simulate(SMALL, workers=12, replications=5, seed=1).intervals
    assert offered_utilisation(SMALL, workers=12) > 1
    assert short["mean_wait_days"].low > enough["mean_wait_days"].high
    assert short["p95_wait_days"].mean > 5
    assert short["share_allocated_on_time"].mean < 0.5
    assert short["utilisation"].mean == pytest.approx(1, abs=0.01)


def test_littles_law_number_waiting_is_arrival_rate_times_mean_wait():
    # 14 workers carry 95% of their caseload places, so requests queue but the queue
    # empties again; edge effects of a finite year stay within a few per cent.
    result = simulate(SMALL, workers=14, replications=10, seed=3)
    ratios = [
        run.mean_number_waiting / (run.arrivals_per_working_day * run.mean_wait_days)
        for run in result.replications
        if run.mean_wait_days > 0
    ]
    assert len(ratios) >= 5
    assert statistics.fmean(ratios) == pytest.approx(1, abs=0.05)


def test_utilisation_is_demand_over_capacity_within_the_confidence_interval():
    # Demand 3.95 a day x 60.75 days against 20 x 18 places: two thirds busy. A 95%
    # interval misses the true value one time in 20; this seed's is a fair draw.
    result = simulate(SMALL, workers=20, replications=20, seed=100)
    expected = offered_utilisation(SMALL, workers=20)
    assert expected == pytest.approx(2 / 3, abs=0.001)
    assert expected in result.intervals["utilisation"]
    for run in result.replications:
        # Each year's own arrivals explain its own utilisation closely.
        own = run.arrivals_per_working_day * mean_case_days(SMALL) / (20 * 18)
        assert run.utilisation == pytest.approx(own, rel=0.05)


def test_mean_caseload_is_utilisation_times_the_caseload_limit():
    run = simulate(SMALL, workers=20, replications=1, seed=2).replications[0]
    assert run.mean_caseload == pytest.approx(run.utilisation * 18)


def test_seasonal_factors_shift_arrivals_between_months():
    busy_autumn = SimulationScenario(
        requests_per_working_day=1000 / 253,
        case_type_mix=MIX,
        seasonal_factors=(0.0,) * 6 + (2.0,) * 6,
    )
    result = simulate(busy_autumn, workers=30, replications=3, seed=1)
    plain = simulate(SMALL, workers=30, replications=3, seed=1)
    # The same yearly volume, so the same arrival rate within noise.
    assert result.intervals["arrivals_per_working_day"].mean == pytest.approx(
        plain.intervals["arrivals_per_working_day"].mean, rel=0.1
    )


def test_confidence_interval_uses_students_t():
    interval = confidence_interval([1.0, 2.0, 3.0])
    # mean 2, sd 1, t(2) = 4.303: 2 +/- 4.303 / sqrt(3)
    assert interval.mean == 2
    assert interval.high - interval.mean == pytest.approx(4.303 / 3**0.5)


@pytest.mark.parametrize(
    ("change", "input_name"),
    [
        ({"case_type_mix": {"L3": 50, "L2A": 40}}, "case_type_mix"),
        ({"case_type_mix": {"L9": 100}}, "support_weeks.L9"),
        ({"caseload_limit": 0}, "caseload_limit"),
        ({"seasonal_factors": (1.0,) * 11}, "seasonal_factors"),
        ({"requests_per_working_day": -1}, "requests_per_working_day"),
    ],
)
def test_bad_inputs_are_named(change, input_name):
    fields = {"requests_per_working_day": 4.0, "case_type_mix": MIX} | change
    with pytest.raises(ScenarioError) as error:
        simulate(SimulationScenario(**fields), workers=10, replications=1, seed=0)
    assert error.value.input == input_name


def test_no_workers_is_refused():
    with pytest.raises(ScenarioError, match="workers"):
        simulate(SMALL, workers=0, replications=1, seed=0)


def test_variable_case_lengths_keep_their_mean_so_utilisation_holds():
    varied = SimulationScenario(
        requests_per_working_day=1000 / 253, case_type_mix=MIX, warm_up_days=150, duration_cv=0.5
    )
    result = simulate(varied, workers=20, replications=5, seed=1)
    assert result.intervals["utilisation"].mean == pytest.approx(2 / 3, abs=0.03)


# A small year with the seed's shape: school holidays, review extensions and leave.
RICH = replace(
    SMALL,
    school_holiday_weeks=(1, 8, 14, 15, 22, 30, 31, 32, 33, 34, 35, 43, 52),
    school_holiday_factor=0.7,
    review_extension_probability=0.1,
    review_extension_weeks=6,
    leave_days_per_year=23,
)


def test_processes_give_the_same_results_as_one_process():
    here = simulate(RICH, workers=16, replications=4, seed=7)
    spread = simulate(RICH, workers=16, replications=4, seed=7, processes=2)
    assert spread == here


def test_littles_law_holds_with_holidays_extensions_and_leave():
    result = simulate(RICH, workers=15, replications=10, seed=3)
    assert offered_utilisation(RICH, workers=15) < 1
    ratios = [
        run.mean_number_waiting / (run.arrivals_per_working_day * run.mean_wait_days)
        for run in result.replications
        if run.mean_wait_days > 0
    ]
    assert len(ratios) >= 5
    assert statistics.fmean(ratios) == pytest.approx(1, abs=0.05)


def test_utilisation_with_extensions_and_leave_is_demand_over_capacity():
    result = simulate(RICH, workers=18, replications=20, seed=100)
    expected = offered_utilisation(RICH, workers=18)
    assert expected in result.intervals["utilisation"]


def test_the_seeds_service_understaffed_breaches_the_five_day_timescale():
    scenario = default_simulation_scenario()
    result = simulate(scenario, workers=125, replications=2, seed=1).intervals
    assert offered_utilisation(scenario, workers=125) > 1.1
    assert result["share_allocated_on_time"].mean < 0.1
    assert result["p95_wait_days"].mean > 5
    assert result["utilisation"].mean == pytest.approx(1, abs=0.02)


def test_the_seeds_service_at_its_casework_fte_allocates_on_time():
    scenario = default_simulation_scenario()
    result = simulate(scenario, workers=175, replications=2, seed=1).intervals
    assert result["share_allocated_on_time"].mean > 0.99
    # Every worker takes about the cases a year the analytic model gives one FTE (57.2).
    assert result["cases_allocated_per_worker"].mean == pytest.approx(57.2, rel=0.05)


def test_a_worker_on_leave_takes_no_new_case():
    # One worker, on leave all year but one week: requests wait for that week.
    quiet = SimulationScenario(
        requests_per_working_day=0.05, case_type_mix=MIX, caseload_limit=50, warm_up_days=0
    )
    away = replace(quiet, leave_days_per_year=248)
    at_work = simulate(quiet, workers=1, replications=3, seed=2)
    on_leave = simulate(away, workers=1, replications=3, seed=2)
    assert at_work.intervals["mean_wait_days"].mean == 0
    assert on_leave.intervals["mean_wait_days"].mean > 20
    assert on_leave.intervals["share_allocated_on_time"].mean < 0.5


def test_leave_blocks_are_whole_days_within_the_year_and_never_overlap():
    scenario = replace(SMALL, leave_days_per_year=23, leave_block_days=5)
    blocks = leave_blocks(scenario, random.Random(4), year_start=100)
    assert sum(after - first for first, after in blocks) == 23
    assert sorted(after - first for first, after in blocks) == [3, 5, 5, 5, 5]
    for (_, after), (next_first, _) in itertools.pairwise(blocks):
        assert after <= next_first
    for first, after in blocks:
        assert first == int(first)
        assert 100 <= first < after <= 100 + 253


def test_the_demand_pattern_keeps_the_years_mean_rate():
    pattern = demand_pattern(RICH)
    assert pattern[0][0] == 0
    assert pattern[-1][1] == 253
    mean = sum((high - low) * factor for low, high, factor in pattern) / 253
    assert mean == pytest.approx(1)
    holiday = [factor for low, high, factor in pattern if high <= 253 / 52]  # week 1
    term = [factor for low, high, factor in pattern if low >= 253 / 52 and high <= 2 * 253 / 52]
    assert holiday[0] / term[0] == pytest.approx(0.7)


def test_no_requests_arrive_in_weeks_whose_factor_is_zero():
    first_half_off = replace(
        SMALL, warm_up_days=0, school_holiday_weeks=range(1, 27), school_holiday_factor=0.0
    )
    times = list(arrival_times(first_half_off, random.Random(1), until=253))
    assert times
    assert min(times) >= 26 * 253 / 52
    # The year still brings its 1,000 requests, all in the second half.
    assert len(times) == pytest.approx(1000, rel=0.1)


def test_on_time_by_staffing_rises_with_workers_and_matches_simulate():
    levels = on_time_by_staffing(RICH, [14, 15, 16, 18], replications=3, seed=5)
    shares = [level.share_allocated_on_time.mean for level in levels]
    assert shares == sorted(shares)
    assert shares[0] < 0.5 < shares[-1]
    assert [level.workers for level in levels] == [14, 15, 16, 18]
    alone = simulate(RICH, workers=15, replications=3, seed=5).intervals
    assert levels[1].share_allocated_on_time == alone["share_allocated_on_time"]
    assert levels[1].offered_utilisation == offered_utilisation(RICH, workers=15)


def test_on_time_by_staffing_takes_a_resource_model_scenario():
    levels = on_time_by_staffing(default_scenario(), [120], replications=1, seed=1)
    assert levels[0].share_allocated_on_time.mean < 0.1


def test_simulation_scenario_comes_from_the_resource_model():
    scenario = simulation_scenario(default_scenario())
    assert scenario.requests_per_working_day == pytest.approx(10000 / 253)
    assert scenario.support_weeks == {"L3": 15, "L2A": 12, "L2B": 12, "L2-L1": 12}
    assert scenario.school_holiday_factor == pytest.approx(0.7)
    assert len(scenario.school_holiday_weeks) == 13
    assert scenario.warm_up_days == 130


def test_run_replication_is_one_replication_of_simulate():
    run = run_replication(RICH, workers=16, rng=random.Random(9))
    assert run == simulate(RICH, workers=16, replications=1, seed=9).replications[0]


@pytest.mark.parametrize(
    ("change", "input_name"),
    [
        ({"school_holiday_weeks": (0,)}, "school_holiday_weeks"),
        ({"school_holiday_factor": -0.1}, "school_holiday_factor"),
        ({"review_extension_probability": 1.0}, "review_extension_probability"),
        ({"review_extension_weeks": -1}, "review_extension_weeks"),
        ({"leave_days_per_year": -1}, "leave_days_per_year"),
        ({"leave_days_per_year": 252, "leave_block_days": 5}, "leave_days_per_year"),
        ({"leave_block_days": 0}, "leave_block_days"),
        ({"seasonal_factors": (0.0,) * 12}, "seasonal_factors"),
    ],
)
def test_bad_new_inputs_are_named(change, input_name):
    with pytest.raises(ScenarioError) as error:
        simulate(replace(SMALL, **change), workers=10, replications=1, seed=0)
    assert error.value.input == input_name


def test_too_few_processes_are_refused():
    with pytest.raises(ScenarioError, match="processes"):
        simulate(SMALL, workers=10, replications=2, seed=0, processes=0)


def test_a_threaded_process_spawns_its_workers_and_gets_the_same_results():
    # A web server runs threads: its worker processes are spawned, not forked. (Another
    # test may have left a thread of its own running in this process: compare with then.)
    alone = simulation._start_method()
    release = threading.Event()
    waiting = threading.Thread(target=release.wait)
    waiting.start()
    try:
        assert simulation._start_method() == "spawn"
        spawned = simulate(RICH, workers=16, replications=2, seed=7, processes=2)
    finally:
        release.set()
        waiting.join()
    assert simulation._start_method() == alone
    assert spawned == simulate(RICH, workers=16, replications=2, seed=7)
