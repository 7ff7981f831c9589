"""The caseload model of Appendix C as data: how many visits a week each open case needs,
how many delivery slots a key worker has, and when a caseload is too much. No Django here.

Each open case needs visits a week by its type (L3 and L2A weekly, L2B and L2->L1
fortnightly); one visit takes one delivery slot of up to 2.5 hours. A worker has 11 slots
a week per FTE over 46 working weeks (506 a year) and holds up to 18 cases per FTE.

Sums are kept exact (fractions) so that a flag never turns on a rounding error, and given
back as floats for display.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType

Number = int | float | Decimal | Fraction

# Appendix C: weekly for L3 and L2A, fortnightly for L2B and de-escalating L2 to L1.
SEED_VISIT_EVERY_WEEKS: Mapping[str, int] = MappingProxyType(
    {"L3": 1, "L2A": 1, "L2B": 2, "L2-L1": 2}
)


def _exact(value: Number, name: str) -> Fraction:
    """The value as an exact fraction; a float is read as the decimal it prints as."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | Fraction):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    if isinstance(value, float | Decimal) and not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value}")
    # Fraction(0.3) is 5404319552844595/18014398509481984; the 0.3 a planner typed is 3/10.
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def _non_negative(value: Number, name: str) -> Fraction:
    """The value as an exact fraction, or ValueError naming it if it is negative."""
    exact = _exact(value, name)
    if exact < 0:
        raise ValueError(f"{name} cannot be negative (got {value})")
    return exact


def _positive(value: Number, name: str) -> Fraction:
    """The value as an exact fraction, or ValueError naming it unless it is above 0."""
    exact = _exact(value, name)
    if exact <= 0:
        raise ValueError(f"{name} must be more than 0 (got {value})")
    return exact


def _seed_visits_per_week() -> Mapping[str, Fraction]:
    return {code: Fraction(1, every) for code, every in SEED_VISIT_EVERY_WEEKS.items()}


@dataclass(frozen=True)
class CaseloadRules:
    """The caseload model's inputs (from the configuration); the defaults are the seed's."""

    visits_per_week: Mapping[str, Fraction] = field(
        default_factory=_seed_visits_per_week, hash=False
    )
    assessment_counts_as: str = "L2A"
    slots_per_week_per_fte: Fraction = Fraction(11)
    working_weeks_per_year: int = 46
    caseload_per_fte: Fraction = Fraction(18)
    hours_per_slot: Fraction = Fraction(5, 2)
    working_days_per_week: int = 5

    def __post_init__(self) -> None:
        visits = {
            code: _non_negative(per_week, f"visits_per_week[{code!r}]")
            for code, per_week in self.visits_per_week.items()
        }
        if self.assessment_counts_as not in visits:
            raise ValueError(
                f"assessment_counts_as must be one of the case types "
                f"({', '.join(visits)}), not {self.assessment_counts_as!r}"
            )
        if not 1 <= self.working_weeks_per_year <= 52:
            raise ValueError(
                f"working_weeks_per_year must be from 1 to 52 (got {self.working_weeks_per_year})"
            )
        if self.working_days_per_week < 1:
            raise ValueError(
                f"working_days_per_week must be at least 1 (got {self.working_days_per_week})"
            )
        exact = {
            name: _positive(getattr(self, name), name)
            for name in ("slots_per_week_per_fte", "caseload_per_fte", "hours_per_slot")
        }
        object.__setattr__(self, "visits_per_week", MappingProxyType(visits))
        for name, value in exact.items():
            object.__setattr__(self, name, value)
        # Visits a week as whole units of a common denominator, so that a caseload's
        # demand is summed in integers (exactly, and fast for hundreds of workers).
        denominator = math.lcm(1, *(v.denominator for v in visits.values()))
        object.__setattr__(self, "_denominator", denominator)
        object.__setattr__(
            self, "_units", {code: int(v * denominator) for code, v in visits.items()}
        )

    @classmethod
    def from_configuration(
        cls,
        *,
        visit_every_weeks: Mapping[str, int],
        assessment_counts_as: str = "L2A",
        slots_per_week: Number = 11,
        working_weeks_per_year: int = 46,
        caseload_per_fte: Number = 18,
    ) -> CaseloadRules:
        """Rules from the configured case types (a visit every N weeks) and capacity settings."""
        visits: dict[str, Fraction] = {}
        for code, every in visit_every_weeks.items():
            if every < 1:
                raise ValueError(f"visit_every_weeks[{code!r}] must be at least 1 (got {every})")
            visits[code] = Fraction(1, every)
        return cls(
            visits_per_week=visits,
            assessment_counts_as=assessment_counts_as,
            slots_per_week_per_fte=_exact(slots_per_week, "slots_per_week"),
            working_weeks_per_year=working_weeks_per_year,
            caseload_per_fte=_exact(caseload_per_fte, "caseload_per_fte"),
        )

    @property
    def slots_per_year_per_fte(self) -> Fraction:
        """Slots a year per FTE: slots a week times working weeks (11 x 46 = 506)."""
        return self.slots_per_week_per_fte * self.working_weeks_per_year

    def visits_for(self, case_type: str | None) -> Fraction:
        """Visits a week for one open case; no type yet (in assessment) counts as configured."""
        code = self.assessment_counts_as if case_type is None else case_type
        try:
            return self.visits_per_week[code]
        except KeyError:
            raise ValueError(
                f"case type {case_type!r} is not configured ({', '.join(self.visits_per_week)})"
            ) from None


