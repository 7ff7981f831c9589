"""Outcomes pages: the framework with a cohort's outcomes, the cohort's Outcomes Star
distance travelled, the cases behind any figure, and one case's outcomes and Star.

Views parse and authorise; the figures come from outcomes/selectors.py."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from earlyhelp.audit.services import record_denied
from earlyhelp.cases import web
from earlyhelp.outcomes import charts, selectors
from earlyhelp.outcomes.forms import CohortFilterForm
from earlyhelp.outcomes.selectors import CohortFilters

CASES_PAGE_SIZE = 25


def percent(value: float | None) -> str:
    return "No cases" if value is None else f"{value * 100:.0f}%"


def signed(value: float | None) -> str:
    return "No data" if value is None else f"{value:+.2f}"


def _require(request: HttpRequest) -> None:
    if not request.user.has_perm("outcomes.view_outcomes"):
        record_denied(
            actor=request.user,
            object_type="outcomes.figures",
            object_id="",
            source=web.source(request),
        )
        raise PermissionDenied("You do not have access to outcomes figures.")


def _filters(
    request: HttpRequest, *, with_star: bool
) -> tuple[CohortFilterForm, CohortFilters | None]:
    form = CohortFilterForm(request.GET or None, with_star=with_star)
    if not form.is_bound:
        return form, CohortFilters()
    return form, (form.filters() if form.is_valid() else None)


def _link(filters: CohortFilters, figure: str) -> str:
    return selectors.figure_url(reverse("outcomes:cases"), filters, figure)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The outcomes framework (Appendix A) and, for the cohort filtered, the cases
    targeting and achieving each outcome."""
    _require(request)
    form, filters = _filters(request, with_star=False)
    context: dict = {"form": form, "framework": selectors.outcomes_framework()}
    if filters is not None:
        cohort = selectors.cohort_outcomes(user=request.user, filters=filters)
        rows = [
            {
                "row": row,
                "targeted_share": percent(row.targeted_share),
                "achieved_share": percent(row.achieved_share),
                "targeted_url": _link(filters, f"targeted-{row.number}"),
                "achieved_url": _link(filters, f"achieved-{row.number}"),
            }
            for row in cohort.rows
        ]
        context |= {
            "cohort": cohort,
            "rows": rows,
            "cases_url": _link(filters, "cases"),
            "query": urlencode(filters.as_query()),
            "chart": charts.signed_bar_chart(
                chart_id="outcomes-achieved",
                title="Share of cases targeting each outcome that achieved it",
                description=", ".join(
                    f"Outcome {row.number}: {percent(row.achieved_share)}" for row in cohort.rows
                ),
                bars=[
                    (
                        f"Outcome {row.number}",
                        None if row.achieved_share is None else row.achieved_share * 100,
                    )
                    for row in cohort.rows
                ],
                unit="%",
                limit=100,
                decimals=0,
            ),
        }
    return render(request, "outcomes/index.html", context)


