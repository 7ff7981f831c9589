"""Performance and governance reports in the API: every dashboard figure, the records
behind a figure, report generation and download, and the CSV extracts. Same filters and
the same refusals as the web pages (reporting/forms.py)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from earlyhelp.audit.services import record_denied
from earlyhelp.configuration.models import Locality
from earlyhelp.core.pagination import Page, paginate
from earlyhelp.reporting import exports, figures, selectors, services
from earlyhelp.reporting.forms import DashboardFilterForm, ReportForm
from earlyhelp.reporting.models import GeneratedReport, ReportFormat

router = Router(tags=["Performance and governance reports"])
RECORDS_URL = "/api/v1/reporting/records"


def _source(request) -> str:
    return f"API {request.method} {request.path}"


def _require(request) -> None:
    if not request.auth.has_perm("reporting.view_dashboard"):
        record_denied(
            actor=request.auth,
            object_type="reporting.dashboard",
            object_id="",
            source=_source(request),
        )
        raise PermissionDenied("You do not have access to the performance figures.")


class FilterQuery(Schema):
    locality: int | None = Field(None, description="Locality id")
    district: int | None = Field(None, description="District id")
    team: int | None = Field(None, description="Team id (the case's or request's team)")
    quarter: str | None = Field(
        None, description="A calendar quarter such as 2026Q3; or give date_from and date_to"
    )
    date_from: dt.date | None = Field(
        None, description="First day of the period (default: twelve months to today)"
    )
    date_to: dt.date | None = Field(None, description="Last day of the period (default: today)")


def _filters(query: FilterQuery) -> selectors.DashboardFilters:
    """The web form's validation; a refusal is a 422 problem naming the field."""
    data = {k: ("" if v is None else str(v)) for k, v in query.dict().items()}
    form = DashboardFilterForm(data)
    if not form.is_valid():
        raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
    return form.filters()


class FigureOut(Schema):
    label: str
    value: float | None = Field(description="The figure as a number (a share is 0 to 1)")
    text: str = Field(description="The figure as the dashboard shows it")
    figure: str | None = Field(description="The name of the records behind it, if listed")
    records_url: str | None


class SectionOut(Schema):
    key: str
    title: str
    figures: list[FigureOut]


class DashboardOut(Schema):
    date_from: dt.date
    date_to: dt.date
    scope: str
    sections: list[SectionOut]


@router.get("/dashboard", response=DashboardOut, summary="Every performance figure")
def dashboard(request, query: Query[FilterQuery]):
    """Every dashboard figure for the place and period: requests, timescales, open
    cases by level and case type against the profile, closures, step-ups and downs,
    re-referrals, groups, Talkzone, outcomes and Troubled Families progress. Each
    figure with a list names it, and links to the records behind it."""
    _require(request)
    filters = _filters(query)
    board = selectors.performance_dashboard(user=request.auth, filters=filters)
    return DashboardOut(
        date_from=filters.date_from,
        date_to=filters.date_to,
        scope=selectors.scope_label(filters),
        sections=[
            SectionOut(
                key=section.key,
                title=section.title,
                figures=[
                    FigureOut(
                        label=row.label,
                        value=row.value,
                        text=row.text,
                        figure=row.figure,
                        records_url=selectors.figure_url(RECORDS_URL, filters, row.figure)
                        if row.figure
                        else None,
                    )
                    for row in section.rows
                ],
            )
            for section in figures.sections(board)
        ],
    )


class RecordOut(Schema):
    kind: str = Field(description="case or request")
    id: int
    family: str
    status: str
    team: str
    url: str


