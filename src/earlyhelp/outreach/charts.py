"""Server-drawn SVG bar charts: geometry only, as presentation attributes for the
template (no style attributes, so the Content Security Policy holds). Every chart is
shown with a table of the same figures."""

from __future__ import annotations

from collections.abc import Sequence

LABEL_WIDTH = 160
BAR_AREA = 320
VALUE_GAP = 6
ROW_HEIGHT = 28
BAR_HEIGHT = 18
TOP = 8


def bar_chart(*, title: str, description: str, bars: Sequence[tuple[str, int]]) -> dict:
    """A horizontal bar chart's geometry: one bar per (label, value), scaled to the
    largest value."""
    largest = max((value for _, value in bars), default=0)
    rows = []
    for index, (label, value) in enumerate(bars):
        y = TOP + index * ROW_HEIGHT
        width = round(BAR_AREA * value / largest) if largest else 0
        rows.append(
            {
                "label": label,
                "value": value,
                "y": y,
                "text_y": y + BAR_HEIGHT - 4,
                "width": width,
                "value_x": LABEL_WIDTH + width + VALUE_GAP,
            }
        )
    return {
        "title": title,
        "description": description,
        "rows": rows,
        "label_width": LABEL_WIDTH,
        "label_x": LABEL_WIDTH - VALUE_GAP,
        "bar_height": BAR_HEIGHT,
        "width": LABEL_WIDTH + BAR_AREA + 60,
        "height": TOP * 2 + max(len(rows), 1) * ROW_HEIGHT,
    }
