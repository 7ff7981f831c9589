"""The analytic resource model of the seed's Appendices C, D and E as a scenario anyone
can change: casework demand, centre delivery and the staffing budget. No Django here.

Every figure is an input; `default_scenario()` holds the seed's values and reproduces
its figures (88,500 slots, 506 slots per FTE, 174.9 casework FTE, 56 centres, 452
sessions a week, 224.4 + 6.2 FTE group establishment, 552.24 FTE and £15,135,098).
Amounts are `Decimal` so that FTE and pounds add up exactly as in the seed's tables;
shares and margins are percentages (5 means 5%).

Beside the three appendices a scenario carries the staff present at each kind of
centre session (Appendix D's session tables), Talkzone's opening hours and contact
volumes (staffed by Erlang C, `talkzone.py`) and the inputs of a simulated year
(`simulation.py`); the last two sections take the seed's values when a scenario file
leaves them out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from earlyhelp.domain import talkzone as erlang

HUNDRED = Decimal(100)
# A profile may miss 100% by rounding in a spreadsheet, but by no more than this.
SHARE_TOLERANCE = Decimal("0.01")
MAX_WORKING_WEEKS = 52
MONTHS = 12
WEEKS_PER_YEAR = 52
MAX_DAYS_OPEN = 366
HOURS_PER_DAY = 24
# Grades of the council's pay scale are written G1, G2, ... G15.
GRADE_PATTERN = re.compile(r"G([1-9]|1[0-5])")


def _d(value: str | int) -> Decimal:
    return Decimal(value)


class ScenarioError(ValueError):
    """A scenario input is missing or out of range; `input` names it, e.g. `working_weeks`."""

    def __init__(self, input_name: str, problem: str) -> None:
        self.input = input_name
        self.problem = problem
        super().__init__(f"{input_name}: {problem}")


@dataclass(frozen=True)
class CaseTypeDemand:
    """One case type's share of the cases and how many delivery slots a case takes."""

    share_percent: Decimal
    slots_per_cycle: Decimal
    cycles_per_year: Decimal


@dataclass(frozen=True)
class EstablishmentPost:
    """FTE of one post in one centre; casual cover is counted apart from the establishment."""

    post: str
    grade: str
    fte: Decimal
    casual: bool = False


@dataclass(frozen=True)
class SessionType:
    """One kind of delivery session at a centre (weekday daytime, twilight, ...): how many a
    week and the staff present at each, by post (e.g. "G4 outreach Type A": 2)."""

    name: str
    sessions_per_week: Decimal
    staff_by_post: Mapping[str, Decimal]


@dataclass(frozen=True)
class CentreType:
    """A centre offer (enhanced or core): how many, sessions a week and the staff per centre.

    `session_types`, when given, must add up to `sessions_per_week`; an empty tuple means
    the offer's sessions are not broken down (and it gives no worker-sessions)."""

    count: int
    sessions_per_week: Decimal
    establishment: tuple[EstablishmentPost, ...]
    session_types: tuple[SessionType, ...] = ()


@dataclass(frozen=True)
class BudgetLine:
    """The FTE and yearly cost (with on-costs) of all posts at one grade."""

    fte: Decimal
    cost: Decimal


@dataclass(frozen=True)
class TalkzoneInputs:
    """Talkzone's opening, its contacts in each opening hour (one figure an hour, from the
    opening hour on) and the service level its staffing must reach (80% in 20 seconds)."""

    opening_start_hour: int
    opening_end_hour: int
    days_open_per_year: int
    contacts_by_hour: tuple[Decimal, ...]
    handling_minutes: Decimal
    target_service_level_percent: Decimal
    target_answer_seconds: Decimal
    hours_per_fte_year: Decimal


@dataclass(frozen=True)
class SimulationInputs:
    """The inputs of a simulated service year (simulation.py) that the analytic model has not
    already: the shape of demand over the year, how long cases last, leave and the queue."""

    working_days_per_year: Decimal
    seasonal_factors: tuple[Decimal, ...]
    school_holiday_weeks: tuple[int, ...]
    school_holiday_factor: Decimal
    support_weeks: Mapping[str, Decimal]
    review_extension_percent: Decimal
    review_extension_weeks: Decimal
    leave_days_per_year: Decimal
    leave_block_days: int
    caseload_limit: int
    allocation_target_days: Decimal
    warm_up_days: Decimal
    duration_cv: Decimal


def seed_talkzone() -> TalkzoneInputs:
    """Talkzone as the seed runs it: 14:00-22:00, 365 days. The seed gives no contact
    volumes: 36 contacts a day of 10 minutes (an assumption, see README) need 20
    worker-hours a day at 80% in 20 seconds, 4.29 FTE against the budget's 4.24."""
    return TalkzoneInputs(
        opening_start_hour=erlang.OPENING_START_HOUR,
        opening_end_hour=erlang.OPENING_END_HOUR,
        days_open_per_year=365,
        contacts_by_hour=tuple(_d(n) for n in (3, 4, 5, 6, 6, 5, 4, 3)),
        handling_minutes=_d(10),
        target_service_level_percent=_d(80),
        target_answer_seconds=_d(20),
        # 37 hours a week over the seed's 46 working weeks.
        hours_per_fte_year=_d(37 * 46),
    )


