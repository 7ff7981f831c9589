"""Governance reports: generate one (on demand or on the quarterly schedule), store the
file under MEDIA_ROOT with its metadata, and open it for download. Each generation and
download is on the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import FileResponse
from django.utils import timezone

from earlyhelp.audit.services import record_denied, record_write
from earlyhelp.configuration.models import Locality
from earlyhelp.configuration.selectors import service_settings
from earlyhelp.domain import performance as rules
from earlyhelp.reporting import charts, exports, figures, pdf, selectors
from earlyhelp.reporting.models import GeneratedReport, ReportFormat
from earlyhelp.reporting.selectors import DashboardFilters

CONTENT_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def report_title(*, locality: Locality | None, quarter: rules.Quarter) -> str:
    place = f"{locality.name} locality" if locality else "County"
    return f"Early help performance: {place}, {quarter.label}"


def report_context(*, user, locality: Locality | None, quarter: rules.Quarter) -> dict:
    """Everything the quarterly report shows: the dashboard's figures for the place and
    quarter (outcomes and Troubled Families progress included) and its charts."""
    filters = DashboardFilters(
        date_from=quarter.start,
        date_to=quarter.end,
        locality_id=locality.pk if locality else None,
    )
    board = selectors.performance_dashboard(user=user, filters=filters)
    return {
        "title": report_title(locality=locality, quarter=quarter),
        "council": service_settings().council_name,
        "board": board,
        "quarter": quarter,
        "scope": selectors.scope_label(filters),
        "sections": figures.sections(board),
        "generated_at": timezone.now(),
        **charts.dashboard_charts(board),
    }


def render_report(
    *, user, locality: Locality | None, quarter: rules.Quarter, report_format: str
) -> bytes:
    """The report's file, PDF or XLSX."""
    context = report_context(user=user, locality=locality, quarter=quarter)
    if report_format == ReportFormat.PDF:
        return pdf.render_pdf(pdf.report_html(context))
    if report_format == ReportFormat.XLSX:
        return exports.report_xlsx(board=context["board"], title=context["title"])
    raise ValueError(f"Unknown report format {report_format!r}")


def _file_name(locality: Locality | None, quarter: rules.Quarter, report_format: str) -> str:
    place = locality.code if locality else "county"
    return f"governance-{place}-{quarter.code}.{report_format}"


@contextmanager
def _file_removed_on_failure(report: GeneratedReport) -> Iterator[None]:
    """A rollback does not reach the storage: when the report's row is not saved after
    all, its stored file is removed, so that no file is left without a row."""
    try:
        yield
    except BaseException:
        report.file.delete(save=False)
        raise


def generate_report(
    *,
    actor,
    locality: Locality | None,
    quarter: rules.Quarter,
    report_format: str,
    source: str,
    scheduled: bool = False,
) -> GeneratedReport:
    """Generate a quarterly governance report for a locality or the county and store it.
    A user must be allowed to generate reports; the schedule runs without one."""
    # Checked before the transaction, so that a refusal stays on the audit log.
    if actor is not None and not actor.has_perm("reporting.generate_report"):
        record_denied(
            actor=actor, object_type="reporting.generatedreport", object_id="", source=source
        )
        raise PermissionDenied("You may not generate governance reports.")
    with transaction.atomic():
        content = render_report(
            user=actor, locality=locality, quarter=quarter, report_format=report_format
        )
        report = GeneratedReport(
            locality=locality,
            quarter=quarter.code,
            format=report_format,
            scheduled=scheduled,
            size=len(content),
            generated_at=timezone.now(),
            generated_by=actor,
        )
        report.file.save(
            _file_name(locality, quarter, report_format), ContentFile(content), save=False
        )
        with _file_removed_on_failure(report):
            report.full_clean()
            report.save()
            record_write(
                actor=actor,
                code="reporting.report_generated",
                instance=report,
                details={
                    "quarter": quarter.code,
                    "locality": locality.code if locality else "county",
                    "format": report_format,
                    "scheduled": scheduled,
                },
                source=source,
            )
    return report


def open_report(*, actor, report: GeneratedReport, source: str) -> FileResponse:
    """A generated report's file for download; the download is on the audit log."""
    if not actor.has_perm("reporting.view_dashboard"):
        record_denied(
            actor=actor,
            object_type="reporting.generatedreport",
            object_id=str(report.pk),
            source=source,
        )
        raise PermissionDenied("You may not download governance reports.")
    record_write(actor=actor, code="reporting.report_downloaded", instance=report, source=source)
    name = report.file.name.rsplit("/", 1)[-1]
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=CONTENT_TYPES.get(report.format, "application/octet-stream"),
    )


class ScheduledRunUser:
    """The scheduled run reads figures service-wide, as the head of service would (it
    is nobody's session: the audit log records the run with no actor)."""

    is_authenticated = True
    pk = None

    def has_perm(self, permission: str, obj=None) -> bool:
        return permission in {"outcomes.view_cohort_figures", "reporting.view_dashboard"}

    def has_role(self, *roles) -> bool:
        from earlyhelp.accounts.roles import Role

        return Role.HEAD_OF_SERVICE in roles


def run_scheduled_reports(
    *, today: dt.date | None = None, formats: tuple[str, ...] = ("pdf", "xlsx")
) -> list[GeneratedReport]:
    """Generate the last complete quarter's reports for every locality and the county, in
    every format, each once: a run that finds a report already made skips it."""
    quarter = rules.last_complete_quarter(today or timezone.localdate())
    made = []
    places: list[Locality | None] = [None, *Locality.objects.order_by("name")]
    for locality in places:
        for report_format in formats:
            exists = GeneratedReport.objects.filter(
                scheduled=True, quarter=quarter.code, format=report_format, locality=locality
            ).exists()
            if exists:
                continue
            try:
                made.append(_generate_scheduled(locality, quarter, report_format))
            except IntegrityError:
                continue  # another run made it meanwhile
    return made


def _generate_scheduled(
    locality: Locality | None, quarter: rules.Quarter, report_format: str
) -> GeneratedReport:
    with transaction.atomic():
        context_user = ScheduledRunUser()
        content = render_report(
            user=context_user, locality=locality, quarter=quarter, report_format=report_format
        )
        report = GeneratedReport(
            locality=locality,
            quarter=quarter.code,
            format=report_format,
            scheduled=True,
            size=len(content),
            generated_at=timezone.now(),
        )
        report.file.save(
            _file_name(locality, quarter, report_format), ContentFile(content), save=False
        )
        with _file_removed_on_failure(report):
            report.save()
            record_write(
                actor=None,
                code="reporting.report_generated",
                instance=report,
                details={
                    "quarter": quarter.code,
                    "locality": locality.code if locality else "county",
                    "format": report_format,
                    "scheduled": True,
                },
                source="manage.py run_scheduled_reports",
            )
    return report
