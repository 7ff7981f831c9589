"""The claims report for a window as CSV and XLSX (openpyxl).

CSV: one row per family, with the section it is in (``due_progress``,
``due_employment``, ``due_earlier`` or ``claimed``), its route, dates, needs and
evidence. XLSX: a "Summary" sheet (the window and the counts), "Families" (the same rows
as the CSV) and "Evidence" (one row per family and need)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from earlyhelp.claims.models import Claim
from earlyhelp.claims.selectors import AttachmentRow, ClaimWindowReport
from earlyhelp.domain.claims import ROUTE_LABELS, ClaimRoute

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMATS = ("csv", "xlsx")

FAMILY_COLUMNS = (
    "section",
    "family_id",
    "family",
    "case_urn",
    "locality",
    "district",
    "team",
    "attached_on",
    "route",
    "due_on",
    "needs",
    "evidence",
    "claimed_on",
    "claimed_by",
)
EVIDENCE_COLUMNS = (
    "section",
    "family_id",
    "family",
    "need",
    "headline",
    "identified_evidence",
    "progress_on",
    "sustained_on",
    "evidence",
)
SECTIONS = {
    "due_progress": "Due in the window: significant and sustained progress",
    "due_employment": "Due in the window: continuous employment",
    "due_earlier": "Due before the window, not yet claimed",
    "claimed": "Claimed in the window",
}


def _place(attachment) -> tuple[str, str, str]:
    district = attachment.family.district
    return (
        district.locality.name if district else "",
        district.name if district else "",
        attachment.case.team.name,
    )


def _due_row(section: str, row: AttachmentRow) -> dict[str, Any]:
    attachment, assessment = row.attachment, row.assessment
    return {
        "section": section,
        "family_id": attachment.family_id,
        "family": attachment.family.name,
        "case_urn": attachment.case.urn,
        **dict(zip(("locality", "district", "team"), _place(attachment), strict=True)),
        "attached_on": attachment.attached_on,
        "route": ROUTE_LABELS[ClaimRoute(assessment.route)],
        "due_on": assessment.due_on,
        "needs": "; ".join(n.need.title for n in attachment.needs.all()),
        "evidence": " | ".join(e for o in assessment.needs for e in o.evidence),
        "claimed_on": None,
        "claimed_by": "",
    }


def _claim_row(claim: Claim) -> dict[str, Any]:
    attachment = claim.attachment
    needs = claim.evidence.get("needs", [])
    return {
        "section": "claimed",
        "family_id": claim.family_id,
        "family": claim.family.name,
        "case_urn": attachment.case.urn,
        **dict(zip(("locality", "district", "team"), _place(attachment), strict=True)),
        "attached_on": attachment.attached_on,
        "route": claim.get_route_display(),
        "due_on": claim.due_on,
        "needs": "; ".join(n["title"] for n in needs),
        "evidence": " | ".join(e for n in needs for e in n.get("evidence", [])),
        "claimed_on": claim.claimed_at.date(),
        "claimed_by": str(claim.claimed_by),
    }


def family_rows(report: ClaimWindowReport) -> Iterator[dict[str, Any]]:
    """Every family of the report, section by section."""
    for section, rows in (
        ("due_progress", report.due_by_progress),
        ("due_employment", report.due_by_employment),
        ("due_earlier", report.due_earlier),
    ):
        for row in rows:
            yield _due_row(section, row)
    for claim in report.claimed:
        yield _claim_row(claim)


def evidence_rows(report: ClaimWindowReport) -> Iterator[dict[str, Any]]:
    """Per family and need: when progress was made and sustained, and the evidence."""
    for section, rows in (
        ("due_progress", report.due_by_progress),
        ("due_employment", report.due_by_employment),
        ("due_earlier", report.due_earlier),
    ):
        for row in rows:
            for identified, outcome in zip(
                row.attachment.needs.all(), row.assessment.needs, strict=True
            ):
                yield {
                    "section": section,
                    "family_id": row.attachment.family_id,
                    "family": row.attachment.family.name,
                    "need": identified.need.title,
                    "headline": identified.need.headline_title,
                    "identified_evidence": identified.evidence,
                    "progress_on": outcome.progress_on,
                    "sustained_on": outcome.sustained_on,
                    "evidence": " | ".join(outcome.evidence),
                }
    for claim in report.claimed:
        for need in claim.evidence.get("needs", []):
            yield {
                "section": "claimed",
                "family_id": claim.family_id,
                "family": claim.family.name,
                "need": need["title"],
                "headline": need.get("headline", ""),
                "identified_evidence": need.get("identified_evidence", ""),
                "progress_on": _date(need.get("progress_on")),
                "sustained_on": _date(need.get("sustained_on")),
                "evidence": " | ".join(need.get("evidence", [])),
            }


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def report_csv(report: ClaimWindowReport) -> str:
    """The report's families as CSV, one row each."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FAMILY_COLUMNS)
    for row in family_rows(report):
        writer.writerow([_text(row[column]) for column in FAMILY_COLUMNS])
    return out.getvalue()


def summary(report: ClaimWindowReport) -> list[tuple[str, Any]]:
    return [
        ("Framework", report.framework.name),
        ("Window from", report.start),
        ("Window to", report.end),
        (SECTIONS["due_progress"], len(report.due_by_progress)),
        (SECTIONS["due_employment"], len(report.due_by_employment)),
        (SECTIONS["due_earlier"], len(report.due_earlier)),
        (SECTIONS["claimed"], len(report.claimed)),
    ]


def _sheet(workbook: Workbook, title: str, header, rows) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, column in enumerate(header):
        if column.endswith("_on") or column.startswith("Window"):
            for cell in sheet.iter_cols(min_col=index + 1, max_col=index + 1, min_row=2):
                for item in cell:
                    item.number_format = "yyyy-mm-dd"


def report_xlsx(report: ClaimWindowReport) -> bytes:
    """The report as a workbook: Summary, Families and Evidence sheets."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, "Summary", ("Figure", "Value"), [list(item) for item in summary(report)])
    _sheet(
        workbook,
        "Families",
        FAMILY_COLUMNS,
        ([row[c] for c in FAMILY_COLUMNS] for row in family_rows(report)),
    )
    _sheet(
        workbook,
        "Evidence",
        EVIDENCE_COLUMNS,
        ([row[c] for c in EVIDENCE_COLUMNS] for row in evidence_rows(report)),
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def filename(report: ClaimWindowReport, extension: str) -> str:
    return f"claims-{report.framework.code}-{report.start}-to-{report.end}.{extension}"