@router.get("/records", response=Page[RecordOut], summary="The records behind a figure")
def records(
    request,
    query: Query[FilterQuery],
    figure: str = Query(..., description="The figure's name, as the dashboard gives it"),
    page: int = Query(1, ge=1, le=100000),
):
    """The cases or requests a figure counted, only those you may open."""
    _require(request)
    filters = _filters(query)
    try:
        behind = selectors.records_behind(user=request.auth, filters=filters, figure=figure)
    except selectors.UnknownFigure as error:
        raise Http404(f"There is no figure called {figure}.") from error
    result = paginate(behind.visible_ids, page, lambda pk: pk)
    if behind.kind == "cases":
        result["items"] = [
            RecordOut(
                kind="case",
                id=c.pk,
                family=c.family.name,
                status=c.status,
                team=c.team.name,
                url=f"/api/v1/cases/{c.pk}",
            )
            for c in selectors.cases_for_list(result["items"])
        ]
    else:
        result["items"] = [
            RecordOut(
                kind="request",
                id=r.pk,
                family=r.family.name,
                status=r.status,
                team=r.team.name,
                url=f"/api/v1/requests/{r.pk}",
            )
            for r in selectors.requests_for_list(result["items"])
        ]
    return result


class ReportIn(Schema):
    locality: int | None = Field(None, description="Locality id; none for the county")
    quarter: str = Field(description="A calendar quarter such as 2026Q3")
    format: ReportFormat


class ReportOut(Schema):
    id: int
    locality: str | None
    quarter: str
    format: str
    scheduled: bool
    size: int
    generated_at: dt.datetime
    download_url: str


def _report_out(report: GeneratedReport) -> ReportOut:
    return ReportOut(
        id=report.pk,
        locality=report.locality.code if report.locality_id else None,
        quarter=report.quarter,
        format=report.format,
        scheduled=report.scheduled,
        size=report.size,
        generated_at=report.generated_at,
        download_url=f"/api/v1/reporting/reports/{report.pk}/file",
    )


@router.get("/reports", response=list[ReportOut], summary="Governance reports generated")
def report_list(request):
    """The latest 50 governance reports generated, on demand or by the schedule."""
    _require(request)
    return [_report_out(r) for r in GeneratedReport.objects.select_related("locality")[:50]]


@router.post("/reports", response={201: ReportOut}, summary="Generate a governance report")
def report_generate(request, payload: ReportIn):
    """Generate the quarterly report for the Children's Partnership Board for a
    locality or the county, as PDF or XLSX."""
    if payload.locality is not None and not Locality.objects.filter(pk=payload.locality).exists():
        raise ValidationError({"locality": ["Choose a locality that exists, or none"]})
    form = ReportForm(
        {
            "locality": "" if payload.locality is None else str(payload.locality),
            "quarter": payload.quarter,
            "format": payload.format.value,
        }
    )
    if not form.is_valid():
        raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
    report = services.generate_report(
        actor=request.auth,
        locality=form.cleaned_data["locality"],
        quarter=form.cleaned_data["quarter"],
        report_format=form.cleaned_data["format"],
        source=_source(request),
    )
    return Status(201, _report_out(report))


_FILE_RESPONSE = {
    "responses": {
        "200": {
            "description": "The file",
            "content": {
                "application/pdf": {},
                services.CONTENT_TYPES[ReportFormat.XLSX]: {},
            },
        }
    }
}


@router.get(
    "/reports/{report_id}/file",
    response={200: bytes},
    summary="Download a governance report",
    openapi_extra=_FILE_RESPONSE,
)
def report_file(request, report_id: int):
    """The report's file; the download is on the audit log."""
    _require(request)
    report = GeneratedReport.objects.filter(pk=report_id).first()
    if report is None:
        raise Http404("No report with that number.")
    return services.open_report(actor=request.auth, report=report, source=_source(request))


class ExtractKind(StrEnum):
    CASES = "cases"
    REQUESTS = "requests"
    CONTACTS = "contacts"


@router.get(
    "/extracts/{kind}",
    response={200: bytes},
    summary="A CSV extract for analysts",
    openapi_extra={
        "responses": {
            "200": {"description": "The extract", "content": {"text/csv": {}}},
        }
    },
)
def extract(request, kind: ExtractKind, query: Query[FilterQuery]):
    """Cases open in the period, requests received in it, or contacts in it, as CSV with
    plain fields and no free-text notes. The extract is on the audit log."""
    _require(request)
    filters = _filters(query)
    return exports.csv_response(
        actor=request.auth, kind=kind.value, filters=filters, source=_source(request)
    )
