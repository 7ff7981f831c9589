"""The governance report as a PDF, drawn by WeasyPrint from an HTML template and a
local stylesheet. WeasyPrint fetches nothing from the network: its url_fetcher serves
only files from the app's static folder and refuses everything else."""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string

STYLESHEET = Path(__file__).resolve().parent / "static" / "reporting" / "report.css"


class RefusedFetch(ValueError):
    """WeasyPrint asked for a resource that is not the report's own stylesheet."""


def local_only_fetcher(url: str, timeout: int = 10, ssl_context=None) -> dict:
    """Serve the report's stylesheet from disk; refuse any other URL (no network)."""
    if url in (STYLESHEET.as_uri(), "report.css"):
        return {"string": STYLESHEET.read_bytes(), "mime_type": "text/css"}
    raise RefusedFetch(f"The report may not fetch {url}")


def report_html(context: dict) -> str:
    """The HTML that the PDF is drawn from."""
    return render_to_string("reporting/report_pdf.html", context)


def render_pdf(html: str) -> bytes:
    """Draw the HTML as a PDF (A4, the report's stylesheet)."""
    from weasyprint import CSS, HTML

    document = HTML(
        string=html, url_fetcher=local_only_fetcher, base_url=STYLESHEET.parent.as_uri() + "/"
    )
    return document.write_pdf(
        stylesheets=[CSS(string=STYLESHEET.read_text(encoding="utf-8"))],
    )


def page_count(html: str) -> int:
    """How many pages the PDF of this HTML has."""
    from weasyprint import CSS, HTML

    document = HTML(string=html, url_fetcher=local_only_fetcher).render(
        stylesheets=[CSS(string=STYLESHEET.read_text(encoding="utf-8"))]
    )
    return len(document.pages)