def seed_simulation_inputs() -> SimulationInputs:
    """The simulated year's defaults: the seed's 5-day allocation timescale, 15/12-week
    cases, caseload of 18 and 46 working weeks (so 253 - 230 = 23 days' leave); the
    school-holiday weeks of an English school year; the rest are assumptions (README)."""
    return SimulationInputs(
        # 2025 in England: 261 weekdays less 8 weekday bank holidays.
        working_days_per_year=_d(253),
        seasonal_factors=(_d(1),) * MONTHS,
        # Christmas (52, 1), February half term (8), Easter (14, 15), May half term (22),
        # summer (30-35) and October half term (43).
        school_holiday_weeks=(1, 8, 14, 15, 22, 30, 31, 32, 33, 34, 35, 43, 52),
        school_holiday_factor=_d("0.7"),
        support_weeks={"L3": _d(15), "L2A": _d(12), "L2B": _d(12), "L2-L1": _d(12)},
        review_extension_percent=_d(10),
        review_extension_weeks=_d(6),
        leave_days_per_year=_d(23),
        leave_block_days=5,
        caseload_limit=18,
        allocation_target_days=_d(5),
        warm_up_days=_d(130),
        duration_cv=_d(0),
    )


@dataclass(frozen=True)
class Scenario:
    """Every input of the resource model; the defaults are nowhere but in default_scenario()
    and, for the Talkzone and simulation sections, seed_talkzone/seed_simulation_inputs."""

    total_cases_per_year: Decimal
    case_types: Mapping[str, CaseTypeDemand]
    working_weeks: Decimal
    visits_per_week: Decimal
    mixed_caseload: Decimal
    flexibility_margin_percent: Decimal
    centre_types: Mapping[str, CentreType]
    budget: Mapping[str, BudgetLine]
    localities: Mapping[str, Decimal] = field(default_factory=dict)
    talkzone: TalkzoneInputs = field(default_factory=seed_talkzone)
    simulation: SimulationInputs = field(default_factory=seed_simulation_inputs)


@dataclass(frozen=True)
class LocalityPlan:
    """One locality's part of the casework demand, in proportion to its share."""

    share_percent: Decimal
    cases: Decimal
    slots_required: Decimal
    casework_fte_required: Decimal
    casework_fte_with_margin: Decimal


@dataclass(frozen=True)
class GradeBudget:
    """A budget line with its derived cost per FTE."""

    fte: Decimal
    cost: Decimal
    cost_per_fte: Decimal


@dataclass(frozen=True)
class CentreSessions:
    """A centre type's weekly worker-sessions by post: per centre and county-wide."""

    sessions_per_week: Decimal
    worker_sessions_by_post: dict[str, Decimal]
    worker_sessions: Decimal
    county_worker_sessions_by_post: dict[str, Decimal]
    county_worker_sessions: Decimal


@dataclass(frozen=True)
class PlanResult:
    """The model's outputs, at full precision; `result_as_dict` rounds them for people."""

    cases_by_case_type: dict[str, Decimal]
    slots_required_by_case_type: dict[str, Decimal]
    slots_required: Decimal
    slots_per_fte: Decimal
    casework_fte_by_case_type: dict[str, Decimal]
    casework_fte_required: Decimal
    casework_fte_with_margin: Decimal
    cases_per_fte_year: Decimal
    caseload_cases_per_year: Decimal
    caseload_time_excess_percent: Decimal
    centres_by_type: dict[str, int]
    centres: int
    sessions_per_week: Decimal
    group_fte_by_post: dict[str, Decimal]
    group_fte: Decimal
    casual_fte: Decimal
    group_cost: Decimal
    budget: dict[str, GradeBudget]
    total_fte: Decimal
    total_cost: Decimal
    localities: dict[str, LocalityPlan]
    centre_sessions: dict[str, CentreSessions]
    worker_sessions_by_post: dict[str, Decimal]
    worker_sessions_per_week: Decimal
    talkzone_by_hour: dict[int, erlang.HourStaffing]
    talkzone_worker_hours_per_day: int
    talkzone_worker_hours_per_year: Decimal
    talkzone_fte: Decimal


def default_scenario() -> Scenario:
    """The seed's scenario: Appendix C demand, Appendix D centres, Appendix E budget."""

    def centre(
        count: int,
        sessions: int,
        g6: str,
        outreach: str,
        support: str,
        casual: str,
        session_types: tuple[SessionType, ...],
    ) -> CentreType:
        return CentreType(
            count=count,
            sessions_per_week=_d(sessions),
            establishment=(
                EstablishmentPost("G6", "G6", _d(g6)),
                EstablishmentPost("G4 outreach", "G4", _d(outreach)),
                EstablishmentPost("G4 delivery support", "G4", _d(support)),
                EstablishmentPost("casual", "G4", _d(casual), casual=True),
            ),
            session_types=session_types,
        )

    def session(
        name: str, sessions: int, g6: int, type_a: int, type_b: int, support: int
    ) -> SessionType:
        return SessionType(
            name=name,
            sessions_per_week=_d(sessions),
            staff_by_post={
                "G6": _d(g6),
                "G4 outreach Type A": _d(type_a),
                "G4 outreach Type B": _d(type_b),
                "G4 delivery support": _d(support),
            },
        )

    # Appendix D's core table: 7 sessions, 26 worker-sessions (G6 7, outreach 14, DSW 5).
    core_sessions = (
        session("weekday daytime", 5, 1, 2, 0, 1),
        session("twilight", 1, 1, 2, 0, 0),
        session("evening/weekend", 1, 1, 0, 2, 0),
    )
    # The enhanced table's figures did not survive in the seed: an assumption (README)
    # giving 12 sessions with worker-sessions per establishment FTE close to the core's;
    # the centres' offer tables (centres/lancashire_centres.yaml) hold the same figures.
    enhanced_sessions = (
        session("weekday daytime", 6, 1, 3, 0, 1),
        session("twilight", 2, 1, 3, 0, 0),
        session("evening/weekend", 4, 1, 0, 3, 0),
    )

    budget = {
        "G14": ("1", "85498"),
        "G12": ("3", "177516"),
        "G11": ("8", "434768"),
        "G9": ("12", "524052"),
        "G8": ("55", "2081310"),
        "G7": ("3", "98748"),
        "G6": ("273.24", "7579131"),
        "G5": ("12", "285540"),
        "G4": ("185", "3868535"),
    }
    return Scenario(
        total_cases_per_year=_d(10000),
        case_types={
            "L3": CaseTypeDemand(_d(5), _d(15), _d(3)),
            "L2A": CaseTypeDemand(_d(40), _d(12), _d("3.8")),
            "L2B": CaseTypeDemand(_d(50), _d(6), _d("3.8")),
            "L2-L1": CaseTypeDemand(_d(5), _d(6), _d("3.8")),
        },
        working_weeks=_d(46),
        visits_per_week=_d(11),
        mixed_caseload=_d(18),
        flexibility_margin_percent=_d(5),
        centre_types={
            "enhanced": centre(12, 12, "1.5", "4.3", "0.8", "0.15", enhanced_sessions),
            "core": centre(44, 7, "0.9", "1.7", "0.7", "0.1", core_sessions),
        },
        budget={grade: BudgetLine(_d(fte), _d(cost)) for grade, (fte, cost) in budget.items()},
        talkzone=seed_talkzone(),
        simulation=seed_simulation_inputs(),
    )


