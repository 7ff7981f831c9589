"""Dashboard charts drawn on the server as SVG with presentation attributes only (no
style attribute, no script), so the strict Content Security Policy holds and WeasyPrint
draws them in the PDF. Each has a title and description; the page puts its data table
beside it."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

TEXT = "#0b0c0c"
AXIS = "#505a5f"
FONT = "Arial, sans-serif"
BAR = "#1d70b8"  # GOV.UK blue
SECOND = "#f47738"  # GOV.UK orange, hatched by an outline so it differs by more than colour


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 13) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
        f'fill="{TEXT}" text-anchor="{anchor}">{escape(text)}</text>'
    )


def _svg(
    chart_id: str, title: str, description: str, width: int, height: float, body
) -> SafeString:
    cid = escape(chart_id)
    return mark_safe(  # noqa: S308 - every text in it is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" class="eh-chart" id="{cid}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" viewBox="0 0 {width} {height:.0f}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{cid}-title">{escape(title)}</title>'
        f'<desc id="{cid}-desc">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def bar_chart(
    *,
    chart_id: str,
    title: str,
    bars: Sequence[tuple[str, float]],
    compare: Sequence[float | None] | None = None,
    compare_label: str = "",
    unit: str = "",
    decimals: int = 0,
) -> SafeString:
    """Horizontal bars, one per label, each value printed by its bar; with ``compare``,
    a thinner outlined bar under each for a target or profile, and a legend."""
    width, label_w, margin = 720, 230, 12
    bar_h = 18 if compare is None else 14
    row_h = bar_h + (10 if compare is None else bar_h + 14)
    plot_left = label_w + 10
    plot_w = width - plot_left - 80
    values = [v for _, v in bars] + [v for v in (compare or []) if v is not None]
    largest = max(values, default=0) or 1
    body = []
    legend_h = 30 if compare is not None else 0
    height = 2 * margin + len(bars) * row_h + legend_h
    body.append(
        f'<line x1="{plot_left}" y1="{margin - 4}" x2="{plot_left}" '
        f'y2="{margin + len(bars) * row_h}" stroke="{AXIS}" stroke-width="1"></line>'
    )
    parts = []
    for index, (label, value) in enumerate(bars):
        y = margin + index * row_h
        body.append(_text(label_w, y + bar_h * 0.8, label, anchor="end"))
        length = value / largest * plot_w
        body.append(
            f'<rect x="{plot_left}" y="{y}" width="{max(length, 1):.1f}" height="{bar_h}" '
            f'fill="{BAR}"></rect>'
        )
        body.append(
            _text(plot_left + length + 6, y + bar_h * 0.8, f"{value:.{decimals}f}{unit}", size=12)
        )
        part = f"{label}: {value:.{decimals}f}{unit}"
        if compare is not None:
            target = compare[index]
            if target is not None:
                ty = y + bar_h + 2
                tlen = target / largest * plot_w
                body.append(
                    f'<rect x="{plot_left}" y="{ty}" width="{max(tlen, 1):.1f}" '
                    f'height="{bar_h}" fill="{SECOND}" stroke="{TEXT}" stroke-width="1" '
                    f'stroke-dasharray="3 2"></rect>'
                )
                body.append(
                    _text(
                        plot_left + tlen + 6,
                        ty + bar_h * 0.8,
                        f"{target:.{decimals}f}{unit}",
                        size=12,
                    )
                )
                part += f" ({compare_label} {target:.{decimals}f}{unit})"
        parts.append(part)
    if compare is not None:
        ly = height - margin - 10
        body.append(
            f'<rect x="{plot_left}" y="{ly - 10}" width="20" height="12" fill="{BAR}"></rect>'
        )
        body.append(_text(plot_left + 26, ly, "Actual", size=12))
        body.append(
            f'<rect x="{plot_left + 100}" y="{ly - 10}" width="20" height="12" fill="{SECOND}" '
            f'stroke="{TEXT}" stroke-width="1" stroke-dasharray="3 2"></rect>'
        )
        body.append(_text(plot_left + 126, ly, compare_label.capitalize(), size=12))
    return _svg(chart_id, title, "; ".join(parts) or "No data", width, height, body)


def dashboard_charts(board) -> dict[str, SafeString]:
    """The dashboard's charts, each drawn from the same figures as its table."""
    return {
        "level_chart": bar_chart(
            chart_id="open-by-level",
            title="Open cases by level",
            bars=[(row.label, row.count) for row in board.open_by_level],
        ),
        "type_chart": bar_chart(
            chart_id="open-by-type",
            title="Open cases by case type against the profile (per cent)",
            bars=[(row.key, (row.share or 0) * 100) for row in board.open_by_type],
            compare=[
                None if row.profile_share is None else row.profile_share * 100
                for row in board.open_by_type
            ],
            compare_label="profile",
            unit="%",
        ),
        "closure_chart": bar_chart(
            chart_id="closures",
            title="Closures by reason",
            bars=[(row.label, row.count) for row in board.closures_by_reason],
        ),
        "timescale_chart": bar_chart(
            chart_id="timescales",
            title="Share within timescale (per cent)",
            bars=[
                (
                    f"Allocation in {board.allocation_working_days} days",
                    (board.allocation.share or 0) * 100,
                ),
                (
                    f"Initial visit in {board.initial_visit_working_days} days",
                    (board.initial_visit.share or 0) * 100,
                ),
                ("Reviews on time", (board.reviews.share or 0) * 100),
            ],
            unit="%",
        ),
        "talkzone_chart": bar_chart(
            chart_id="talkzone",
            title="Talkzone contacts in and out of hours",
            bars=[
                ("In opening hours", board.talkzone_in_hours),
                ("Out of hours", board.talkzone_out_of_hours),
            ],
        ),
    }
