"""The governance report as a spreadsheet, and the CSV extracts for analysts (plain
rows, no free-text notes)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.http import StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from earlyhelp.audit.services import record_write
from earlyhelp.reporting import figures, selectors
from earlyhelp.reporting.selectors import Dashboard, DashboardFilters


def report_xlsx(*, board: Dashboard, title: str) -> bytes:
    """The report's figures as a workbook: a summary sheet with every section's rows,
    and one sheet per section."""
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    summary.append([title])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(
        ["Period", f"{board.filters.date_from:%d %B %Y} to {board.filters.date_to:%d %B %Y}"]
    )
    summary.append(["Place", selectors.scope_label(board.filters)])
    summary.append([])
    for section in figures.sections(board):
        summary.append([section.title])
        summary.cell(row=summary.max_row, column=1).font = Font(bold=True)
        sheet = book.create_sheet(section.title[:31].replace("/", " "))
        sheet.append(["Figure", "Value", "As shown"])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in section.rows:
            summary.append([row.label, row.value, row.text])
            sheet.append([row.label, row.value, row.text])
        sheet.column_dimensions["A"].width = 60
        sheet.column_dimensions["C"].width = 40
        summary.append([])
    summary.column_dimensions["A"].width = 60
    summary.column_dimensions["B"].width = 14
    summary.column_dimensions["C"].width = 40
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def extract_rows(*, kind: str, filters: DashboardFilters):
    """The header and then each row of an extract, as text cells."""
    query, columns = selectors.EXTRACTS[kind]
    yield list(columns)
    for row in query(filters=filters).iterator(chunk_size=2000):
        yield [_cell(value) for value in row]


def csv_response(
    *, actor, kind: str, filters: DashboardFilters, source: str
) -> StreamingHttpResponse:
    """A CSV extract streamed row by row; the extract is recorded on the audit log."""
    record_write(
        actor=actor,
        code="reporting.extract_downloaded",
        details={"extract": kind, **filters.as_query()},
        source=source,
    )
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in extract_rows(kind=kind, filters=filters)),
        content_type="text/csv; charset=utf-8",
    )
    name = f"{kind}-{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
