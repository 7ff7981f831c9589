"""Planning forms. The inputs form is generated from the scenario's own plain data
(``scenario_to_dict``): a section of named values is a fieldset, a number a text input
with a decimal keypad, a list of numbers one input per item, and a set of like records
(case types, grades, a centre's posts) a small table of inputs. An input the domain adds
appears on the form with no change here."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from earlyhelp.planning.presentation import (
    item_labels,
    label_for,
    label_for_path,
    locate_input,
    parse_number,
)
from earlyhelp.planning.services import MAX_WEB_REPLICATIONS, SEED_LIMIT

# The legend of a run of top-level numbers, by the first of them.
GROUP_LEGENDS = {
    "total_cases_per_year": "Casework demand",
    "working_weeks": "Key worker capacity",
}
DEFAULT_GROUP_LEGEND = "Other inputs"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, Mapping | list | tuple)


def _is_number(value: Any) -> bool:
    return _is_scalar(value) and not isinstance(value, bool | str) and value is not None


def _item_legend(item: Any) -> str:
    """A list item's own name, when it has one (a session type's, a post's)."""
    if isinstance(item, Mapping):
        for key in ("name", "post", "label", "title"):
            if isinstance(item.get(key), str) and item[key]:
                return item[key][:1].upper() + item[key][1:]
    return ""


def _records(values: list[Any]) -> list[str] | None:
    """The shared keys if every value is a mapping of scalars with the same keys."""
    if not values or not all(isinstance(v, Mapping) for v in values):
        return None
    keys = list(values[0])
    if not keys or not all(list(v) == keys and all(map(_is_scalar, v.values())) for v in values):
        return None
    return keys