def _positive(name: str, value: Decimal) -> None:
    """An amount that must be more than zero."""
    if value <= 0:
        raise ScenarioError(name, f"must be more than zero, not {value}")


def _not_negative(name: str, value: Decimal | int) -> None:
    """An amount that may be zero but not less."""
    if value < 0:
        raise ScenarioError(name, f"must not be negative, not {value}")


def _shares_make_100(name: str, shares: Mapping[str, Decimal]) -> None:
    """Shares are percentages, none negative, adding up to 100 within 0.01."""
    for key, share in shares.items():
        _not_negative(f"{name}.{key}", share)
    total = sum(shares.values(), Decimal(0))
    if abs(total - HUNDRED) > SHARE_TOLERANCE:
        raise ScenarioError(name, f"shares must add up to 100%, not {total}%")


def validate_scenario(scenario: Scenario) -> None:
    """Raise ScenarioError naming the first input out of range; return None if all are sound."""
    _positive("total_cases_per_year", scenario.total_cases_per_year)
    if not scenario.case_types:
        raise ScenarioError("case_types", "must name at least one case type")
    _shares_make_100(
        "case_types.share_percent",
        {name: ct.share_percent for name, ct in scenario.case_types.items()},
    )
    for name, ct in scenario.case_types.items():
        _positive(f"case_types.{name}.slots_per_cycle", ct.slots_per_cycle)
        _positive(f"case_types.{name}.cycles_per_year", ct.cycles_per_year)
    _positive("working_weeks", scenario.working_weeks)
    if scenario.working_weeks > MAX_WORKING_WEEKS:
        raise ScenarioError("working_weeks", f"must be at most {MAX_WORKING_WEEKS}")
    _positive("visits_per_week", scenario.visits_per_week)
    _positive("mixed_caseload", scenario.mixed_caseload)
    _not_negative("flexibility_margin_percent", scenario.flexibility_margin_percent)
    for grade, line in scenario.budget.items():
        if not GRADE_PATTERN.fullmatch(grade):
            raise ScenarioError(f"budget.{grade}", "unknown grade (grades are G1 to G15)")
        _positive(f"budget.{grade}.fte", line.fte)
        _not_negative(f"budget.{grade}.cost", line.cost)
    for name, centre in scenario.centre_types.items():
        _not_negative(f"centre_types.{name}.count", centre.count)
        _not_negative(f"centre_types.{name}.sessions_per_week", centre.sessions_per_week)
        for post in centre.establishment:
            where = f"centre_types.{name}.establishment.{post.post}"
            _positive(f"{where}.fte", post.fte)
            if post.grade not in scenario.budget:
                raise ScenarioError(f"{where}.grade", f"unknown grade {post.grade!r}")
    if scenario.localities:
        _shares_make_100("localities", scenario.localities)
    for name, centre in scenario.centre_types.items():
        _validate_sessions(f"centre_types.{name}", centre)
    _validate_talkzone(scenario.talkzone)
    _validate_simulation_inputs(scenario.simulation, scenario.case_types)


def _validate_sessions(where: str, centre: CentreType) -> None:
    """Each session type has sessions and someone present; together they make the offer."""
    if not centre.session_types:
        return
    names = [session.name for session in centre.session_types]
    if len(set(names)) != len(names):
        raise ScenarioError(f"{where}.session_types", "names a session type twice")
    for session in centre.session_types:
        prefix = f"{where}.session_types.{session.name}"
        _positive(f"{prefix}.sessions_per_week", session.sessions_per_week)
        for post, staff in session.staff_by_post.items():
            _not_negative(f"{prefix}.staff_by_post.{post}", staff)
        if sum(session.staff_by_post.values(), Decimal(0)) <= 0:
            raise ScenarioError(f"{prefix}.staff_by_post", "must have someone present")
    total = sum((session.sessions_per_week for session in centre.session_types), Decimal(0))
    if total != centre.sessions_per_week:
        raise ScenarioError(
            f"{where}.session_types",
            f"add up to {total} sessions a week, not the {centre.sessions_per_week} "
            "sessions a week of the offer",
        )


