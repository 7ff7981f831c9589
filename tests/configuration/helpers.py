"""Helpers for the configuration tests."""

from __future__ import annotations

from pathlib import Path

LANCASHIRE = Path(__file__).resolve().parents[2] / "configuration" / "lancashire.yaml"


def line_of(text: str, needle: str, *, occurrence: int = 1) -> int:
    """The 1-based number of the line holding the nth occurrence of needle."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} is not in the text {occurrence} time(s)")