class ScenarioInputsForm(forms.Form):
    """Every input of a scenario, one field per value, named by its dotted input name."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, data=None, *, inputs: Mapping[str, Any], version: int, **kwargs) -> None:
        super().__init__(data, initial={"version": version}, **kwargs)
        self.inputs = copy.deepcopy(dict(inputs))
        self.paths: dict[str, str] = {}  # field name -> dotted input name
        self.names: dict[str, str] = {}  # dotted input name -> field name
        self.group_errors: dict[str, list[str]] = {}
        self._add_fields(self.inputs, [])
        self.layout = self._layout(self.inputs, [], depth=0)

    # -------------------------------------------------------------- fields

    def _field_name(self, path: str) -> str:
        name = _UNSAFE.sub("-", path)
        while name in self.fields:
            name += "-"
        return name

    def _add_fields(self, value: Any, path: list[str]) -> None:
        if isinstance(value, Mapping):
            for key, child in value.items():
                self._add_fields(child, [*path, str(key)])
            return
        if isinstance(value, list | tuple):
            for index, child in enumerate(value):
                self._add_fields(child, [*path, str(index)])
            return
        dotted = ".".join(path)
        name = self._field_name(dotted)
        label = label_for(path[-1])
        if isinstance(value, bool):
            field: forms.Field = forms.BooleanField(required=False, label=label, initial=value)
        elif isinstance(value, str) or value is None:
            field = forms.CharField(
                label=label,
                initial=value or "",
                max_length=120,
                error_messages={"required": f"Enter {label_for_path(dotted).lower()}"},
                widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
            )
        else:
            field = forms.CharField(
                label=label,
                initial=str(value),
                error_messages={"required": f"Enter {label_for_path(dotted).lower()}"},
                widget=forms.TextInput(
                    attrs={
                        "class": "govuk-input--width-5",
                        "inputmode": "decimal",
                        "spellcheck": "false",
                        "autocomplete": "off",
                    }
                ),
            )
            field.is_number = True
        field.path = dotted
        self.fields[name] = field
        self.paths[name] = dotted
        self.names[dotted] = name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name, path in self.paths.items():
            field = self.fields[name]
            if getattr(field, "is_number", False) and name in cleaned:
                try:
                    cleaned[name] = parse_number(cleaned[name])
                except ValueError:
                    self.add_error(name, f"{label_for_path(path)} must be a number, like 12 or 3.8")
        return cleaned

    def submitted_inputs(self) -> dict[str, Any]:
        """The inputs as typed, in the scenario's shape (after is_valid)."""
        data = copy.deepcopy(self.inputs)
        for name, path in self.paths.items():
            if name not in self.cleaned_data:
                continue
            node: Any = data
            parts = path.split(".")
            for part in parts[:-1]:
                node = node[int(part)] if isinstance(node, list) else node[part]
            last = parts[-1]
            if isinstance(node, list):
                node[int(last)] = self.cleaned_data[name]
            else:
                node[last] = self.cleaned_data[name]
        return data

    def add_input_error(self, input_name: str, message: str) -> None:
        """Put a domain error next to the input it names, or on its nearest section."""
        where = locate_input(self.inputs, input_name)
        if where in self.names:
            self.add_error(self.names[where], message)
        else:
            self.group_errors.setdefault(where, []).append(message)

    # -------------------------------------------------------------- layout

    def _bound(self, path: list[str]):
        return self[self.names[".".join(path)]]

    def _layout(self, value: Any, path: list[str], depth: int) -> list[dict[str, Any]]:
        """The page's nested parts: fields, fieldsets, number lists and tables."""
        nodes: list[dict[str, Any]] = []
        run: list[dict[str, Any]] = []
        items = list(value.items()) if isinstance(value, Mapping) else list(enumerate(value))

        def close_run() -> None:
            if run and depth == 0:
                first = run[0]["path"].split(".")[-1]
                nodes.append(
                    {
                        "kind": "fieldset",
                        "legend": GROUP_LEGENDS.get(first, DEFAULT_GROUP_LEGEND),
                        "path": "",
                        "anchor": f"group-{_UNSAFE.sub('-', first)}",
                        "depth": depth,
                        "children": list(run),
                    }
                )
            else:
                nodes.extend(run)
            run.clear()

        for key, child in items:
            child_path = [*path, str(key)]
            if _is_scalar(child):
                run.append(
                    {
                        "kind": "field",
                        "field": self._bound(child_path),
                        "path": ".".join(child_path),
                    }
                )
                continue
            close_run()
            legend = label_for(key)
            if isinstance(value, list | tuple):
                legend = (
                    _item_legend(child) or f"{label_for(path[-1]) if path else 'Item'} {key + 1}"
                )
            siblings = value if isinstance(value, Mapping) else {}
            nodes.append(self._section(str(key), child, child_path, depth, legend, siblings))
        close_run()
        return nodes

    def _section(
        self,
        key: str,
        value: Any,
        path: list[str],
        depth: int,
        legend: str,
        siblings: Mapping[str, Any],
    ) -> dict[str, Any]:
        dotted = ".".join(path)
        if isinstance(value, list | tuple) and value and all(map(_is_number, value)):
            labels = item_labels(key, len(value), siblings)
            return {
                "kind": "list",
                "legend": legend,
                "path": dotted,
                "anchor": f"section-{_UNSAFE.sub('-', dotted)}",
                "depth": depth,
                "items": [
                    {"label": labels[i], "field": self._bound([*path, str(i)])}
                    for i in range(len(value))
                ],
            }
        rows = list(value.values()) if isinstance(value, Mapping) else list(value)
        columns = _records(rows)
        if columns is not None:
            row_labels = (
                [label_for(k) for k in value]
                if isinstance(value, Mapping)
                else [str(i + 1) for i in range(len(value))]
            )
            keys = list(value) if isinstance(value, Mapping) else list(range(len(value)))
            return {
                "kind": "table",
                "legend": legend,
                "path": dotted,
                "anchor": f"section-{_UNSAFE.sub('-', dotted)}",
                "depth": depth,
                "row_heading": "Name" if isinstance(value, Mapping) else "Number",
                "columns": [label_for(column) for column in columns],
                "rows": [
                    {
                        "label": row_label,
                        "cells": [
                            {
                                "field": self._bound([*path, str(row_key), column]),
                                "hidden_label": f"{legend}, {row_label}: {label_for(column)}",
                            }
                            for column in columns
                        ],
                    }
                    for row_key, row_label in zip(keys, row_labels, strict=True)
                ],
            }
        return {
            "kind": "fieldset",
            "legend": legend,
            "path": dotted,
            "anchor": f"section-{_UNSAFE.sub('-', dotted)}",
            "depth": depth,
            "children": self._layout(value, path, depth + 1) if value else [],
        }

    def annotate(self) -> None:
        """Give each layout part its own errors (after validation)."""

        def walk(nodes: list[dict[str, Any]]) -> None:
            for node in nodes:
                node["errors"] = (
                    self.group_errors.get(node.get("path", ""), [])
                    if node["kind"] != "field"
                    else []
                )
                if node["kind"] == "fieldset":
                    walk(node["children"])

        walk(self.layout)

    def error_items(self) -> list[dict[str, str]]:
        """The error summary's items in page order, each linking to its input."""
        items = [{"text": message, "href": "#main-content"} for message in self.non_field_errors()]
        items += [{"text": m, "href": "#main-content"} for m in self.errors.get("version", [])]

        def first_input(node: dict[str, Any]) -> str:
            for bound in _bound_fields(node):
                return f"#{bound.auto_id}"
            return "#main-content"

        def walk(nodes: list[dict[str, Any]]) -> None:
            for node in nodes:
                if node["kind"] != "field":
                    for message in self.group_errors.get(node["path"], []):
                        items.append({"text": message, "href": first_input(node)})
                for bound in _own_fields(node):
                    for message in bound.errors:
                        items.append({"text": message, "href": f"#{bound.auto_id}"})
                if node["kind"] == "fieldset":
                    walk(node["children"])

        walk(self.layout)
        # Errors on sections no longer on the form (the structure changed) still show.
        shown = set(self.group_errors)
        placed = set()

        def collect(nodes):
            for node in nodes:
                if node["kind"] != "field":
                    placed.add(node["path"])
                if node["kind"] == "fieldset":
                    collect(node["children"])

        collect(self.layout)
        for path in shown - placed:
            items += [{"text": m, "href": "#main-content"} for m in self.group_errors[path]]
        return items