def _validate_talkzone(talkzone: TalkzoneInputs) -> None:
    """Opening hours within a day, one contact figure per opening hour, targets in range."""
    if not 0 <= talkzone.opening_start_hour < HOURS_PER_DAY:
        raise ScenarioError("talkzone.opening_start_hour", "must be an hour from 0 to 23")
    if not talkzone.opening_start_hour < talkzone.opening_end_hour <= HOURS_PER_DAY:
        raise ScenarioError(
            "talkzone.opening_end_hour", "must be after the opening hour and at most 24"
        )
    if not 1 <= talkzone.days_open_per_year <= MAX_DAYS_OPEN:
        raise ScenarioError("talkzone.days_open_per_year", f"must be from 1 to {MAX_DAYS_OPEN}")
    hours = talkzone.opening_end_hour - talkzone.opening_start_hour
    if len(talkzone.contacts_by_hour) != hours:
        raise ScenarioError(
            "talkzone.contacts_by_hour",
            f"must give one figure for each of the {hours} opening hours, "
            f"not {len(talkzone.contacts_by_hour)}",
        )
    for offset, contacts in enumerate(talkzone.contacts_by_hour):
        _not_negative(f"talkzone.contacts_by_hour.{talkzone.opening_start_hour + offset}", contacts)
    _positive("talkzone.handling_minutes", talkzone.handling_minutes)
    if not 0 < talkzone.target_service_level_percent < HUNDRED:
        raise ScenarioError(
            "talkzone.target_service_level_percent", "must be more than 0 and less than 100"
        )
    _not_negative("talkzone.target_answer_seconds", talkzone.target_answer_seconds)
    _positive("talkzone.hours_per_fte_year", talkzone.hours_per_fte_year)


def _validate_simulation_inputs(
    inputs: SimulationInputs, case_types: Mapping[str, CaseTypeDemand]
) -> None:
    """The simulated year's inputs in range, with support weeks for every case type."""
    where = "simulation."
    _positive(f"{where}working_days_per_year", inputs.working_days_per_year)
    if inputs.working_days_per_year > MAX_DAYS_OPEN:
        raise ScenarioError(f"{where}working_days_per_year", f"must be at most {MAX_DAYS_OPEN}")
    if len(inputs.seasonal_factors) != MONTHS:
        raise ScenarioError(
            f"{where}seasonal_factors",
            f"must give one factor for each of the 12 months, not {len(inputs.seasonal_factors)}",
        )
    for month, factor in enumerate(inputs.seasonal_factors, start=1):
        _not_negative(f"{where}seasonal_factors.{month}", factor)
    if not any(inputs.seasonal_factors):
        raise ScenarioError(f"{where}seasonal_factors", "must not all be zero")
    if len(set(inputs.school_holiday_weeks)) != len(inputs.school_holiday_weeks):
        raise ScenarioError(f"{where}school_holiday_weeks", "names a week twice")
    for week in inputs.school_holiday_weeks:
        if not 1 <= week <= WEEKS_PER_YEAR:
            raise ScenarioError(
                f"{where}school_holiday_weeks", f"weeks are 1 to {WEEKS_PER_YEAR}, not {week}"
            )
    _not_negative(f"{where}school_holiday_factor", inputs.school_holiday_factor)
    if inputs.school_holiday_factor == 0 and len(inputs.school_holiday_weeks) == WEEKS_PER_YEAR:
        raise ScenarioError(f"{where}school_holiday_factor", "leaves no requests all year")
    for name in case_types:
        if name not in inputs.support_weeks:
            raise ScenarioError(f"{where}support_weeks.{name}", "is missing")
    for name, weeks in inputs.support_weeks.items():
        if name not in case_types:
            raise ScenarioError(f"{where}support_weeks.{name}", "is not one of the case types")
        _positive(f"{where}support_weeks.{name}", weeks)
    if not 0 <= inputs.review_extension_percent < HUNDRED:
        raise ScenarioError(
            f"{where}review_extension_percent", "must be at least 0 and less than 100"
        )
    _not_negative(f"{where}review_extension_weeks", inputs.review_extension_weeks)
    _not_negative(f"{where}leave_days_per_year", inputs.leave_days_per_year)
    if inputs.leave_days_per_year >= inputs.working_days_per_year:
        raise ScenarioError(
            f"{where}leave_days_per_year", "must be fewer than the working days of the year"
        )
    _positive(f"{where}leave_block_days", Decimal(inputs.leave_block_days))
    _positive(f"{where}caseload_limit", Decimal(inputs.caseload_limit))
    _not_negative(f"{where}allocation_target_days", inputs.allocation_target_days)
    _not_negative(f"{where}warm_up_days", inputs.warm_up_days)
    _not_negative(f"{where}duration_cv", inputs.duration_cv)


def slots_per_fte(scenario: Scenario) -> Decimal:
    """Delivery slots one FTE can give in a year: working weeks x visits a week (46 x 11)."""
    return scenario.working_weeks * scenario.visits_per_week


def mean_slots_per_case(scenario: Scenario) -> Decimal:
    """Slots of the average case: slots per cycle weighted by the case-type profile."""
    return sum(
        (ct.share_percent / HUNDRED * ct.slots_per_cycle for ct in scenario.case_types.values()),
        Decimal(0),
    )


def cases_per_fte_year(scenario: Scenario) -> Decimal:
    """Cases one FTE sees through in a year: slots per FTE / mean slots per case (57.2).

    The same as total cases / casework FTE before margin. The seed's "around 60" is the
    turnover of a mixed caseload of 18 cut by its c.15% time-and-motion excess.
    """
    return slots_per_fte(scenario) / mean_slots_per_case(scenario)


