"""Governance reports: the PDF and XLSX open and hold the figures; the command writes a
file; the schedule makes each quarter's reports once."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from earlyhelp.domain.performance import parse_quarter
from earlyhelp.reporting import pdf, services
from earlyhelp.reporting.models import GeneratedReport
from tests.reporting.data import build_reporting_data


@pytest.fixture
def data(world):
    return build_reporting_data(world)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _context(world, locality=None):
    return services.report_context(
        user=world.head, locality=locality, quarter=parse_quarter("2026Q2")
    )


def test_the_pdf_is_a_pdf_drawn_from_html_holding_the_figures(world, data):
    context = _context(world)
    html = pdf.report_html(context)
    assert "Early help performance: County, April to June 2026" in html
    assert "Allocation: within 5 working days" in html
    assert "Re-referrals within 12 months" in html
    assert "Troubled Families progress" in html
    assert "Outcomes" in html
    assert "style=" not in html
    content = pdf.render_pdf(html)
    assert content.startswith(b"%PDF")
    pages = pdf.page_count(html)
    assert pages >= 2


def test_the_pdf_opens_and_its_text_holds_the_figures(world, data):
    content = services.render_report(
        user=world.head, locality=None, quarter=parse_quarter("2026Q2"), report_format="pdf"
    )

    document = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join(page.extract_text().split()) for page in document.pages)
    assert len(document.pages) >= 2
    assert "Early help performance: County, April to June 2026" in text
    assert "Allocation: within 5 working days" in text
    assert "Re-referrals within 12 months" in text
    assert "Troubled Families progress" in text
    # The hand-built quarter's figures, as the spreadsheet holds them too.
    workbook = load_workbook(
        io.BytesIO(
            services.render_report(
                user=world.head,
                locality=None,
                quarter=parse_quarter("2026Q2"),
                report_format="xlsx",
            )
        )
    )
    figures = {
        row[0]: row[1]
        for row in workbook["Summary"].iter_rows(values_only=True)
        if row and row[0] in ("Received", "Re-referrals within 12 months")
    }
    assert figures == {"Received": 5, "Re-referrals within 12 months": 1}
    assert f"Received {figures['Received']}" in text


def test_weasyprint_fetches_nothing_but_the_stylesheet():
    with pytest.raises(pdf.RefusedFetch):
        pdf.local_only_fetcher("https://example.com/tracker.png")
    assert pdf.local_only_fetcher(pdf.STYLESHEET.as_uri())["mime_type"] == "text/css"


def test_the_spreadsheet_opens_and_holds_the_figures(world, data):
    content = services.render_report(
        user=world.head, locality=None, quarter=parse_quarter("2026Q2"), report_format="xlsx"
    )
    book = load_workbook(io.BytesIO(content))
    summary = book["Summary"]
    values = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row and row[0]}
    assert values["Received"] == 5
    assert values["Re-referrals within 12 months"] == 1
    assert values["Allocation: within 5 working days"] == 3
    assert values["Allocation: median"] == 4
    assert values["Talkzone contacts out of hours"] == 1
    assert "Timescales" in book.sheetnames


def test_a_locality_report_covers_only_its_locality(world, data):
    locality = world.district.locality
    content = services.render_report(
        user=world.head, locality=locality, quarter=parse_quarter("2026Q2"), report_format="xlsx"
    )
    summary = load_workbook(io.BytesIO(content))["Summary"]
    values = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row and row[0]}
    assert values["Allocation: counted"] == 3  # D is in the other locality
    assert values["Place"] == f"Locality: {locality.name}"


def test_the_command_writes_the_report(world, data, tmp_path):
    output = tmp_path / "county.xlsx"
    call_command(
        "generate_governance_report",
        "--county",
        "--quarter",
        "2026Q2",
        "--format",
        "xlsx",
        "--output",
        str(output),
        stdout=io.StringIO(),
    )
    assert output.read_bytes()[:2] == b"PK"
    with pytest.raises(CommandError):
        call_command(
            "generate_governance_report",
            "--locality",
            "nowhere",
            "--quarter",
            "2026Q2",
            "--format",
            "pdf",
            "--output",
            str(output),
        )


def test_the_schedule_makes_each_quarters_reports_once(world, data):
    made = services.run_scheduled_reports(today=dt.date(2026, 7, 2), formats=("xlsx",))
    # The county and both localities.
    assert len(made) == 3
    assert {r.quarter for r in made} == {"2026Q2"}
    assert services.run_scheduled_reports(today=dt.date(2026, 7, 20), formats=("xlsx",)) == []
    assert GeneratedReport.objects.filter(scheduled=True).count() == 3
    county = GeneratedReport.objects.get(locality__isnull=True)
    assert county.file.read()[:2] == b"PK"


def test_a_user_without_the_permission_cannot_generate(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.generate_report(
            actor=world.key_worker,
            locality=None,
            quarter=parse_quarter("2026Q2"),
            report_format="pdf",
            source="test",
        )


def test_the_scheduled_command_reports_what_it_made(world, data):
    out = io.StringIO()
    call_command("run_scheduled_reports", "--today", "2026-07-02", stdout=out)
    # PDF and XLSX for the county and both localities.
    assert "6 report(s) generated" in out.getvalue()
    again = io.StringIO()
    call_command("run_scheduled_reports", "--today", "2026-08-02", stdout=again)
    assert "0 report(s) generated" in again.getvalue()
    with pytest.raises(CommandError):
        call_command("run_scheduled_reports", "--today", "soon")