def _fte(fte: Number) -> Fraction:
    """FTE as an exact fraction, or ValueError unless it is more than 0 and at most 1.0."""
    exact = _exact(fte, "fte")
    if not 0 < exact <= 1:
        raise ValueError(f"fte must be more than 0 and at most 1.0 (got {fte})")
    return exact


def _capacity(
    fte: Number, rules: CaseloadRules, leave_days_in_week: Number, protected_hours: Number
) -> Fraction:
    return _capacity_of(_fte(fte), rules, leave_days_in_week, protected_hours)


def _capacity_of(
    exact_fte: Fraction, rules: CaseloadRules, leave_days_in_week: Number, protected_hours: Number
) -> Fraction:
    leave = _non_negative(leave_days_in_week, "leave_days_in_week")
    if leave > rules.working_days_per_week:
        raise ValueError(
            f"leave_days_in_week cannot be more than the {rules.working_days_per_week} "
            f"working days of a week (got {leave_days_in_week})"
        )
    protected = _non_negative(protected_hours, "protected_hours")
    slots = rules.slots_per_week_per_fte * exact_fte
    # Most weeks have no leave and no protected time: skip the exact arithmetic for them.
    if leave:
        slots *= 1 - leave / rules.working_days_per_week
    if protected:
        slots -= protected / rules.hours_per_slot
    return max(slots, Fraction(0))


def _demand(open_cases_by_type: Mapping[str | None, int], rules: CaseloadRules) -> Fraction:
    units_by_type: Mapping[str, int] = rules._units  # type: ignore[attr-defined]
    units = 0
    for case_type, count in open_cases_by_type.items():
        if count < 0:
            raise ValueError(f"open_cases_by_type[{case_type!r}] cannot be negative (got {count})")
        code = rules.assessment_counts_as if case_type is None else case_type
        if code not in units_by_type:
            rules.visits_for(case_type)  # raises, naming the unconfigured type
        units += units_by_type[code] * count
    return Fraction(units, rules._denominator)  # type: ignore[attr-defined]


def weekly_capacity(
    fte: Number,
    *,
    rules: CaseloadRules,
    leave_days_in_week: Number = 0,
    protected_hours: Number = 0,
) -> float:
    """Slots a week: 11 x FTE, less a fifth per day of leave and a slot per 2.5 protected
    hours; never below 0."""
    return float(_capacity(fte, rules, leave_days_in_week, protected_hours))


