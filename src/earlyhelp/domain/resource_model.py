"""The analytic resource model of the seed's Appendices C, D and E as a scenario anyone
can change: casework demand, centre delivery and the staffing budget. No Django here.

Every figure is an input; `default_scenario()` holds the seed's values and reproduces
its figures (88,500 slots, 506 slots per FTE, 174.9 casework FTE, 56 centres, 452
sessions a week, 224.4 + 6.2 FTE group establishment, 552.24 FTE and £15,135,098).
Amounts are `Decimal` so that FTE and pounds add up exactly as in the seed's tables;
shares and margins are percentages (5 means 5%).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

HUNDRED = Decimal(100)
# A profile may miss 100% by rounding in a spreadsheet, but by no more than this.
SHARE_TOLERANCE = Decimal("0.01")
MAX_WORKING_WEEKS = 52
# Grades of the council's pay scale are written G1, G2, ... G15.
GRADE_PATTERN = re.compile(r"G([1-9]|1[0-5])")


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
class CentreType:
    """A centre offer (enhanced or core): how many, sessions a week and the staff per centre."""

    count: int
    sessions_per_week: Decimal
    establishment: tuple[EstablishmentPost, ...]


@dataclass(frozen=True)
class BudgetLine:
    """The FTE and yearly cost (with on-costs) of all posts at one grade."""

    fte: Decimal
    cost: Decimal


@dataclass(frozen=True)
class Scenario:
    """Every input of the resource model; the defaults are nowhere but in default_scenario()."""

    total_cases_per_year: Decimal
    case_types: Mapping[str, CaseTypeDemand]
    working_weeks: Decimal
    visits_per_week: Decimal
    mixed_caseload: Decimal
    flexibility_margin_percent: Decimal
    centre_types: Mapping[str, CentreType]
    budget: Mapping[str, BudgetLine]
    localities: Mapping[str, Decimal] = field(default_factory=dict)


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


def _d(value: str | int) -> Decimal:
    return Decimal(value)


def default_scenario() -> Scenario:
    """The seed's scenario: Appendix C demand, Appendix D centres, Appendix E budget."""

    def centre(
        count: int, sessions: int, g6: str, outreach: str, support: str, casual: str
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
            "enhanced": centre(12, 12, "1.5", "4.3", "0.8", "0.15"),
            "core": centre(44, 7, "0.9", "1.7", "0.7", "0.1"),
        },
        budget={grade: BudgetLine(_d(fte), _d(cost)) for grade, (fte, cost) in budget.items()},
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
            }
            for name, centre in scenario.centre_types.items()
        },
        "budget": {
            grade: {"fte": _plain(line.fte), "cost": _plain(line.cost)}
            for grade, line in scenario.budget.items()
        },
        "localities": {name: _plain(share) for name, share in scenario.localities.items()},
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
    }