@login_required
def star(request: HttpRequest) -> HttpResponse:
    """Outcomes Star distance travelled over a cohort: the share of families improving
    in each area and the mean distance travelled, each figure linked to its cases."""
    _require(request)
    form, filters = _filters(request, with_star=True)
    context: dict = {"form": form}
    if filters is not None:
        cohort = selectors.cohort_star(user=request.user, filters=filters)
        rows = [
            {
                "row": row,
                "improving_share": percent(row.improving_share),
                "declining_share": percent(row.declining_share),
                "mean_distance": signed(row.mean_distance),
                "measured_url": _link(filters, f"measured-{row.code}"),
                "improving_url": _link(filters, f"improving-{row.code}"),
                "declining_url": _link(filters, f"declining-{row.code}"),
            }
            for row in cohort.rows
        ]
        context |= {
            "cohort": cohort,
            "rows": rows,
            "families_url": _link(filters, "families"),
            "with_baseline_url": _link(filters, "with-baseline"),
            "measured_url": _link(filters, "measured"),
            "query": urlencode(filters.as_query()),
            "improving_chart": charts.signed_bar_chart(
                chart_id="star-improving",
                title="Share of families improving in each area",
                description=", ".join(
                    f"{row.name}: {percent(row.improving_share)}" for row in cohort.rows
                ),
                bars=[
                    (row.name, None if row.improving_share is None else row.improving_share * 100)
                    for row in cohort.rows
                ],
                unit="%",
                limit=100,
                decimals=0,
            ),
            "distance_chart": charts.signed_bar_chart(
                chart_id="star-distance",
                title="Mean distance travelled in each area (points on the Star's scale)",
                description=", ".join(
                    f"{row.name}: {signed(row.mean_distance)}" for row in cohort.rows
                ),
                bars=[(row.name, row.mean_distance) for row in cohort.rows],
                decimals=2,
            ),
        }
        by = form.breakdown_by() if form.is_bound else None
        if by is not None:
            breakdown = selectors.cohort_star_breakdown(user=request.user, filters=filters, by=by)
            codes = [(c, n) for c, n, _ in breakdown.star.areas] if breakdown.star else []
            context["breakdown"] = {
                "by": by,
                "areas": [name for _, name, _ in breakdown.star.areas] if breakdown.star else [],
                "rows": [
                    {
                        "row": row,
                        "families_url": _link(row.filters, "families"),
                        "cells": [
                            {
                                "area": name,
                                "count": count,
                                "share": percent(share),
                                "url": _link(row.filters, f"improving-{code}"),
                            }
                            for (code, name), count, share in zip(
                                codes, row.improving, row.improving_shares, strict=True
                            )
                        ],
                    }
                    for row in breakdown.rows
                ],
            }
    return render(request, "outcomes/star.html", context)


@login_required
def cases(request: HttpRequest) -> HttpResponse:
    """The cases behind a cohort figure: only those the user may open."""
    _require(request)
    form, filters = _filters(request, with_star=True)
    figure = request.GET.get("figure", "cases")
    if filters is None:
        return render(request, "outcomes/cases.html", {"form": form, "invalid": True}, status=400)
    try:
        behind = selectors.cases_behind(user=request.user, filters=filters, figure=figure)
    except selectors.UnknownFigure as error:
        raise Http404("There is no such figure.") from error
    page = Paginator(behind.visible_ids, CASES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "outcomes/cases.html",
        {
            "form": form,
            "figure": figure,
            "page": page,
            "cases": selectors.cases_for_list(page.object_list),
            "counted": behind.counted,
            "query": urlencode({**filters.as_query(), "figure": figure}),
        },
    )


def _star_description(entry: selectors.CaseStar, labels: list[str]) -> str:
    """The radar chart's readings in words, for assistive technology."""

    def score(value: int | None) -> str:
        return "not scored" if value is None else str(value)

    return "; ".join(
        f"{label}: " + ", ".join(f"{area.name} {score(area.scores[i])}" for area in entry.areas)
        for i, label in enumerate(labels)
    )


@login_required
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    """One case's outcomes (targeted and achieved) and its Outcomes Star as a radar
    chart with its table and the distance travelled in each area."""
    found = selectors.access_case_for_outcomes(
        user=request.user, case_id=case_id, source=web.source(request)
    )
    outcomes = selectors.case_outcomes(case=found)
    stars = []
    for index, entry in enumerate(selectors.case_star(case=found)):
        labels = [f"{r.kind_label}, {r.taken_on:%-d %b %Y}" for r in entry.readings]
        stars.append(
            {
                "entry": entry,
                "labels": labels,
                "chart": charts.radar_chart(
                    chart_id=f"star-{index}",
                    title=f"{entry.star.name}: scores at each reading",
                    description=_star_description(entry, labels),
                    axes=[area.name for area in entry.areas],
                    series=[
                        charts.Series(label=label, values=[area.scores[i] for area in entry.areas])
                        for i, label in enumerate(labels)
                    ],
                    scale_min=entry.star.scale_min,
                    scale_max=entry.star.scale_max,
                ),
            }
        )
    return render(
        request,
        "outcomes/case.html",
        {"case": found, "outcomes": outcomes, "stars": stars},
    )