def weekly_demand(open_cases_by_type: Mapping[str | None, int], *, rules: CaseloadRules) -> float:
    """Visits a week the open cases need, by type; a case still in assessment (no type yet)
    counts as the configured type, L2A by default."""
    return float(_demand(open_cases_by_type, rules))


@dataclass(frozen=True)
class CaseloadFlags:
    """A worker's week: capacity, demand, headroom, and whether either limit is breached."""

    capacity_slots: float
    demand_slots: float
    headroom_slots: float  # capacity - demand; negative when over capacity
    open_cases: int
    caseload_limit: float  # 18 x FTE
    headroom_cases: int  # whole cases more before the limit; negative when over it
    over_caseload: bool
    over_capacity: bool

    @property
    def flagged(self) -> bool:
        """A worker is flagged when over the caseload limit or over weekly capacity."""
        return self.over_caseload or self.over_capacity


def assess_worker(
    fte: Number,
    *,
    open_cases_by_type: Mapping[str | None, int],
    rules: CaseloadRules,
    leave_days_in_week: Number = 0,
    protected_hours: Number = 0,
) -> CaseloadFlags:
    """Flag a worker holding more than 18 x FTE cases or needing more visits than capacity."""
    exact_fte = _fte(fte)
    capacity = _capacity_of(exact_fte, rules, leave_days_in_week, protected_hours)
    demand = _demand(open_cases_by_type, rules)
    limit = rules.caseload_per_fte * exact_fte
    open_cases = sum(open_cases_by_type.values())
    return CaseloadFlags(
        capacity_slots=float(capacity),
        demand_slots=float(demand),
        headroom_slots=float(capacity - demand),
        open_cases=open_cases,
        caseload_limit=float(limit),
        headroom_cases=math.floor(limit - open_cases),
        over_caseload=open_cases > limit,
        over_capacity=demand > capacity,
    )


@dataclass(frozen=True)
class AnnualView:
    """A worker's year: slots used against 506 x FTE, and cases per FTE."""

    slots_available: float
    slots_used: int
    slots_remaining: float  # negative when more were used than the year holds
    share_used: float  # slots used / slots available
    cases_this_year: int
    cases_per_fte: float


def annual_view(
    fte: Number, *, slots_used: int, cases_this_year: int, rules: CaseloadRules
) -> AnnualView:
    """Slots used against 46 weeks x 11 x FTE (506 at 1.0), and cases a year per FTE."""
    exact_fte = _fte(fte)
    used = _non_negative(slots_used, "slots_used")
    cases = _non_negative(cases_this_year, "cases_this_year")
    available = rules.slots_per_year_per_fte * exact_fte
    return AnnualView(
        slots_available=float(available),
        slots_used=slots_used,
        slots_remaining=float(available - used),
        share_used=float(used / available),
        cases_this_year=cases_this_year,
        cases_per_fte=float(cases / exact_fte),
    )


def next_visit_due(
    *,
    initial_visit_due_by: dt.date,
    initial_visit_on: dt.date | None,
    last_visit_on: dt.date | None,
    visit_every_weeks: int,
) -> dt.date:
    """When a case's next visit is due: the initial visit's deadline until it happens,
    then a week or a fortnight (by case type) after the latest visit."""
    if visit_every_weeks < 1:
        raise ValueError(f"visit_every_weeks must be at least 1 (got {visit_every_weeks})")
    if initial_visit_on is None:
        return initial_visit_due_by
    latest = max(d for d in (initial_visit_on, last_visit_on) if d is not None)
    return latest + dt.timedelta(weeks=visit_every_weeks)


def visit_every_weeks(rules: CaseloadRules, case_type: str | None) -> int | None:
    """Weeks between visits for a case type (None in assessment counts as configured);
    None when the type needs no regular visits."""
    per_week = rules.visits_for(case_type)
    if per_week == 0:
        return None
    return max(1, math.ceil(1 / per_week))
