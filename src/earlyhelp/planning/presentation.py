"""How the resource model's plain data reads to people: labels from key names, figures
flattened to dotted names, values formatted, and a ScenarioError's dotted input found
in the scenario. Everything here follows the data's shape, so an input or figure added
to the domain appears without a change here; the dictionaries only make labels nicer."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

# Nicer labels for key names; any other key reads as its words ("sessions_per_week" is
# "Sessions per week").
LABELS: dict[str, str] = {
    "total_cases_per_year": "Total cases a year",
    "case_types": "Case types",
    "share_percent": "Share (%)",
    "slots_per_cycle": "Slots per case cycle",
    "cycles_per_year": "Cycles a year",
    "working_weeks": "Working weeks a year per FTE",
    "visits_per_week": "Visits a week per FTE",
    "mixed_caseload": "Mixed caseload (cases per FTE)",
    "flexibility_margin_percent": "Flexibility margin (%)",
    "centre_types": "Centre types",
    "sessions_per_week": "Sessions a week",
    "establishment": "Staffing establishment per centre",
    "post": "Post",
    "grade": "Grade",
    "fte": "FTE",
    "casual": "Casual",
    "cost": "Cost (£)",
    "count": "Number of centres",
    "budget": "Budget by grade",
    "localities": "Share of demand by locality (%)",
    "talkzone": "Talkzone",
    "simulation": "Simulation",
    "seasonal_factors": "Seasonal factors by month",
    "contacts_by_hour": "Contacts by hour",
    "cases_by_case_type": "Cases by case type",
    "slots_required_by_case_type": "Slots required by case type",
    "slots_required": "Slots required",
    "slots_per_fte": "Slots per FTE",
    "casework_fte_by_case_type": "Casework FTE by case type",
    "casework_fte_required": "Casework FTE required",
    "casework_fte_with_margin": "Casework FTE with margin",
    "cases_per_fte_year": "Cases per FTE a year",
    "caseload_cases_per_year": "Caseload turnover a year",
    "caseload_time_excess_percent": "Caseload time excess (%)",
    "centres_by_type": "Centres by type",
    "centres": "Centres",
    "group_fte_by_post": "Group FTE by post",
    "group_fte": "Group FTE",
    "casual_fte": "Casual FTE",
    "group_cost": "Group cost (£)",
    "cost_per_fte": "Cost per FTE (£)",
    "total_fte": "Total FTE",
    "total_cost": "Total cost (£)",
    "cases": "Cases",
    "share_allocated_on_time": "Share allocated on time",
    "mean_wait_days": "Mean wait (working days)",
    "median_wait_days": "Median wait (working days)",
    "p95_wait_days": "95th percentile wait (working days)",
    "mean_caseload": "Mean caseload",
    "utilisation": "Utilisation",
    "mean_number_waiting": "Mean number waiting",
    "arrivals_per_working_day": "Arrivals per working day",
    "workers": "Workers (FTE)",
    "session_types": "Session types",
    "staff_by_post": "Staff present by post",
    "support_weeks": "Weeks of support by case type",
    "school_holiday_weeks": "School holiday weeks (week numbers)",
    "school_holiday_factor": "School holiday factor",
    "review_extension_percent": "Cases extended at review (%)",
    "review_extension_weeks": "Weeks added by an extension",
    "leave_days_per_year": "Leave days a year per worker",
    "leave_block_days": "Leave taken in blocks of (days)",
    "caseload_limit": "Caseload limit (cases per worker)",
    "allocation_target_days": "Allocation target (working days)",
    "warm_up_days": "Warm-up before the measured year (working days)",
    "duration_cv": "Variation of case length (coefficient of variation)",
    "working_days_per_year": "Working days a year",
    "opening_start_hour": "Opens at (hour, 0 to 23)",
    "opening_end_hour": "Closes at (hour, 0 to 24)",
    "days_open_per_year": "Days open a year",
    "handling_minutes": "Handling time per contact (minutes)",
    "target_service_level_percent": "Target service level (%)",
    "target_answer_seconds": "Target answer time (seconds)",
    "hours_per_fte_year": "Working hours a year per FTE",
    "talkzone_fte": "Talkzone FTE",
    "talkzone_by_hour": "Talkzone staffing by hour",
    "talkzone_workers_by_hour": "Talkzone workers by hour",
    "talkzone_worker_hours_per_day": "Talkzone worker hours a day",
    "talkzone_worker_hours_per_year": "Talkzone worker hours a year",
    "centre_sessions": "Sessions and staff by centre type",
    "worker_sessions_by_post": "Worker sessions a week by post",
    "worker_sessions_per_week": "Worker sessions a week",
    "offered_utilisation": "Offered utilisation",
}

# Words that keep their capitals inside a label made from a key.
_ACRONYMS = {"fte": "FTE", "rfs": "RfS", "caf": "CAF", "taf": "TAF", "l3": "L3"}
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Figures shown as money: keys that name a cost.
_MONEY = re.compile(r"(^|_)cost(_per_fte)?$")


def label_for(key: str | int) -> str:
    """A person's label for a key: from LABELS, else the key's words in sentence case;
    names that are data (L2A, G6, enhanced) keep their own spelling."""
    text = str(key)
    if text in LABELS:
        return LABELS[text]
    if "_" not in text:
        return text if not text.islower() else text[:1].upper() + text[1:]
    words = text.split("_")
    suffix = ""
    if words[-1] == "percent":
        words, suffix = words[:-1], " (%)"
    spelled = [_ACRONYMS.get(word, word) for word in words]
    sentence = " ".join(spelled)
    return sentence[:1].upper() + sentence[1:] + suffix


def item_labels(key: str, count: int, siblings: Mapping[str, Any] | None = None) -> list[str]:
    """Labels of a list's items: months for 12 monthly values; hours for hourly ones,
    from a sibling ``..._start_hour`` (or midnight for 24); otherwise numbers from 1."""
    lowered = key.lower()
    if count == len(MONTHS) and ("month" in lowered or "season" in lowered):
        return list(MONTHS)
    if "hour" in lowered:
        start = next(
            (
                value
                for name, value in (siblings or {}).items()
                if name.endswith("start_hour") and isinstance(value, int)
            ),
            0 if count == 24 else None,
        )
        if start is not None:
            return [f"{(start + index) % 24:02d}:00" for index in range(count)]
    return [str(number) for number in range(1, count + 1)]


def is_money(name: str) -> bool:
    """Whether a figure's dotted name is an amount of money."""
    return bool(_MONEY.search(name.rsplit(".", 1)[-1]))


