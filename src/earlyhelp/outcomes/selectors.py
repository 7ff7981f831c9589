"""Reads for the outcomes framework and Outcomes Star analytics: per case and per cohort.

Every cohort selector works in a fixed number of queries whatever the cohort's size: the
cases, their plan actions and their Star readings are each read once as plain values and
the rules of ``domain/outcomes.py`` run over them in memory. Cohort figures cover the
cases the user may open, or the whole service for those allowed service-wide (aggregate)
figures; the list of cases behind a figure is always only the cases the user may open.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from urllib.parse import urlencode

from django.apps import apps
from django.db.models import BooleanField, CharField, F, Prefetch, Q, QuerySet, Value, When, Window
from django.db.models import Case as SqlCase
from django.db.models.functions import Cast, RowNumber
from django.http import Http404

from earlyhelp.audit.services import record_denied, record_view
from earlyhelp.cases.models import Case, PlanAction, StarReading
from earlyhelp.cases.selectors import cases_visible_to
from earlyhelp.configuration.models import OutcomesStar, ServiceOutcome, StarArea
from earlyhelp.domain import outcomes as rules
from earlyhelp.people.selectors import FamilyAccessDenied


class PeriodBasis(StrEnum):
    ACTIVITY = "activity"  # open at any time in the period
    CLOSURE = "closure"  # closed in the period


@dataclass(frozen=True)
class CohortFilters:
    """Which cases a cohort holds. Every filter is optional; ids are the configuration's
    and workforce's primary keys."""

    locality_id: int | None = None
    district_id: int | None = None
    team_id: int | None = None
    target_group_id: int | None = None
    case_type_id: int | None = None
    period: PeriodBasis = PeriodBasis.ACTIVITY
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    star_id: int | None = None

    def as_query(self) -> dict[str, str]:
        """The filters as query-string parameters (empty ones left out)."""
        values = {
            "locality": self.locality_id,
            "district": self.district_id,
            "team": self.team_id,
            "target_group": self.target_group_id,
            "case_type": self.case_type_id,
            "period": self.period.value if (self.date_from or self.date_to) else None,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "star": self.star_id,
        }
        return {k: str(v) for k, v in values.items() if v is not None}


def sees_service_figures(user) -> bool:
    """Managers, the head of service and quality review officers see figures over the
    whole service; everyone else over the cases they may open."""
    return user.has_perm("outcomes.view_cohort_figures")


def _apply_filters(cases: QuerySet[Case], filters: CohortFilters) -> QuerySet[Case]:
    if filters.locality_id:
        cases = cases.filter(team__district__locality_id=filters.locality_id)
    if filters.district_id:
        cases = cases.filter(team__district_id=filters.district_id)
    if filters.team_id:
        cases = cases.filter(team_id=filters.team_id)
    if filters.case_type_id:
        cases = cases.filter(case_type_id=filters.case_type_id)
    if filters.target_group_id:
        cases = cases.filter(
            pk__in=Case.objects.filter(request__target_groups=filters.target_group_id).values("pk")
        )
    if filters.period == PeriodBasis.CLOSURE:
        if filters.date_from or filters.date_to:
            cases = cases.filter(closed_on__isnull=False)
        if filters.date_from:
            cases = cases.filter(closed_on__gte=filters.date_from)
        if filters.date_to:
            cases = cases.filter(closed_on__lte=filters.date_to)
    else:
        if filters.date_to:
            cases = cases.filter(allocated_at__date__lte=filters.date_to)
        if filters.date_from:
            cases = cases.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=filters.date_from))
    return cases


def cohort_cases(*, user, filters: CohortFilters) -> QuerySet[Case]:
    """The cases a cohort's figures are worked out over: every case matching the filters
    for a user allowed service-wide figures, otherwise only the cases they may open."""
    base = Case.objects.all() if sees_service_figures(user) else cases_visible_to(user=user)
    return _apply_filters(base, filters)


# ---------------------------------------------------------------- the framework


