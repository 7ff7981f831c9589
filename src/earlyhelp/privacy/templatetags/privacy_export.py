"""Showing an exported value in the readable copy of a subject access export."""

from __future__ import annotations

import json
from typing import Any

from django import template

register = template.Library()


@register.filter
def sar_value(value: Any) -> str:
    """A person or staff label, a reference to another record, a list, or the value."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        if "person" in value:
            return str(value["person"])
        if "record" in value:
            return f"{value['record']} {value['id']}"
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, list):
        return "; ".join(sar_value(item) for item in value) or "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)
