"""Outcomes in the API: the framework, one case's outcomes and Star, a cohort's outcomes
and Star distance travelled, and the cases behind any cohort figure."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema

from earlyhelp.audit.services import record_denied
from earlyhelp.core.pagination import Page, paginate
from earlyhelp.outcomes import selectors
from earlyhelp.outcomes.forms import CohortFilterForm
from earlyhelp.outcomes.selectors import CohortFilters

router = Router(tags=["Outcomes"])


def _source(request) -> str:
    return f"API {request.method} {request.path}"


def _require(request) -> None:
    if not request.auth.has_perm("outcomes.view_outcomes"):
        record_denied(
            actor=request.auth,
            object_type="outcomes.figures",
            object_id="",
            source=_source(request),
        )
        raise PermissionDenied("You do not have access to outcomes figures.")


class CohortQuery(Schema):
    locality: int | None = Field(None, description="Locality id")
    district: int | None = Field(None, description="District id")
    team: int | None = Field(None, description="Team id")
    target_group: int | None = Field(
        None, description="Target group id (on the Request for Support)"
    )
    case_type: int | None = Field(None, description="Case type id")
    period: str | None = Field(
        None, description="activity (open at any time in the period, the default) or closure"
    )
    date_from: dt.date | None = Field(None, description="First day of the period")
    date_to: dt.date | None = Field(None, description="Last day of the period")
    star: int | None = Field(None, description="Outcomes Star id (the default Star if not given)")


def _filters(query: CohortQuery, *, with_star: bool) -> CohortFilters:
    """The same validation as the web form; a refusal is a 422 problem naming the field."""
    data = {k: ("" if v is None else str(v)) for k, v in query.dict().items()}
    form = CohortFilterForm(data, with_star=with_star)
    if not form.is_valid():
        raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
    return form.filters()


class MappingOut(Schema):
    marmot_objectives: list[str]
    tfu_criteria: list[int]


class FrameworkOutcomeOut(MappingOut):
    number: int
    title: str
    star_areas: list[str]
    group_programmes: list[str]


class CaseOutcomeOut(Schema):
    number: int
    title: str
    marmot_objectives: str = Field(description="Letters, comma separated")
    tfu_criteria: str = Field(description="Numbers, comma separated")
    targeted: bool
    achieved: bool
    targeting_actions: list[str]
    achieved_actions: list[str]
    targeted_areas: list[str]
    improved_areas: list[str]


class CaseOutcomesOut(Schema):
    case_id: int
    star_threshold: int | None = Field(
        description="A Star area scoring below this at baseline is a targeted need"
    )
    outcomes: list[CaseOutcomeOut]
    actions_without_outcome: list[str]


class ReadingOut(Schema):
    id: int
    kind: str
    taken_on: dt.date
    scores: dict[str, int]


class StarAreaOut(Schema):
    code: str
    name: str
    scores: list[int | None] = Field(description="One per reading, in the readings' order")
    baseline: int | None
    latest: int | None
    distance_travelled: int | None
    direction: str = Field(description="improving, unchanged, declining, or empty")


class CaseStarOut(Schema):
    star_code: str
    star_name: str
    scale_min: int
    scale_max: int
    readings: list[ReadingOut]
    areas: list[StarAreaOut]


class CohortOutcomeOut(Schema):
    number: int
    title: str
    marmot_objectives: str
    tfu_criteria: str
    targeted: int
    achieved: int
    targeted_share: float | None = Field(description="Of the cases in the cohort")
    achieved_share: float | None = Field(description="Of the cases targeting the outcome")
    targeted_cases_url: str
    achieved_cases_url: str


class CohortOutcomesOut(Schema):
    service_wide: bool = Field(
        description="True: over every case matching; false: only the cases you may open"
    )
    cases: int
    cases_url: str
    outcomes: list[CohortOutcomeOut]


class CohortStarAreaOut(Schema):
    code: str
    name: str
    outcome: int | None
    measured: int
    improving: int
    declining: int
    improving_share: float | None
    declining_share: float | None
    mean_distance_travelled: float | None
    improving_cases_url: str


class CohortStarOut(Schema):
    service_wide: bool
    star_code: str | None
    families: int
    with_baseline: int
    measured: int
    areas: list[CohortStarAreaOut]


class CaseBehindOut(Schema):
    id: int
    urn: str
    family: str
    status: str
    case_type: str | None
    district: str
    key_worker: str


CASES_URL = "/api/v1/outcomes/cohort/cases"


@router.get("/framework", response=list[FrameworkOutcomeOut], summary="The outcomes framework")
def framework(request):
    """The five service outcomes with their Marmot objectives, TFU criteria, Star areas
    and group programmes (Appendix A)."""
    _require(request)
    return [
        FrameworkOutcomeOut(
            number=o.number,
            title=o.title,
            marmot_objectives=[letter for letter, _ in o.marmot],
            tfu_criteria=[number for number, _ in o.tfu],
            star_areas=o.star_areas,
            group_programmes=o.group_programmes,
        )
        for o in selectors.outcomes_framework()
    ]


@router.get("/cases/{case_id}", response=CaseOutcomesOut, summary="A case's outcomes")
def case_outcomes(request, case_id: int):
    """Which outcomes the case targeted and which it achieved, and why."""
    case = selectors.access_case_for_outcomes(
        user=request.auth, case_id=case_id, source=_source(request)
    )
    result = selectors.case_outcomes(case=case)
    return CaseOutcomesOut(
        case_id=result.case_id,
        star_threshold=result.threshold,
        outcomes=[
            CaseOutcomeOut(
                number=r.number,
                title=r.title,
                marmot_objectives=r.marmot_letters,
                tfu_criteria=r.tfu_numbers,
                targeted=r.targeted,
                achieved=r.achieved,
                targeting_actions=r.targeting_actions,
                achieved_actions=r.achieved_actions,
                targeted_areas=r.targeted_areas,
                improved_areas=r.improved_areas,
            )
            for r in result.rows
        ],
        actions_without_outcome=result.untargeted_actions,
    )


@router.get("/cases/{case_id}/star", response=list[CaseStarOut], summary="A case's Star readings")
def case_star(request, case_id: int):
    """Each Outcomes Star used on the case: its readings in date order (the radar chart's
    data) and the distance travelled in each area (latest reading minus baseline)."""
    case = selectors.access_case_for_outcomes(
        user=request.auth, case_id=case_id, source=_source(request)
    )
    return [
        CaseStarOut(
            star_code=entry.star.code,
            star_name=entry.star.name,
            scale_min=entry.star.scale_min,
            scale_max=entry.star.scale_max,
            readings=[
                ReadingOut(id=r.id, kind=r.kind, taken_on=r.taken_on, scores=r.scores)
                for r in entry.readings
            ],
            areas=[
                StarAreaOut(
                    code=a.code,
                    name=a.name,
                    scores=a.scores,
                    baseline=a.baseline,
                    latest=a.latest,
                    distance_travelled=a.distance,
                    direction=a.direction,
                )
                for a in entry.areas
            ],
        )
        for entry in selectors.case_star(case=case)
    ]


@router.get("/cohort", response=CohortOutcomesOut, summary="A cohort's outcomes")
def cohort_outcomes(request, query: Query[CohortQuery]):
    """For the cases matching the filters: per outcome, the cases targeting it and those
    achieving it, with links to the cases behind each figure."""
    _require(request)
    filters = _filters(query, with_star=False)
    cohort = selectors.cohort_outcomes(user=request.auth, filters=filters)
    return CohortOutcomesOut(
        service_wide=cohort.service_wide,
        cases=cohort.cases,
        cases_url=selectors.figure_url(CASES_URL, filters, "cases"),
        outcomes=[
            CohortOutcomeOut(
                number=r.number,
                title=r.title,
                marmot_objectives=r.marmot_letters,
                tfu_criteria=r.tfu_numbers,
                targeted=r.targeted,
                achieved=r.achieved,
                targeted_share=r.targeted_share,
                achieved_share=r.achieved_share,
                targeted_cases_url=selectors.figure_url(CASES_URL, filters, f"targeted-{r.number}"),
                achieved_cases_url=selectors.figure_url(CASES_URL, filters, f"achieved-{r.number}"),
            )
            for r in cohort.rows
        ],
    )


@router.get("/cohort/star", response=CohortStarOut, summary="A cohort's Star distance travelled")
def cohort_star(request, query: Query[CohortQuery]):
    """Per Star area, each family counted once: families measured, improving and
    declining, their shares, and the mean distance travelled."""
    _require(request)
    filters = _filters(query, with_star=True)
    cohort = selectors.cohort_star(user=request.auth, filters=filters)
    return CohortStarOut(
        service_wide=cohort.service_wide,
        star_code=cohort.star.code if cohort.star else None,
        families=cohort.families,
        with_baseline=cohort.with_baseline,
        measured=cohort.measured,
        areas=[
            CohortStarAreaOut(
                code=r.code,
                name=r.name,
                outcome=r.outcome,
                measured=r.measured,
                improving=r.improving,
                declining=r.declining,
                improving_share=r.improving_share,
                declining_share=r.declining_share,
                mean_distance_travelled=r.mean_distance,
                improving_cases_url=selectors.figure_url(CASES_URL, filters, f"improving-{r.code}"),
            )
            for r in cohort.rows
        ],
    )


class BreakdownRowOut(Schema):
    group_id: int
    label: str
    families: int
    measured: int
    improving: list[int] = Field(description="Families improving, per area in `areas` order")
    improving_shares: list[float | None]
    mean_distances_travelled: list[float | None]
    families_url: str


class StarBreakdownOut(Schema):
    by: str
    star_code: str | None
    areas: list[str] = Field(description="Star area codes, in the Star's order")
    rows: list[BreakdownRowOut]


@router.get(
    "/cohort/star/breakdown",
    response=StarBreakdownOut,
    summary="A cohort's Star distance travelled, group by group",
)
def cohort_star_breakdown(
    request,
    query: Query[CohortQuery],
    by: selectors.BreakdownBy = Query(  # noqa: B008 - how django-ninja declares a query parameter
        ..., description="locality, district, team, target_group or case_type"
    ),
):
    """Per group of the cohort, each family counted once per group: the families
    measured, and per Star area the families improving, their share and the mean
    distance travelled."""
    _require(request)
    filters = _filters(query, with_star=True)
    breakdown = selectors.cohort_star_breakdown(user=request.auth, filters=filters, by=by)
    return StarBreakdownOut(
        by=by.value,
        star_code=breakdown.star.code if breakdown.star else None,
        areas=[code for code, _, _ in breakdown.star.areas] if breakdown.star else [],
        rows=[
            BreakdownRowOut(
                group_id=row.group_id,
                label=row.label,
                families=row.families,
                measured=row.measured,
                improving=row.improving,
                improving_shares=row.improving_shares,
                mean_distances_travelled=row.mean_distances,
                families_url=selectors.figure_url(CASES_URL, row.filters, "families"),
            )
            for row in breakdown.rows
        ],
    )


def _case_item(case) -> CaseBehindOut:
    return CaseBehindOut(
        id=case.pk,
        urn=case.urn,
        family=case.family.name,
        status=case.status,
        case_type=case.case_type.code if case.case_type else None,
        district=case.team.district.name,
        key_worker=case.key_worker.get_full_name(),
    )


@router.get("/cohort/cases", response=Page[CaseBehindOut], summary="The cases behind a figure")
def cases_behind(
    request,
    query: Query[CohortQuery],
    figure: str = Query(
        "cases",
        description=(
            "cases, targeted-N, achieved-N (outcome N); families, with-baseline, measured, "
            "measured-AREA, improving-AREA, declining-AREA (Star area code)"
        ),
    ),
    page: int = 1,
):
    """The cases a cohort figure counted, only those you may open."""
    _require(request)
    filters = _filters(query, with_star=True)
    try:
        behind = selectors.cases_behind(user=request.auth, filters=filters, figure=figure)
    except selectors.UnknownFigure as error:
        raise Http404(f"There is no figure called {figure}.") from error
    result = paginate(behind.visible_ids, page, lambda pk: pk)
    result["items"] = [_case_item(case) for case in selectors.cases_for_list(result["items"])]
    return result