def format_value(value: Any, *, name: str = "") -> str:
    """A figure for people: thousands separated, at most two decimals, money in pounds,
    true and false as Yes and No."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        if is_money(name):
            return f"£{number.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
        if number == number.to_integral_value():
            return f"{int(number):,}"
        text = f"{number.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    if value is None:
        return "\N{EN DASH}"
    return str(value)


def flatten(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf of plain data as (dotted name, value); list items by their index."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            yield from flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            yield from flatten(value, f"{prefix}.{index}" if prefix else str(index))
    else:
        yield prefix, data


def label_for_path(path: str) -> str:
    """A dotted name as words: each part's label, joined by a colon."""
    return ": ".join(label_for(part) for part in path.split(".") if part != "")


def _child(node: Any, part: str) -> tuple[bool, Any, str]:
    """One step into plain data: a mapping by key; a list by index or by the item that
    holds ``part`` as one of its values (a post named in an error rather than numbered)."""
    if isinstance(node, Mapping):
        if part in node:
            return True, node[part], part
        return False, None, part
    if isinstance(node, list):
        if part.isdigit() and int(part) < len(node):
            return True, node[int(part)], part
        for index, item in enumerate(node):
            if isinstance(item, Mapping) and part in {str(v) for v in item.values()}:
                return True, item, str(index)
    return False, None, part


def locate_input(data: Any, input_name: str) -> str:
    """The dotted name of the deepest part of the scenario that an error's input names.

    The domain names inputs as they are written (``case_types.L3.share_percent``), but a
    rule about a whole profile names it by column (``case_types.share_percent`` or
    ``case_types.share_percent.L3``) and a post by its name: a part not found here is
    looked for among the parts after it, and the error rests on the nearest input found.
    """
    remaining = [part for part in input_name.split(".") if part != ""]
    found: list[str] = []
    node = data
    while remaining:
        part = remaining.pop(0)
        ok, child, step = _child(node, part)
        if not ok:
            later = next((p for p in remaining if _child(node, p)[0]), None)
            if later is None:
                break
            remaining.remove(later)
            remaining.insert(0, part)
            ok, child, step = _child(node, later)
        found.append(step)
        node = child
    return ".".join(found)


def value_at(data: Any, path: Sequence[str]) -> tuple[bool, Any]:
    """The value at a path of keys and indexes, and whether it is there."""
    node = data
    for part in path:
        ok, node, _ = _child(node, part)
        if not ok:
            return False, None
    return True, node


def parse_number(text: str) -> Decimal | int:
    """A number as typed: spaces, commas and a leading pound sign allowed; ValueError
    if it is not a finite number."""
    cleaned = text.strip().replace(",", "").replace(" ", "").removeprefix("£").rstrip("%")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not cleaned or not number.is_finite():
        raise ValueError(text)
    return int(number) if number == number.to_integral_value() else number