@dataclass(frozen=True)
class FrameworkOutcome:
    """One service outcome with what maps to it (Appendix A)."""

    number: int
    title: str
    marmot: list[tuple[str, str]]  # (letter, title)
    tfu: list[tuple[int, str]]  # (number, title)
    star_areas: list[str]
    group_programmes: list[str]

    @property
    def marmot_letters(self) -> str:
        return ", ".join(letter for letter, _ in self.marmot)

    @property
    def tfu_numbers(self) -> str:
        return ", ".join(str(number) for number, _ in self.tfu)


def _group_programmes_by_outcome() -> dict[int, list[str]]:
    """Group programmes of the centres catalogue per outcome number, when centres exist."""
    if not apps.is_installed("earlyhelp.centres"):
        return {}
    programme_model = apps.get_model("centres", "GroupProgramme")
    through = programme_model.outcomes.through
    by_outcome: dict[int, list[str]] = defaultdict(list)
    rows = through.objects.filter(groupprogramme__is_active=True).values_list(
        "serviceoutcome__number", "groupprogramme__name"
    )
    for number, name in sorted(rows, key=lambda r: (r[0], r[1])):
        by_outcome[number].append(name)
    return by_outcome


def outcomes_framework() -> list[FrameworkOutcome]:
    """The five service outcomes, each with its Marmot objectives, TFU criteria, the
    Outcomes Star areas and the group programmes that serve it."""
    outcomes = ServiceOutcome.objects.prefetch_related("marmot_objectives", "tfu_criteria")
    areas: dict[int, list[str]] = defaultdict(list)
    for number, star_name, area_name in StarArea.objects.filter(outcome__isnull=False).values_list(
        "outcome__number", "star__name", "name"
    ):
        areas[number].append(f"{area_name} ({star_name})")
    programmes = _group_programmes_by_outcome()
    return [
        FrameworkOutcome(
            number=o.number,
            title=o.title,
            marmot=[(m.letter, m.title) for m in o.marmot_objectives.all()],
            tfu=[(t.number, t.title) for t in o.tfu_criteria.all()],
            star_areas=areas.get(o.number, []),
            group_programmes=programmes.get(o.number, []),
        )
        for o in outcomes
    ]


# ---------------------------------------------------------------- the data behind figures


@dataclass(frozen=True)
class StarScale:
    id: int
    code: str
    name: str
    scale_min: int
    scale_max: int
    stages: list
    areas: list[tuple[str, str, int | None]]  # (code, name, outcome number)

    @cached_property
    def threshold(self) -> int:
        return rules.target_threshold(self.scale_min, self.scale_max)

    @cached_property
    def area_outcomes(self) -> dict[str, int | None]:
        return {code: number for code, _, number in self.areas}

    @cached_property
    def area_names(self) -> dict[str, str]:
        return {code: name for code, name, _ in self.areas}

    def stage_for(self, score: int | None) -> str:
        if score is None:
            return ""
        for stage in self.stages:
            if stage["from"] <= score <= stage["to"]:
                return stage["name"]
        return ""


def star_scales() -> dict[int, StarScale]:
    """Every Outcomes Star with its areas, by id (two queries)."""
    stars = OutcomesStar.objects.prefetch_related(
        Prefetch("areas", queryset=StarArea.objects.select_related("outcome"))
    )
    return {
        s.id: StarScale(
            id=s.id,
            code=s.code,
            name=s.name,
            scale_min=s.scale_min,
            scale_max=s.scale_max,
            stages=list(s.stages or []),
            areas=[
                (a.code, a.name, a.outcome.number if a.outcome else None) for a in s.areas.all()
            ],
        )
        for s in stars
    }


def _default_star_id(scales: dict[int, StarScale]) -> int | None:
    default = OutcomesStar.objects.filter(is_default=True).values_list("pk", flat=True).first()
    return default if default is not None else next(iter(sorted(scales)), None)


