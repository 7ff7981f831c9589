"""Server-rendered horizontal bar charts: the geometry only, drawn by
templates/workforce/_bar_chart.html with SVG presentation attributes (no inline styles,
so the Content Security Policy holds), each shown beside its data table."""

from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH = 640
LABEL_WIDTH = 150
RIGHT_MARGIN = 40
ROW_HEIGHT = 34
BAR_HEIGHT = 22
TOP = 28
AXIS_SPACE = 34


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: float
    width: float
    text_x: float
    text_y: float
    total: bool = False


@dataclass(frozen=True)
class Tick:
    value: float
    x: float


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    bars: list[Bar]
    ticks: list[Tick]
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_bottom: float
    line_x: float | None
    line_label: str
    axis_label: str
    line_anchor: str = "middle"


def _step(top: float) -> float:
    """A round tick interval giving about five ticks up to top."""
    if top <= 5:
        return 1
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    for nice in (1, 2, 2.5, 5, 10):
        if raw <= nice * magnitude:
            return nice * magnitude
    return 10 * magnitude


def bar_chart(
    *,
    title: str,
    description: str,
    values: list[tuple[str, float]],
    axis_label: str,
    line: float | None = None,
    line_label: str = "",
    total_label: str | None = None,
) -> BarChart:
    """Bars for (label, value) pairs on a shared scale, with an optional reference line
    (such as the 18 x FTE caseload limit); the last bar is styled as a total if named."""
    top = max([v for _, v in values] + ([line] if line is not None else []) + [1])
    step = _step(top)
    scale_max = math.ceil(top / step) * step
    plot_left, plot_right = LABEL_WIDTH, WIDTH - RIGHT_MARGIN

    def x_of(value: float) -> float:
        return plot_left + (plot_right - plot_left) * max(value, 0) / scale_max

    bars = []
    for index, (label, value) in enumerate(values):
        y = TOP + index * ROW_HEIGHT
        width = x_of(value) - plot_left
        bars.append(
            Bar(
                label=label,
                value=value,
                y=y,
                width=round(width, 2),
                text_x=round(plot_left + width + 6, 2),
                text_y=y + BAR_HEIGHT * 0.72,
                total=total_label is not None and label == total_label,
            )
        )
    plot_bottom = TOP + len(values) * ROW_HEIGHT
    ticks = []
    value = 0.0
    while value <= scale_max + 1e-9:
        ticks.append(Tick(value=round(value, 2), x=round(x_of(value), 2)))
        value += step
    return BarChart(
        title=title,
        description=description,
        bars=bars,
        ticks=ticks,
        width=WIDTH,
        height=int(plot_bottom + AXIS_SPACE + 10),
        plot_left=plot_left,
        plot_right=plot_right,
        plot_bottom=plot_bottom,
        line_x=round(x_of(line), 2) if line is not None else None,
        # A label near the right edge ends at the line instead of running off the chart.
        line_anchor="end" if line is not None and x_of(line) > plot_right - 80 else "middle",
        line_label=line_label,
        axis_label=axis_label,
    )
