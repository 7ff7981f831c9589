"""Charts drawn on the server as SVG with presentation attributes only (no style, no
script), so the strict Content Security Policy holds. Each has a title and description
for assistive technology; the page puts its data table beside it."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from earlyhelp.planning.presentation import format_value

BAR_COLOUR = "#1d70b8"  # GOV.UK blue
LINE_COLOUR = "#0b0c0c"
TEXT_COLOUR = "#0b0c0c"
GRID_COLOUR = "#b1b4b6"
MARKER_COLOUR = "#d4351c"
FONT = "Arial, sans-serif"
WIDTH = 640
LABEL_WIDTH = 130
VALUE_WIDTH = 110
BAR_HEIGHT = 24
BAR_GAP = 10
MARGIN = 10


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 14) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
        f'fill="{TEXT_COLOUR}" text-anchor="{anchor}">{escape(text)}</text>'
    )


def _svg(chart_id: str, title: str, description: str, height: float, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every text in it is escaped above
        f'<svg xmlns="http://www.w3.org/2000/svg" class="eh-chart" id="{escape(chart_id)}" '
        f'role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[tuple[str, Any]],
    value_name: str = "",
) -> SafeString:
    """Horizontal bars, one per (label, value), scaled to the largest; each value is
    printed at the end of its bar."""
    values = [Decimal(str(value)) for _, value in bars]
    largest = max([v for v in values if v > 0], default=Decimal(1))
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 2 * MARGIN
    body = []
    for index, ((label, value), amount) in enumerate(zip(bars, values, strict=True)):
        y = MARGIN + index * (BAR_HEIGHT + BAR_GAP)
        length = float(max(amount, Decimal(0)) / largest) * span
        body.append(_text(LABEL_WIDTH, y + BAR_HEIGHT * 0.7, str(label), anchor="end"))
        body.append(
            f'<rect x="{LABEL_WIDTH + MARGIN}" y="{y}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT}" fill="{BAR_COLOUR}"></rect>'
        )
        body.append(
            _text(
                LABEL_WIDTH + 2 * MARGIN + length,
                y + BAR_HEIGHT * 0.7,
                format_value(value, name=value_name),
            )
        )
    height = 2 * MARGIN + len(bars) * (BAR_HEIGHT + BAR_GAP)
    return _svg(chart_id, title, description, height, body)


def on_time_chart(
    *, chart_id: str, title: str, description: str, simulation: dict[str, Any]
) -> SafeString:
    """Share allocated on time (0-100%) against workers: each level's mean as a point
    with its 95% interval as a vertical line, and the model's casework FTE marked."""
    levels = simulation.get("levels", [])
    left, right, top, bottom = 60, 20, 20, 50
    height = 300
    plot_w = WIDTH - left - right
    plot_h = height - top - bottom
    workers = [float(level["workers"]) for level in levels]
    required = float(simulation.get("casework_fte_required") or 0)
    low_x = min([*workers, required] if required else workers, default=0.0)
    high_x = max([*workers, required] if required else workers, default=1.0)
    if high_x <= low_x:
        high_x = low_x + 1

    def x_of(value: float) -> float:
        return left + (value - low_x) / (high_x - low_x) * plot_w

    def y_of(share: float) -> float:
        return top + (1 - max(0.0, min(1.0, share))) * plot_h

    body = []
    for percent in (0, 25, 50, 75, 100):
        y = y_of(percent / 100)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"></line>'
        )
        body.append(_text(left - 6, y + 5, f"{percent}%", anchor="end", size=12))
    if required:
        x = x_of(required)
        body.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" '
            f'stroke="{MARKER_COLOUR}" stroke-width="2" stroke-dasharray="6 4"></line>'
        )
        body.append(_text(x, top - 6, f"Model: {required:,.1f} FTE", anchor="middle", size=12))
    points = []
    for level in levels:
        share = level["figures"]["share_allocated_on_time"]
        x = x_of(float(level["workers"]))
        points.append(f"{x:.1f},{y_of(float(share['mean'])):.1f}")
        body.append(
            f'<line x1="{x:.1f}" y1="{y_of(float(share["low"])):.1f}" x2="{x:.1f}" '
            f'y2="{y_of(float(share["high"])):.1f}" stroke="{LINE_COLOUR}" '
            f'stroke-width="2"></line>'
        )
        body.append(
            f'<circle cx="{x:.1f}" cy="{y_of(float(share["mean"])):.1f}" r="5" '
            f'fill="{BAR_COLOUR}"></circle>'
        )
        body.append(_text(x, top + plot_h + 18, f"{level['workers']:,}", anchor="middle", size=12))
    if len(points) > 1:
        body.insert(
            0,
            f'<polyline points="{" ".join(points)}" fill="none" stroke="{BAR_COLOUR}" '
            f'stroke-width="2"></polyline>',
        )
    body.append(_text(left + plot_w / 2, height - 8, "Key workers (FTE)", anchor="middle", size=13))
    return _svg(chart_id, title, description, height, body)