def _readings_by_case(
    case_ids_query, star_id: int | None = None, *, ends_only: bool = False
) -> dict[int, list[rules.Reading]]:
    """Each case's Star readings. With ``ends_only``, only those that
    ``baseline_and_latest`` can choose: of each case's readings of one Star, the first
    baseline and the last reading that is not a baseline. A cohort then decodes about half as
    many score sets, and its figures are the same."""
    readings: dict[int, list[rules.Reading]] = defaultdict(list)
    query = StarReading.objects.filter(case_id__in=case_ids_query)
    if star_id is not None:
        query = query.filter(star_id=star_id)
    if ends_only:
        is_baseline = SqlCase(
            When(kind=rules.ReadingKind.BASELINE, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        partition = [F("case_id"), F("star_id"), is_baseline]
        ends = (
            query.annotate(
                first=Window(
                    RowNumber(), partition_by=partition, order_by=[F("taken_on"), F("pk")]
                ),
                last=Window(
                    RowNumber(),
                    partition_by=partition,
                    order_by=[F("taken_on").desc(), F("pk").desc()],
                ),
            )
            .filter(
                Q(kind=rules.ReadingKind.BASELINE, first=1)
                | (~Q(kind=rules.ReadingKind.BASELINE) & Q(last=1))
            )
            .values("pk")
        )
        # The window sorts only the small columns; the scores are read for the chosen few.
        query = StarReading.objects.filter(pk__in=ends)
    # The day as ISO text: it sorts as the date does, and skips parsing thousands of dates.
    # Unordered: baseline_and_latest orders each case's readings itself.
    rows = (
        query.order_by()
        .annotate(day=Cast("taken_on", output_field=CharField()))
        .values_list("case_id", "kind", "day", "scores", "star_id", "pk")
    )
    for case_id, kind, taken_on, scores, star_id, pk in rows:
        readings[case_id].append(
            rules.Reading(
                kind=kind,
                taken_on=taken_on,
                scores=scores or {},  # whole numbers: record_star_reading validates them
                star_id=star_id,
                order=pk,
            )
        )
    return readings


def _actions_by_case(case_ids_query) -> dict[int, list[rules.Action]]:
    actions: dict[int, list[rules.Action]] = defaultdict(list)
    rows = PlanAction.objects.filter(case_id__in=case_ids_query).values_list(
        "case_id", "outcome__number", "status"
    )
    for case_id, number, status in rows:
        actions[case_id].append(rules.Action(outcome=number, status=status))
    return actions


def _outcome_numbers() -> list[int]:
    return list(ServiceOutcome.objects.order_by("number").values_list("number", flat=True))


def _results_for(
    readings: list[rules.Reading],
    actions: list[rules.Action],
    scales: dict[int, StarScale],
    numbers: list[int],
) -> dict[int, rules.OutcomeResult]:
    baseline, latest = rules.baseline_and_latest(readings)
    scale = scales.get(baseline.star_id) if baseline else None
    return rules.case_outcomes(
        outcomes=numbers,
        actions=actions,
        area_outcomes=scale.area_outcomes if scale else {},
        threshold=scale.threshold if scale else 0,
        baseline=baseline.scores if baseline else None,
        latest=latest.scores if latest else None,
    )


# ---------------------------------------------------------------- one case


def access_case_for_outcomes(*, user, case_id: int, source: str) -> Case:
    """A case the user may open, for its outcomes pages; the look is audited and so is
    a refusal (403), 404 when there is no such case."""
    case = (
        Case.objects.select_related("family", "team__district__locality", "case_type")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404("No case with that reference.")
    if not cases_visible_to(user=user).filter(pk=case_id).exists():
        record_denied(actor=user, object_type="cases.case", object_id=case_id, source=source)
        raise FamilyAccessDenied("You do not have access to this case.")
    record_view(actor=user, instance=case, source=source, code="case.outcomes_viewed")
    return case


@dataclass(frozen=True)
class CaseOutcomeRow:
    number: int
    title: str
    marmot_letters: str
    tfu_numbers: str
    targeting_actions: list[str]
    achieved_actions: list[str]
    targeted_areas: list[str]
    improved_areas: list[str]
    targeted: bool
    achieved: bool


@dataclass(frozen=True)
class CaseOutcomes:
    case_id: int
    threshold: int | None
    rows: list[CaseOutcomeRow]
    untargeted_actions: list[str]  # plan actions not mapped to an outcome


def case_outcomes(*, case: Case) -> CaseOutcomes:
    """Which service outcomes a case targeted (plan actions with the outcome, Star areas
    below the threshold at baseline) and which it achieved (those actions achieved,
    those areas improved by the latest reading)."""
    framework = {o.number: o for o in outcomes_framework()}
    numbers = sorted(framework)
    scales = star_scales()
    readings = _readings_by_case([case.pk]).get(case.pk, [])
    plan = list(PlanAction.objects.filter(case=case).select_related("outcome"))
    actions = [
        rules.Action(outcome=a.outcome.number if a.outcome else None, status=a.status) for a in plan
    ]
    results = _results_for(readings, actions, scales, numbers)
    baseline, _ = rules.baseline_and_latest(readings)
    scale = scales.get(baseline.star_id) if baseline else None
    names = scale.area_names if scale else {}
    rows = []
    for number in numbers:
        result = results[number]
        outcome = framework[number]
        serving = [a for a in plan if a.outcome and a.outcome.number == number]
        rows.append(
            CaseOutcomeRow(
                number=number,
                title=outcome.title,
                marmot_letters=outcome.marmot_letters,
                tfu_numbers=outcome.tfu_numbers,
                targeting_actions=[a.what for a in serving],
                achieved_actions=[a.what for a in serving if a.status == rules.ACHIEVED],
                targeted_areas=[names.get(c, c) for c in result.targeted_areas],
                improved_areas=[names.get(c, c) for c in result.improved_areas],
                targeted=result.targeted,
                achieved=result.achieved,
            )
        )
    return CaseOutcomes(
        case_id=case.pk,
        threshold=scale.threshold if scale else None,
        rows=rows,
        untargeted_actions=[a.what for a in plan if a.outcome is None],
    )


@dataclass(frozen=True)
class CaseStarReading:
    id: int
    kind: str
    kind_label: str
    taken_on: dt.date
    scores: dict[str, int]


@dataclass(frozen=True)
class CaseStarArea:
    code: str
    name: str
    scores: list[int | None]  # one per reading, in reading order
    baseline: int | None
    latest: int | None
    distance: int | None
    direction: str


@dataclass(frozen=True)
class CaseStar:
    """One Star of a case: its readings in date order and each area's distance
    travelled (latest reading minus the baseline)."""

    star: StarScale
    readings: list[CaseStarReading]
    areas: list[CaseStarArea]
    has_baseline: bool


def case_star(*, case: Case) -> list[CaseStar]:
    """The case's Outcomes Star readings, one entry per Star used, the default first."""
    scales = star_scales()
    kinds = dict(StarReading._meta.get_field("kind").choices)
    rows = list(
        StarReading.objects.filter(case=case)
        .order_by("taken_on", "pk")
        .values_list("pk", "kind", "taken_on", "scores", "star_id")
    )
    by_star: dict[int, list] = defaultdict(list)
    for row in rows:
        by_star[row[4]].append(row)
    result = []
    for star_id in sorted(by_star, key=lambda s: (s != _default_star_id(scales), s)):
        scale = scales[star_id]
        readings = [
            CaseStarReading(
                id=pk,
                kind=kind,
                kind_label=str(kinds.get(kind, kind)),
                taken_on=taken_on,
                scores={k: int(v) for k, v in (scores or {}).items() if v is not None},
            )
            for pk, kind, taken_on, scores, _ in by_star[star_id]
        ]
        domain_readings = [
            rules.Reading(
                kind=r.kind, taken_on=r.taken_on, scores=r.scores, star_id=star_id, order=r.id
            )
            for r in readings
        ]
        baseline, latest = rules.baseline_and_latest(domain_readings)
        distances = (
            rules.distance_travelled(baseline.scores, latest.scores) if baseline and latest else {}
        )
        areas = []
        for code, name, _ in scale.areas:
            change = distances.get(code)
            areas.append(
                CaseStarArea(
                    code=code,
                    name=name,
                    scores=[r.scores.get(code) for r in readings],
                    baseline=baseline.scores.get(code) if baseline else None,
                    latest=latest.scores.get(code) if latest else None,
                    distance=change,
                    direction=rules.direction(change).value if change is not None else "",
                )
            )
        result.append(
            CaseStar(star=scale, readings=readings, areas=areas, has_baseline=baseline is not None)
        )
    return result


# ---------------------------------------------------------------- cohorts


@dataclass(frozen=True)
class CohortOutcomeRow:
    number: int
    title: str
    marmot_letters: str
    tfu_numbers: str
    targeted: int
    achieved: int
    targeted_share: float | None  # of the cases in the cohort
    achieved_share: float | None  # of the cases targeting the outcome


@dataclass(frozen=True)
class CohortOutcomes:
    """Per service outcome, the cases of a cohort targeting it and achieving it."""

    filters: CohortFilters
    service_wide: bool
    cases: int
    rows: list[CohortOutcomeRow]
    case_ids: dict[str, list[int]] = field(repr=False, default_factory=dict)


def _cohort_outcome_ids(cases: QuerySet[Case]) -> tuple[list[int], dict[int, rules.OutcomeTally]]:
    ids_query = cases.values("pk")
    case_ids = sorted(cases.values_list("pk", flat=True))
    numbers = _outcome_numbers()
    scales = star_scales()
    readings = _readings_by_case(ids_query, ends_only=True)
    actions = _actions_by_case(ids_query)
    # A case with neither a plan action nor a Star reading targets nothing.
    results = {
        case_id: _results_for(readings.get(case_id, []), actions.get(case_id, []), scales, numbers)
        for case_id in case_ids
        if case_id in readings or case_id in actions
    }
    return case_ids, rules.tally_outcomes(results, numbers)


def cohort_outcomes(*, user, filters: CohortFilters) -> CohortOutcomes:
    """Over the cohort's cases: for each of the five outcomes, how many cases targeted
    it (and their share of the cohort) and how many of those achieved it, with the
    outcome's Marmot objectives and TFU criteria."""
    cases = cohort_cases(user=user, filters=filters)
    case_ids, tallies = _cohort_outcome_ids(cases)
    framework = {o.number: o for o in outcomes_framework()}
    rows = []
    ids: dict[str, list[int]] = {"cases": case_ids}
    for number, tally in tallies.items():
        outcome = framework[number]
        ids[f"targeted-{number}"] = tally.targeted
        ids[f"achieved-{number}"] = tally.achieved
        rows.append(
            CohortOutcomeRow(
                number=number,
                title=outcome.title,
                marmot_letters=outcome.marmot_letters,
                tfu_numbers=outcome.tfu_numbers,
                targeted=len(tally.targeted),
                achieved=len(tally.achieved),
                targeted_share=rules.share(len(tally.targeted), len(case_ids)),
                achieved_share=tally.achieved_share,
            )
        )
    return CohortOutcomes(
        filters=filters,
        service_wide=sees_service_figures(user),
        cases=len(case_ids),
        rows=rows,
        case_ids=ids,
    )


@dataclass(frozen=True)
class CohortStarRow:
    code: str
    name: str
    outcome: int | None
    measured: int  # families with a baseline and a later reading scoring this area
    improving: int
    declining: int
    improving_share: float | None
    declining_share: float | None
    mean_distance: float | None


@dataclass(frozen=True)
class CohortStar:
    """Outcomes Star distance travelled over a cohort, each family counted once (its
    latest case in the cohort), only cases with a baseline reading counting."""

    filters: CohortFilters
    service_wide: bool
    star: StarScale | None
    families: int  # families in the cohort
    with_baseline: int  # of them, with a baseline reading of this Star
    measured: int  # of them, with a later reading too
    rows: list[CohortStarRow]
    case_ids: dict[str, list[int]] = field(repr=False, default_factory=dict)


def _star_pairs(
    case_ids: Iterable[int], readings: dict[int, list[rules.Reading]], star_id: int | None
) -> tuple[list[int], dict[int, tuple[dict, dict]]]:
    """Of the cases, those with a baseline of the Star, and for those with a later
    reading too, the (baseline, latest) scores."""
    pairs: dict[int, tuple[dict, dict]] = {}
    with_baseline: list[int] = []
    for case_id in case_ids:
        own = [r for r in readings.get(case_id, []) if r.star_id == star_id]
        baseline, latest = rules.baseline_and_latest(own)
        if baseline is None:
            continue
        with_baseline.append(case_id)
        if latest is not None:
            pairs[case_id] = (dict(baseline.scores), dict(latest.scores))
    return with_baseline, pairs


def _chosen_star(filters: CohortFilters) -> tuple[int | None, StarScale | None]:
    scales = star_scales()
    star_id = filters.star_id if filters.star_id in scales else _default_star_id(scales)
    return star_id, (scales.get(star_id) if star_id is not None else None)


def cohort_star(*, user, filters: CohortFilters) -> CohortStar:
    """Per Star area over the cohort: the share of families improving and declining and
    the mean distance travelled (latest reading minus baseline)."""
    cases = cohort_cases(user=user, filters=filters)
    star_id, scale = _chosen_star(filters)
    family_case_ids = rules.latest_case_per_family(
        (pk, family_id, position)
        for position, (pk, family_id) in enumerate(
            cases.order_by("family_id", "allocated_at", "pk").values_list("pk", "family_id")
        )
    )
    readings = _readings_by_case(cases.values("pk"), star_id=star_id, ends_only=True)
    with_baseline, pairs = _star_pairs(family_case_ids, readings, star_id)
    areas = scale.areas if scale else []
    tallies = rules.tally_star(pairs, [code for code, _, _ in areas])
    ids: dict[str, list[int]] = {
        "families": family_case_ids,
        "with-baseline": with_baseline,
        "measured": sorted(pairs),
    }
    rows = []
    for code, name, number in areas:
        tally = tallies[code]
        ids[f"measured-{code}"] = tally.measured
        ids[f"improving-{code}"] = tally.improving
        ids[f"declining-{code}"] = tally.declining
        rows.append(
            CohortStarRow(
                code=code,
                name=name,
                outcome=number,
                measured=len(tally.measured),
                improving=len(tally.improving),
                declining=len(tally.declining),
                improving_share=tally.improving_share,
                declining_share=tally.declining_share,
                mean_distance=tally.mean_distance,
            )
        )
    return CohortStar(
        filters=filters,
        service_wide=sees_service_figures(user),
        star=scale,
        families=len(family_case_ids),
        with_baseline=len(with_baseline),
        measured=len(pairs),
        rows=rows,
        case_ids=ids,
    )


class BreakdownBy(StrEnum):
    LOCALITY = "locality", "Locality"
    DISTRICT = "district", "District"
    TEAM = "team", "Team"
    TARGET_GROUP = "target_group", "Target group"
    CASE_TYPE = "case_type", "Case type"

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


# For each breakdown: the case's group id and name, and the filter that selects a group.
_BREAKDOWN_FIELDS = {
    BreakdownBy.LOCALITY: ("team__district__locality_id", "team__district__locality__name"),
    BreakdownBy.DISTRICT: ("team__district_id", "team__district__name"),
    BreakdownBy.TEAM: ("team_id", "team__name"),
    BreakdownBy.TARGET_GROUP: ("request__target_groups", "request__target_groups__name"),
    BreakdownBy.CASE_TYPE: ("case_type_id", "case_type__code"),
}


@dataclass(frozen=True)
class BreakdownRow:
    group_id: int
    label: str
    filters: CohortFilters  # the cohort's filters narrowed to this group
    families: int
    measured: int
    improving: list[int]  # per area, in the Star's order
    improving_shares: list[float | None]
    mean_distances: list[float | None]


@dataclass(frozen=True)
class StarBreakdown:
    """The cohort's Star distance travelled side by side for each group (locality,
    district, team, target group or case type), each family counted once per group."""

    by: BreakdownBy
    star: StarScale | None
    rows: list[BreakdownRow]


def cohort_star_breakdown(*, user, filters: CohortFilters, by: BreakdownBy) -> StarBreakdown:
    """For each group of the cohort: the families measured and, per Star area, the
    families improving, their share and the mean distance travelled. A case with several
    target groups counts in each."""
    cases = cohort_cases(user=user, filters=filters)
    star_id, scale = _chosen_star(filters)
    id_field, label_field = _BREAKDOWN_FIELDS[by]
    groups: dict[int, tuple[str, list]] = {}
    # In allocation order, so a row's position tells which of a family's cases is latest.
    rows = cases.order_by("family_id", "allocated_at", "pk").values_list(
        "pk", "family_id", id_field, label_field
    )
    for position, (pk, family_id, group_id, label) in enumerate(rows):
        if group_id is not None:
            groups.setdefault(group_id, (label, []))[1].append((pk, family_id, position))
    readings = _readings_by_case(cases.values("pk"), star_id=star_id, ends_only=True)
    codes = [code for code, _, _ in (scale.areas if scale else [])]
    rows = []
    for group_id, (label, members) in sorted(groups.items(), key=lambda g: (g[1][0], g[0])):
        family_case_ids = rules.latest_case_per_family(members)
        _, pairs = _star_pairs(family_case_ids, readings, star_id)
        tallies = rules.tally_star(pairs, codes)
        rows.append(
            BreakdownRow(
                group_id=group_id,
                label=str(label),
                filters=replace(filters, **{f"{by.value}_id": group_id}),
                families=len(family_case_ids),
                measured=len(pairs),
                improving=[len(tallies[c].improving) for c in codes],
                improving_shares=[tallies[c].improving_share for c in codes],
                mean_distances=[tallies[c].mean_distance for c in codes],
            )
        )
    return StarBreakdown(by=by, star=scale, rows=rows)


# ---------------------------------------------------------------- the cases behind a figure


class UnknownFigure(ValueError):
    """The figure named is not one of the cohort's."""


def case_ids_behind(*, user, filters: CohortFilters, figure: str) -> list[int]:
    """The ids of the cases a cohort figure counts (before the access filter)."""
    if figure == "cases" or figure.startswith(("targeted-", "achieved-")):
        ids = cohort_outcomes(user=user, filters=filters).case_ids
    else:
        ids = cohort_star(user=user, filters=filters).case_ids
    if figure not in ids:
        raise UnknownFigure(figure)
    return ids[figure]


@dataclass(frozen=True)
class CasesBehind:
    """The cases behind a figure: how many it counted, and the ids of those the user
    may open, in list order (family name, then case)."""

    figure: str
    counted: int
    visible_ids: list[int]


def cases_behind(*, user, filters: CohortFilters, figure: str) -> CasesBehind:
    """The cases behind a cohort figure that the user may open: whatever the figure
    counted, the list holds only cases the user may see. Ids, not rows, so that a figure
    over thousands of cases needs no query with thousands of parameters; load a page of
    them with ``cases_for_list``."""
    counted = case_ids_behind(user=user, filters=filters, figure=figure)
    wanted = set(counted)
    rows = (
        cases_visible_to(user=user)
        .filter(pk__in=cohort_cases(user=user, filters=filters).values("pk"))
        .values_list("family__name", "pk")
    )
    visible = sorted((name, pk) for name, pk in rows if pk in wanted)
    return CasesBehind(figure=figure, counted=len(counted), visible_ids=[pk for _, pk in visible])


def cases_for_list(case_ids: Iterable[int]) -> list[Case]:
    """The cases named (a page of a list, already access-checked), in the order given,
    with what a list shows, in one query."""
    ids = list(case_ids)
    found = Case.objects.filter(pk__in=ids).select_related(
        "family", "team__district", "case_type", "key_worker"
    )
    by_id = {case.pk: case for case in found}
    return [by_id[pk] for pk in ids if pk in by_id]


def figure_url(base: str, filters: CohortFilters, figure: str) -> str:
    """The link from a figure to the cases behind it."""
    return f"{base}?{urlencode({**filters.as_query(), 'figure': figure})}"