def caseload_cases_per_year(scenario: Scenario) -> Decimal:
    """Cases a full mixed caseload turns over in a year: caseload x profile-weighted cycles."""
    mean_cycles = sum(
        (ct.share_percent / HUNDRED * ct.cycles_per_year for ct in scenario.case_types.values()),
        Decimal(0),
    )
    return scenario.mixed_caseload * mean_cycles


def caseload_time_excess_percent(scenario: Scenario) -> Decimal:
    """How far a full mixed caseload's slots a year (caseload x profile-weighted slots x
    cycles) exceed one FTE's slots, in percent: 17.5% at the seed's values ("c.15%")."""
    slots_per_place = sum(
        (
            ct.share_percent / HUNDRED * ct.slots_per_cycle * ct.cycles_per_year
            for ct in scenario.case_types.values()
        ),
        Decimal(0),
    )
    return (scenario.mixed_caseload * slots_per_place / slots_per_fte(scenario) - 1) * HUNDRED


def plan(scenario: Scenario) -> PlanResult:
    """Work out every output of the scenario; raise ScenarioError first if an input is bad."""
    validate_scenario(scenario)
    margin = 1 + scenario.flexibility_margin_percent / HUNDRED
    capacity = slots_per_fte(scenario)

    cases = {
        name: scenario.total_cases_per_year * ct.share_percent / HUNDRED
        for name, ct in scenario.case_types.items()
    }
    # A case needs one cycle's slots; cycles per year is how often a caseload place turns.
    slots = {name: cases[name] * ct.slots_per_cycle for name, ct in scenario.case_types.items()}
    slots_total = sum(slots.values(), Decimal(0))
    fte_by_type = {name: s / capacity for name, s in slots.items()}
    casework_fte = slots_total / capacity

    centres_by_type = {name: c.count for name, c in scenario.centre_types.items()}
    sessions = sum(
        (c.count * c.sessions_per_week for c in scenario.centre_types.values()), Decimal(0)
    )
    group_by_post: dict[str, Decimal] = {}
    casual = Decimal(0)
    group_cost = Decimal(0)
    budget = {
        grade: GradeBudget(line.fte, line.cost, line.cost / line.fte)
        for grade, line in scenario.budget.items()
    }
    for centre in scenario.centre_types.values():
        for post in centre.establishment:
            fte = centre.count * post.fte
            group_cost += fte * budget[post.grade].cost_per_fte
            if post.casual:
                casual += fte
            else:
                group_by_post[post.post] = group_by_post.get(post.post, Decimal(0)) + fte

    centre_sessions = {
        name: _centre_sessions(centre)
        for name, centre in scenario.centre_types.items()
        if centre.session_types
    }
    sessions_by_post: dict[str, Decimal] = {}
    for sessions_of_type in centre_sessions.values():
        for post, count in sessions_of_type.county_worker_sessions_by_post.items():
            sessions_by_post[post] = sessions_by_post.get(post, Decimal(0)) + count

    tz = scenario.talkzone
    talkzone_by_hour = erlang.staffing_by_hour(
        {
            tz.opening_start_hour + offset: float(contacts)
            for offset, contacts in enumerate(tz.contacts_by_hour)
        },
        float(tz.handling_minutes),
        target_service_level=float(tz.target_service_level_percent / HUNDRED),
        target_seconds=float(tz.target_answer_seconds),
        opening_start_hour=tz.opening_start_hour,
        opening_end_hour=tz.opening_end_hour,
    )
    talkzone_hours_per_day = sum(hour.agents for hour in talkzone_by_hour.values())
    talkzone_hours_per_year = Decimal(talkzone_hours_per_day) * tz.days_open_per_year

    localities = {
        name: LocalityPlan(
            share_percent=share,
            cases=scenario.total_cases_per_year * share / HUNDRED,
            slots_required=slots_total * share / HUNDRED,
            casework_fte_required=casework_fte * share / HUNDRED,
            casework_fte_with_margin=casework_fte * margin * share / HUNDRED,
        )
        for name, share in scenario.localities.items()
    }
    return PlanResult(
        cases_by_case_type=cases,
        slots_required_by_case_type=slots,
        slots_required=slots_total,
        slots_per_fte=capacity,
        casework_fte_by_case_type=fte_by_type,
        casework_fte_required=casework_fte,
        casework_fte_with_margin=casework_fte * margin,
        cases_per_fte_year=cases_per_fte_year(scenario),
        caseload_cases_per_year=caseload_cases_per_year(scenario),
        caseload_time_excess_percent=caseload_time_excess_percent(scenario),
        centres_by_type=centres_by_type,
        centres=sum(centres_by_type.values()),
        sessions_per_week=sessions,
        group_fte_by_post=group_by_post,
        group_fte=sum(group_by_post.values(), Decimal(0)),
        casual_fte=casual,
        group_cost=group_cost,
        budget=budget,
        total_fte=sum((line.fte for line in budget.values()), Decimal(0)),
        total_cost=sum((line.cost for line in budget.values()), Decimal(0)),
        localities=localities,
        centre_sessions=centre_sessions,
        worker_sessions_by_post=sessions_by_post,
        worker_sessions_per_week=sum(sessions_by_post.values(), Decimal(0)),
        talkzone_by_hour=talkzone_by_hour,
        talkzone_worker_hours_per_day=talkzone_hours_per_day,
        talkzone_worker_hours_per_year=talkzone_hours_per_year,
        talkzone_fte=talkzone_hours_per_year / tz.hours_per_fte_year,
    )


