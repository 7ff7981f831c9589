"""Outcomes charts drawn on the server as SVG with presentation attributes only (no
style attribute, no script), so the strict Content Security Policy holds. Each has a
title and description for assistive technology; the page puts its data table beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

TEXT = "#0b0c0c"
GRID = "#b1b4b6"
AXIS = "#505a5f"
FONT = "Arial, sans-serif"
POSITIVE = "#00703c"  # GOV.UK green
NEGATIVE = "#d4351c"  # GOV.UK red
BAR = "#1d70b8"  # GOV.UK blue
# One colour and dash pattern per reading, so the polygons differ by more than colour.
SERIES = (
    ("#1d70b8", ""),
    ("#f47738", "8 4"),
    ("#00703c", "2 3"),
    ("#912b88", "10 3 2 3"),
    ("#d4351c", "4 4"),
    ("#505a5f", "1 2"),
)


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]  # one per axis; None is not scored


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", size: int = 13, weight: str = ""
) -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}"{bold} '
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


def radar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    axes: Sequence[str],
    series: Sequence[Series],
    scale_min: int,
    scale_max: int,
) -> SafeString:
    """A radar (spider) chart: one spoke per area from the scale's minimum at the centre
    to its maximum at the rim, one closed polygon per series, and a legend."""
    width, cx, cy, radius = 720, 360, 300, 200
    legend_top = cy + radius + 70
    height = legend_top + 26 * len(series) + 10
    count = max(len(axes), 1)
    span = max(scale_max - scale_min, 1)

    def point(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        r = radius * (value - scale_min) / span
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    body = []
    for level in range(scale_min, scale_max + 1):
        ring = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, level) for i in range(count)))
        body.append(
            f'<polygon points="{ring}" fill="none" stroke="{GRID}" stroke-width="1"></polygon>'
        )
    for index, name in enumerate(axes):
        x, y = point(index, scale_max)
        body.append(
            f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="{AXIS}" '
            f'stroke-width="1"></line>'
        )
        lx, ly = point(index, scale_max + span * 0.12)
        anchor = "middle" if abs(lx - cx) < 20 else ("start" if lx > cx else "end")
        body.append(_text(lx, ly + 4, name, anchor=anchor))
    for level in (scale_min, (scale_min + scale_max) // 2, scale_max):
        x, y = point(0, level)
        body.append(_text(x + 6, y + 4, str(level), size=11))
    for number, item in enumerate(series):
        colour, dash = SERIES[number % len(SERIES)]
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        scored = [(i, v) for i, v in enumerate(item.values) if v is not None]
        if not scored:
            continue
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in scored))
        body.append(
            f'<polygon points="{points}" fill="{colour}" fill-opacity="0.08" stroke="{colour}" '
            f'stroke-width="3"{dashes}></polygon>'
        )
        for i, v in scored:
            x, y = point(i, v)
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"></circle>')
    for number, item in enumerate(series):
        colour, dash = SERIES[number % len(SERIES)]
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        y = legend_top + 26 * number
        body.append(
            f'<line x1="40" y1="{y:.1f}" x2="90" y2="{y:.1f}" stroke="{colour}" '
            f'stroke-width="3"{dashes}></line>'
        )
        body.append(_text(100, y + 5, item.label, size=14))
    return _svg(chart_id, title, description, width, height, body)


def signed_bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[tuple[str, float | None]],
    unit: str = "",
    limit: float | None = None,
    decimals: int = 1,
) -> SafeString:
    """Horizontal bars from a zero line, rightwards (green) for a positive value and
    leftwards (red) for a negative one, each value printed by its bar; a bar with no
    value is labelled "no data"."""
    width, label_w, margin, bar_h, gap = 720, 200, 12, 22, 10
    plot_left = label_w + margin
    plot_w = width - plot_left - 70
    values = [abs(v) for _, v in bars if v is not None]
    largest = limit or max(values, default=1.0) or 1.0
    negatives = any(v is not None and v < 0 for _, v in bars)
    zero = plot_left + (plot_w / 2 if negatives else 0)
    half = plot_w / 2 if negatives else plot_w
    body = []
    height = 2 * margin + len(bars) * (bar_h + gap)
    body.append(
        f'<line x1="{zero:.1f}" y1="{margin - 4}" x2="{zero:.1f}" y2="{height - margin + 4}" '
        f'stroke="{AXIS}" stroke-width="1"></line>'
    )
    for index, (label, value) in enumerate(bars):
        y = margin + index * (bar_h + gap)
        body.append(_text(label_w, y + bar_h * 0.7, label, anchor="end"))
        if value is None:
            body.append(_text(zero + 6, y + bar_h * 0.7, "no data", size=12))
            continue
        length = min(abs(value) / largest, 1.0) * half
        x = zero if value >= 0 else zero - length
        colour = POSITIVE if value > 0 else NEGATIVE if value < 0 else AXIS
        body.append(
            f'<rect x="{x:.1f}" y="{y}" width="{max(length, 1):.1f}" height="{bar_h}" '
            f'fill="{colour}"></rect>'
        )
        shown = f"{value:+.{decimals}f}{unit}" if negatives else f"{value:.{decimals}f}{unit}"
        tx = zero + length + 6 if value >= 0 else zero - length - 6
        body.append(
            _text(tx, y + bar_h * 0.7, shown, anchor="start" if value >= 0 else "end", size=12)
        )
    return _svg(chart_id, title, description, width, height, body)