def _own_fields(node: dict[str, Any]):
    if node["kind"] == "field":
        yield node["field"]
    elif node["kind"] == "list":
        for item in node["items"]:
            yield item["field"]
    elif node["kind"] == "table":
        for row in node["rows"]:
            for cell in row["cells"]:
                yield cell["field"]


def _bound_fields(node: dict[str, Any]):
    yield from _own_fields(node)
    if node["kind"] == "fieldset":
        for child in node["children"]:
            yield from _bound_fields(child)


class ScenarioFileForm(forms.Form):
    """The whole scenario as the JSON that ``manage.py plan --dump-scenario`` prints:
    for changes of shape the inputs form cannot make (a locality, a grade, a post)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label="Scenario file",
        help_text="JSON, as manage.py plan --dump-scenario prints it and --scenario-file reads it",
        error_messages={"required": "Enter the scenario file"},
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "autocomplete": "off"}),
    )

    def clean_text(self) -> dict[str, Any]:
        try:
            data = json.loads(self.cleaned_data["text"], parse_float=Decimal)
        except json.JSONDecodeError as error:
            raise ValidationError(
                f"The scenario file is not valid JSON: {error.msg} at line {error.lineno}, "
                f"column {error.colno}"
            ) from error
        if not isinstance(data, dict):
            raise ValidationError("The scenario file must be a JSON object of named inputs")
        return data


class ScenarioDetailsForm(forms.Form):
    """A scenario's name and description."""

    name = forms.CharField(
        label="Name",
        max_length=120,
        error_messages={"required": "Enter a name for the scenario"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-30", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        max_length=2000,
        help_text="What the scenario tries: for example, 10% more requests in winter",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RenameForm(ScenarioDetailsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class SimulateForm(forms.Form):
    """How many years to simulate, and the seed to draw them from."""

    replications = forms.IntegerField(
        label="Replications",
        min_value=1,
        max_value=MAX_WEB_REPLICATIONS,
        initial=MAX_WEB_REPLICATIONS,
        help_text=f"Simulated years at each staffing level, 1 to {MAX_WEB_REPLICATIONS}",
        error_messages={
            "required": "Enter the number of replications",
            "invalid": "Replications must be a whole number",
            "min_value": "Replications must be at least 1",
            "max_value": f"Replications must be at most {MAX_WEB_REPLICATIONS}",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
    )
    seed = forms.IntegerField(
        label="Seed (optional)",
        required=False,
        min_value=0,
        max_value=SEED_LIMIT - 1,
        help_text="The same seed gives the same results; leave it empty for a new one",
        error_messages={
            "invalid": "Seed must be a whole number",
            "min_value": "Seed must be 0 or more",
            "max_value": f"Seed must be less than {SEED_LIMIT}",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric"}),
    )


def parse_ids(values: list[str]) -> list[int]:
    """Scenario ids from a query (``ids=1&ids=2`` or ``ids=1,2``); ValidationError if not."""
    ids: list[int] = []
    for value in values:
        for part in value.split(","):
            if part.strip():
                if not part.strip().isdigit():
                    raise ValidationError("Scenario ids must be whole numbers")
                ids.append(int(part))
    return list(dict.fromkeys(ids))