def _centre_sessions(centre: CentreType) -> CentreSessions:
    """Worker-sessions a week by post: sessions of each type x staff present at each."""
    by_post: dict[str, Decimal] = {}
    for session in centre.session_types:
        for post, staff in session.staff_by_post.items():
            by_post[post] = by_post.get(post, Decimal(0)) + session.sessions_per_week * staff
    county = {post: count * centre.count for post, count in by_post.items()}
    return CentreSessions(
        sessions_per_week=centre.sessions_per_week,
        worker_sessions_by_post=by_post,
        worker_sessions=sum(by_post.values(), Decimal(0)),
        county_worker_sessions_by_post=county,
        county_worker_sessions=sum(county.values(), Decimal(0)),
    )


# --- Plain data: the scenario file and the JSON output ---------------------------------


def _plain(value: Decimal) -> Decimal | int:
    """A whole number as int, anything else as it is (so 46 reads 46, not 46.0)."""
    return int(value) if value == value.to_integral_value() else value


def _rounded(value: Decimal, places: int = 2) -> Decimal | int:
    """Rounded half up to `places` decimals for people, whole numbers as int."""
    return _plain(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain data (Decimals kept exact), the shape scenario_from_dict reads."""
    return {
        "total_cases_per_year": _plain(scenario.total_cases_per_year),
        "case_types": {
            name: {
                "share_percent": _plain(ct.share_percent),
                "slots_per_cycle": _plain(ct.slots_per_cycle),
                "cycles_per_year": _plain(ct.cycles_per_year),
            }
            for name, ct in scenario.case_types.items()
        },
        "working_weeks": _plain(scenario.working_weeks),
        "visits_per_week": _plain(scenario.visits_per_week),
        "mixed_caseload": _plain(scenario.mixed_caseload),
        "flexibility_margin_percent": _plain(scenario.flexibility_margin_percent),
        "centre_types": {
            name: {
                "count": centre.count,
                "sessions_per_week": _plain(centre.sessions_per_week),
                "establishment": [
                    {"post": p.post, "grade": p.grade, "fte": _plain(p.fte), "casual": p.casual}
                    for p in centre.establishment
                ],
                "session_types": [
                    {
                        "name": session.name,
                        "sessions_per_week": _plain(session.sessions_per_week),
                        "staff_by_post": {
                            post: _plain(staff) for post, staff in session.staff_by_post.items()
                        },
                    }
                    for session in centre.session_types
                ],
            }
            for name, centre in scenario.centre_types.items()
        },
        "budget": {
            grade: {"fte": _plain(line.fte), "cost": _plain(line.cost)}
            for grade, line in scenario.budget.items()
        },
        "localities": {name: _plain(share) for name, share in scenario.localities.items()},
        "talkzone": _talkzone_to_dict(scenario.talkzone),
        "simulation": _simulation_to_dict(scenario.simulation),
    }


def _talkzone_to_dict(talkzone: TalkzoneInputs) -> dict[str, Any]:
    return {
        "opening_start_hour": talkzone.opening_start_hour,
        "opening_end_hour": talkzone.opening_end_hour,
        "days_open_per_year": talkzone.days_open_per_year,
        "contacts_by_hour": [_plain(contacts) for contacts in talkzone.contacts_by_hour],
        "handling_minutes": _plain(talkzone.handling_minutes),
        "target_service_level_percent": _plain(talkzone.target_service_level_percent),
        "target_answer_seconds": _plain(talkzone.target_answer_seconds),
        "hours_per_fte_year": _plain(talkzone.hours_per_fte_year),
    }


def _simulation_to_dict(inputs: SimulationInputs) -> dict[str, Any]:
    return {
        "working_days_per_year": _plain(inputs.working_days_per_year),
        "seasonal_factors": [_plain(factor) for factor in inputs.seasonal_factors],
        "school_holiday_weeks": list(inputs.school_holiday_weeks),
        "school_holiday_factor": _plain(inputs.school_holiday_factor),
        "support_weeks": {name: _plain(weeks) for name, weeks in inputs.support_weeks.items()},
        "review_extension_percent": _plain(inputs.review_extension_percent),
        "review_extension_weeks": _plain(inputs.review_extension_weeks),
        "leave_days_per_year": _plain(inputs.leave_days_per_year),
        "leave_block_days": inputs.leave_block_days,
        "caseload_limit": inputs.caseload_limit,
        "allocation_target_days": _plain(inputs.allocation_target_days),
        "warm_up_days": _plain(inputs.warm_up_days),
        "duration_cv": _plain(inputs.duration_cv),
    }


def _number(name: str, value: object) -> Decimal:
    """A number from plain data (int, float or Decimal; not a bool or text) as a Decimal."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ScenarioError(name, f"must be a number, not {value!r}")
    # str() of a float is its shortest exact spelling, so 3.8 stays 3.8.
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ScenarioError(name, "must be a finite number")
    return number


def _mapping(name: str, value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ScenarioError(name, "must be an object of named values")
    return value


def _field(name: str, data: Mapping[str, Any], key: str) -> Any:
    if key not in data:
        raise ScenarioError(f"{name}{key}", "is missing")
    return data[key]


def _whole(name: str, value: object) -> int:
    """A whole number from plain data (2 or 2.0, not 2.5) as an int."""
    number = _number(name, value)
    if number != number.to_integral_value():
        raise ScenarioError(name, "must be a whole number")
    return int(number)


def _list(name: str, value: object) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise ScenarioError(name, "must be a list")
    return list(value)


def _only_inputs(prefix: str, data: Mapping[str, Any], known: Any) -> None:
    """Refuse a key that is no input of the section (a typo would otherwise be ignored)."""
    unknown = set(data) - set(known)
    if unknown:
        raise ScenarioError(f"{prefix}{sorted(unknown)[0]}", "is not an input of the model")


def _session_types_from(prefix: str, raw: object) -> tuple[SessionType, ...]:
    sessions = []
    for index, raw_session in enumerate(_list(f"{prefix}session_types", raw)):
        session = _mapping(f"{prefix}session_types.{index}", raw_session)
        name = str(_field(f"{prefix}session_types.{index}.", session, "name"))
        where = f"{prefix}session_types.{name}."
        staff = _mapping(f"{where}staff_by_post", _field(where, session, "staff_by_post"))
        sessions.append(
            SessionType(
                name=name,
                sessions_per_week=_number(
                    f"{where}sessions_per_week", _field(where, session, "sessions_per_week")
                ),
                staff_by_post={
                    str(post): _number(f"{where}staff_by_post.{post}", count)
                    for post, count in staff.items()
                },
            )
        )
    return tuple(sessions)


def _talkzone_from(raw: object) -> TalkzoneInputs:
    data = _mapping("talkzone", raw)
    prefix = "talkzone."
    _only_inputs(prefix, data, TalkzoneInputs.__dataclass_fields__)

    def num(key: str) -> Decimal:
        return _number(f"{prefix}{key}", _field(prefix, data, key))

    def whole(key: str) -> int:
        return _whole(f"{prefix}{key}", _field(prefix, data, key))

    contacts = _list(f"{prefix}contacts_by_hour", _field(prefix, data, "contacts_by_hour"))
    return TalkzoneInputs(
        opening_start_hour=whole("opening_start_hour"),
        opening_end_hour=whole("opening_end_hour"),
        days_open_per_year=whole("days_open_per_year"),
        contacts_by_hour=tuple(
            _number(f"{prefix}contacts_by_hour.{index}", value)
            for index, value in enumerate(contacts)
        ),
        handling_minutes=num("handling_minutes"),
        target_service_level_percent=num("target_service_level_percent"),
        target_answer_seconds=num("target_answer_seconds"),
        hours_per_fte_year=num("hours_per_fte_year"),
    )


def _simulation_from(raw: object) -> SimulationInputs:
    data = _mapping("simulation", raw)
    prefix = "simulation."
    _only_inputs(prefix, data, SimulationInputs.__dataclass_fields__)

    def num(key: str) -> Decimal:
        return _number(f"{prefix}{key}", _field(prefix, data, key))

    def whole(key: str) -> int:
        return _whole(f"{prefix}{key}", _field(prefix, data, key))

    factors = _list(f"{prefix}seasonal_factors", _field(prefix, data, "seasonal_factors"))
    weeks = _list(f"{prefix}school_holiday_weeks", _field(prefix, data, "school_holiday_weeks"))
    support = _mapping(f"{prefix}support_weeks", _field(prefix, data, "support_weeks"))
    return SimulationInputs(
        working_days_per_year=num("working_days_per_year"),
        seasonal_factors=tuple(
            _number(f"{prefix}seasonal_factors.{month}", value)
            for month, value in enumerate(factors, start=1)
        ),
        school_holiday_weeks=tuple(
            _whole(f"{prefix}school_holiday_weeks", value) for value in weeks
        ),
        school_holiday_factor=num("school_holiday_factor"),
        support_weeks={
            str(name): _number(f"{prefix}support_weeks.{name}", value)
            for name, value in support.items()
        },
        review_extension_percent=num("review_extension_percent"),
        review_extension_weeks=num("review_extension_weeks"),
        leave_days_per_year=num("leave_days_per_year"),
        leave_block_days=whole("leave_block_days"),
        caseload_limit=whole("caseload_limit"),
        allocation_target_days=num("allocation_target_days"),
        warm_up_days=num("warm_up_days"),
        duration_cv=num("duration_cv"),
    )


def scenario_from_dict(data: object) -> Scenario:
    """Read a scenario from plain data; a missing or malformed input raises ScenarioError."""
    top = _mapping("scenario", data)
    unknown = set(top) - {f.name for f in Scenario.__dataclass_fields__.values()}
    if unknown:
        raise ScenarioError(sorted(unknown)[0], "is not an input of the model")

    def num(key: str) -> Decimal:
        return _number(key, _field("", top, key))

    case_types = {}
    for name, raw in _mapping("case_types", _field("", top, "case_types")).items():
        ct = _mapping(f"case_types.{name}", raw)
        prefix = f"case_types.{name}."
        case_types[name] = CaseTypeDemand(
            share_percent=_number(f"{prefix}share_percent", _field(prefix, ct, "share_percent")),
            slots_per_cycle=_number(
                f"{prefix}slots_per_cycle", _field(prefix, ct, "slots_per_cycle")
            ),
            cycles_per_year=_number(
                f"{prefix}cycles_per_year", _field(prefix, ct, "cycles_per_year")
            ),
        )

    centre_types = {}
    for name, raw in _mapping("centre_types", _field("", top, "centre_types")).items():
        centre = _mapping(f"centre_types.{name}", raw)
        prefix = f"centre_types.{name}."
        count = _number(f"{prefix}count", _field(prefix, centre, "count"))
        if count != count.to_integral_value():
            raise ScenarioError(f"{prefix}count", "must be a whole number")
        posts = _field(prefix, centre, "establishment")
        if not isinstance(posts, list):
            raise ScenarioError(f"{prefix}establishment", "must be a list of posts")
        establishment = []
        for index, raw_post in enumerate(posts):
            post = _mapping(f"{prefix}establishment.{index}", raw_post)
            where = f"{prefix}establishment.{index}."
            casual = post.get("casual", False)
            if not isinstance(casual, bool):
                raise ScenarioError(f"{where}casual", "must be true or false")
            establishment.append(
                EstablishmentPost(
                    post=str(_field(where, post, "post")),
                    grade=str(_field(where, post, "grade")),
                    fte=_number(f"{where}fte", _field(where, post, "fte")),
                    casual=casual,
                )
            )
        centre_types[name] = CentreType(
            count=int(count),
            sessions_per_week=_number(
                f"{prefix}sessions_per_week", _field(prefix, centre, "sessions_per_week")
            ),
            establishment=tuple(establishment),
            session_types=_session_types_from(prefix, centre.get("session_types", [])),
        )

    budget = {}
    for grade, raw in _mapping("budget", _field("", top, "budget")).items():
        line = _mapping(f"budget.{grade}", raw)
        prefix = f"budget.{grade}."
        budget[grade] = BudgetLine(
            fte=_number(f"{prefix}fte", _field(prefix, line, "fte")),
            cost=_number(f"{prefix}cost", _field(prefix, line, "cost")),
        )

    localities = {
        name: _number(f"localities.{name}", share)
        for name, share in _mapping("localities", top.get("localities", {})).items()
    }
    return Scenario(
        total_cases_per_year=num("total_cases_per_year"),
        case_types=case_types,
        working_weeks=num("working_weeks"),
        visits_per_week=num("visits_per_week"),
        mixed_caseload=num("mixed_caseload"),
        flexibility_margin_percent=num("flexibility_margin_percent"),
        centre_types=centre_types,
        budget=budget,
        localities=localities,
        talkzone=_talkzone_from(top["talkzone"]) if "talkzone" in top else seed_talkzone(),
        simulation=(
            _simulation_from(top["simulation"]) if "simulation" in top else seed_simulation_inputs()
        ),
    )


def result_as_dict(result: PlanResult) -> dict[str, Any]:
    """The outputs under their plain names, rounded to 2 decimals (counts stay whole)."""

    def each(values: Mapping[str, Decimal]) -> dict[str, Decimal | int]:
        return {key: _rounded(value) for key, value in values.items()}

    return {
        "cases_by_case_type": each(result.cases_by_case_type),
        "slots_required_by_case_type": each(result.slots_required_by_case_type),
        "slots_required": _rounded(result.slots_required),
        "slots_per_fte": _rounded(result.slots_per_fte),
        "casework_fte_by_case_type": each(result.casework_fte_by_case_type),
        "casework_fte_required": _rounded(result.casework_fte_required),
        "casework_fte_with_margin": _rounded(result.casework_fte_with_margin),
        "cases_per_fte_year": _rounded(result.cases_per_fte_year),
        "caseload_cases_per_year": _rounded(result.caseload_cases_per_year),
        "caseload_time_excess_percent": _rounded(result.caseload_time_excess_percent),
        "centres_by_type": dict(result.centres_by_type),
        "centres": result.centres,
        "sessions_per_week": _rounded(result.sessions_per_week),
        "group_fte_by_post": each(result.group_fte_by_post),
        "group_fte": _rounded(result.group_fte),
        "casual_fte": _rounded(result.casual_fte),
        "group_cost": _rounded(result.group_cost),
        "budget": {
            grade: {
                "fte": _rounded(line.fte),
                "cost": _rounded(line.cost),
                "cost_per_fte": _rounded(line.cost_per_fte),
            }
            for grade, line in result.budget.items()
        },
        "total_fte": _rounded(result.total_fte),
        "total_cost": _rounded(result.total_cost),
        "localities": {
            name: {
                "share_percent": _rounded(loc.share_percent),
                "cases": _rounded(loc.cases),
                "slots_required": _rounded(loc.slots_required),
                "casework_fte_required": _rounded(loc.casework_fte_required),
                "casework_fte_with_margin": _rounded(loc.casework_fte_with_margin),
            }
            for name, loc in result.localities.items()
        },
        "centre_sessions": {
            name: {
                "sessions_per_week": _rounded(sessions.sessions_per_week),
                "worker_sessions_by_post": each(sessions.worker_sessions_by_post),
                "worker_sessions": _rounded(sessions.worker_sessions),
                "county_worker_sessions_by_post": each(sessions.county_worker_sessions_by_post),
                "county_worker_sessions": _rounded(sessions.county_worker_sessions),
            }
            for name, sessions in result.centre_sessions.items()
        },
        "worker_sessions_by_post": each(result.worker_sessions_by_post),
        "worker_sessions_per_week": _rounded(result.worker_sessions_per_week),
        "talkzone_workers_by_hour": {
            str(hour): staffing.agents for hour, staffing in result.talkzone_by_hour.items()
        },
        "talkzone_by_hour": {
            str(hour): {
                "contacts": _rounded(_decimal(staffing.contacts)),
                "offered_load": _rounded(_decimal(staffing.offered_load)),
                "workers": staffing.agents,
                "service_level_percent": _rounded(_decimal(staffing.service_level * 100)),
                "occupancy_percent": _rounded(_decimal(staffing.occupancy * 100)),
            }
            for hour, staffing in result.talkzone_by_hour.items()
        },
        "talkzone_worker_hours_per_day": result.talkzone_worker_hours_per_day,
        "talkzone_worker_hours_per_year": _rounded(result.talkzone_worker_hours_per_year),
        "talkzone_fte": _rounded(result.talkzone_fte),
    }


def _decimal(value: float) -> Decimal:
    """A float as the Decimal of its shortest spelling (0.1 stays 0.1)."""
    return Decimal(repr(value))