# The results page's sections, by the figures' keys; a figure the model adds that is
# in none of them is shown under "Other figures".
RESULT_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Casework demand",
        (
            "slots_required",
            "slots_per_fte",
            "casework_fte_required",
            "casework_fte_with_margin",
            "cases_per_fte_year",
            "caseload_cases_per_year",
            "caseload_time_excess_percent",
            "cases_by_case_type",
            "slots_required_by_case_type",
            "casework_fte_by_case_type",
        ),
    ),
    (
        "Centres",
        (
            "centres",
            "sessions_per_week",
            "group_fte",
            "casual_fte",
            "group_cost",
            "worker_sessions_per_week",
            "centres_by_type",
            "group_fte_by_post",
            "centre_sessions",
            "worker_sessions_by_post",
        ),
    ),
    (
        "Talkzone",
        (
            "talkzone_fte",
            "talkzone_worker_hours_per_day",
            "talkzone_worker_hours_per_year",
            "talkzone_by_hour",
            "talkzone_workers_by_hour",
        ),
    ),
    ("Budget", ("total_fte", "total_cost", "budget")),
    ("Localities", ("localities",)),
)
OTHER_SECTION = "Other figures"


# The first column's heading of a breakdown, by what its rows are.
ROW_HEADINGS = {
    "case_type": "Case type",
    "case_types": "Case type",
    "type": "Centre type",
    "centre_types": "Centre type",
    "centre_sessions": "Centre type",
    "post": "Post",
    "budget": "Grade",
    "grade": "Grade",
    "localities": "Locality",
    "locality": "Locality",
    "hour": "Hour",
    "month": "Month",
    "support_weeks": "Case type",
}


def row_heading(name: str) -> str:
    """The heading over a breakdown's row names: what they are (``..._by_post``: Post)."""
    last = name.rsplit(".", 1)[-1]
    if last in ROW_HEADINGS:
        return ROW_HEADINGS[last]
    if "_by_" in last:
        return ROW_HEADINGS.get(last.rsplit("_by_", 1)[1], "Name")
    if "hour" in last:
        return "Hour"
    return "Name"


def row_label(name: str, key: Any) -> str:
    """A breakdown's row name: hours as 14:00, anything else by label_for."""
    if "hour" in name.rsplit(".", 1)[-1] and str(key).isdigit():
        return f"{int(key):02d}:00"
    return label_for(key)


def _table(name: str, value: Mapping[str, Any]) -> dict[str, Any] | None:
    """A mapping as a table: one value column for scalars, a column per key for records."""
    if not value:
        return None
    rows = list(value.values())
    if all(not isinstance(v, Mapping | list | tuple) for v in rows):
        return {
            "name": name,
            "caption": label_for(name),
            "row_heading": row_heading(name),
            "columns": [label_for(name.rsplit("_by_", 1)[0]) if "_by_" in name else "Value"],
            "numeric": [True],
            "rows": [
                {"label": row_label(name, k), "cells": [format_value(v, name=name)]}
                for k, v in value.items()
            ],
        }
    if all(isinstance(v, Mapping) for v in rows):
        # A record's own breakdowns become columns too: "Worker sessions by post: G6".
        flat = {key: dict(flatten(record)) for key, record in value.items()}
        columns = list(dict.fromkeys(c for record in flat.values() for c in record))
        return {
            "name": name,
            "caption": label_for(name),
            "row_heading": row_heading(name),
            "columns": [label_for_path(c) for c in columns],
            "numeric": [True for _ in columns],
            "rows": [
                {
                    "label": row_label(name, key),
                    "cells": [format_value(record.get(c), name=f"{name}.{c}") for c in columns],
                }
                for key, record in flat.items()
            ],
        }
    return None


def result_sections(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The figures grouped for the page: each section's single figures as a summary list
    and its breakdowns as tables; empty sections left out."""
    placed = {key for _, keys in RESULT_SECTIONS for key in keys}
    groups = [*RESULT_SECTIONS, (OTHER_SECTION, tuple(k for k in results if k not in placed))]
    sections = []
    for title, keys in groups:
        figures, tables = [], []
        for key in keys:
            if key not in results:
                continue
            value = results[key]
            if isinstance(value, Mapping):
                table = _table(key, value)
                if table is not None:
                    tables.append(table)
            elif isinstance(value, list | tuple):
                for name, item in flatten(value, key):
                    figures.append(
                        {"label": label_for_path(name), "value": format_value(item, name=name)}
                    )
            else:
                figures.append({"label": label_for(key), "value": format_value(value, name=key)})
        if figures or tables:
            sections.append({"title": title, "figures": figures, "tables": tables})
    return sections


def comparable(value: Any) -> Any:
    """A value to compare by: numbers by amount (3.80, 3.8 and the float 3.8 are one),
    anything else as it is."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return ("number", Decimal(str(value)).normalize())
    return ("other", repr(value))


def plain_numbers(data: Any) -> Any:
    """Plain data for JSON: Decimals as numbers (whole ones as int), not as text."""
    if isinstance(data, Mapping):
        return {key: plain_numbers(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [plain_numbers(value) for value in data]
    if isinstance(data, Decimal):
        return int(data) if data == data.to_integral_value() else float(data)
    return data
