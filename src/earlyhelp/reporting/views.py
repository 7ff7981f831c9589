"""Performance pages: the dashboard, the records behind any figure, the governance
reports (generate and download) and the CSV extracts. Views parse and authorise; the
figures come from reporting/selectors.py, the files from reporting/services.py."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from earlyhelp.audit.services import record_denied
from earlyhelp.cases import web
from earlyhelp.reporting import charts, exports, figures, selectors, services
from earlyhelp.reporting.forms import EXTRACT_CHOICES, DashboardFilterForm, ReportForm
from earlyhelp.reporting.models import GeneratedReport

PAGE_SIZE = 25


def _require(request: HttpRequest, permission: str = "reporting.view_dashboard") -> None:
    if not request.user.has_perm(permission):
        record_denied(
            actor=request.user,
            object_type="reporting.dashboard",
            object_id="",
            source=web.source(request),
        )
        raise PermissionDenied("You do not have access to the performance figures.")


def _filters(request: HttpRequest):
    form = DashboardFilterForm(request.GET or None)
    if not form.is_bound:
        return form, DashboardFilterForm({}).filters()
    return form, (form.filters() if form.is_valid() else None)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The performance dashboard for a place and period, every figure linked to the
    records behind it."""
    _require(request)
    form, filters = _filters(request)
    context: dict = {"form": form}
    if filters is not None:
        board = selectors.performance_dashboard(user=request.user, filters=filters)
        base = reverse("reporting:figure")
        context |= {
            "board": board,
            "scope": selectors.scope_label(filters),
            "sections": [
                {
                    "section": section,
                    "rows": [
                        {
                            "row": row,
                            "url": selectors.figure_url(base, filters, row.figure)
                            if row.figure
                            else "",
                        }
                        for row in section.rows
                    ],
                }
                for section in figures.sections(board)
            ],
            "query": urlencode(filters.as_query()),
            **charts.dashboard_charts(board),
        }
    return render(request, "reporting/dashboard.html", context, status=200 if filters else 400)


@login_required
def figure(request: HttpRequest) -> HttpResponse:
    """The cases or requests behind a dashboard figure: only those the user may open."""
    _require(request)
    form, filters = _filters(request)
    name = request.GET.get("figure", "")
    if filters is None:
        return render(request, "reporting/figure.html", {"form": form, "invalid": True}, status=400)
    try:
        behind = selectors.records_behind(user=request.user, filters=filters, figure=name)
    except selectors.UnknownFigure as error:
        raise Http404("There is no such figure.") from error
    page = Paginator(behind.visible_ids, PAGE_SIZE).get_page(request.GET.get("page"))
    records = (
        selectors.cases_for_list(list(page.object_list))
        if behind.kind == "cases"
        else selectors.requests_for_list(list(page.object_list))
    )
    return render(
        request,
        "reporting/figure.html",
        {
            "behind": behind,
            "page": page,
            "records": records,
            "scope": selectors.scope_label(filters),
            "filters": filters,
            "query": urlencode({**filters.as_query(), "figure": name}),
            "dashboard_query": urlencode(filters.as_query()),
        },
    )


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    """Generate a governance report (PDF or XLSX) for a locality or the county and a
    quarter; the reports generated so far, to download; the CSV extracts."""
    _require(request)
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            report = services.generate_report(
                actor=request.user,
                locality=form.cleaned_data["locality"],
                quarter=form.cleaned_data["quarter"],
                report_format=form.cleaned_data["format"],
                source=web.source(request),
            )
            return redirect("reporting:download", report_id=report.pk)
        status = 400
    else:
        form = ReportForm(initial={"format": "pdf"})
        status = 200
    return render(
        request,
        "reporting/reports.html",
        {
            "form": form,
            "generated": GeneratedReport.objects.select_related("locality", "generated_by")[:50],
            "extract_form": DashboardFilterForm(),
            "extracts": EXTRACT_CHOICES,
        },
        status=status,
    )


@login_required
def download(request: HttpRequest, report_id: int) -> FileResponse:
    """A generated report's file."""
    _require(request)
    report = GeneratedReport.objects.filter(pk=report_id).first()
    if report is None:
        raise Http404("No report with that number.")
    return services.open_report(actor=request.user, report=report, source=web.source(request))


@login_required
def extract(request: HttpRequest, kind: str) -> HttpResponse:
    """A CSV extract of cases, requests or contacts for a place and period (no notes)."""
    _require(request)
    if kind not in selectors.EXTRACTS:
        raise Http404("No such extract.")
    form, filters = _filters(request)
    if filters is None:
        return render(
            request,
            "reporting/reports.html",
            {"form": ReportForm(), "extract_form": form, "extracts": EXTRACT_CHOICES},
            status=400,
        )
    return exports.csv_response(
        actor=request.user, kind=kind, filters=filters, source=web.source(request)
    )
