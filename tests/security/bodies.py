"""A well-formed JSON body for each API operation, made from its OpenAPI schema: every
required field with a plausible value, so that the request gets past validation to the
permission check (an empty body would be refused with 422 before anyone is asked)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

# Body fields that name a record of the world (own variant), by name.
ID_FIELDS = {
    "key_worker_id": "user",
    "worker_id": "staff",
    "staff_id": "staff",
    "to_staff_id": "staff",
    "person_id": "person",
    "person_ids": "person",
    "case_id": "case",
    "family_id": "family",
    "district_id": "district",
    "team_id": "team",
    "centre_id": "centre",
    "programme_id": "programme",
    "request_id": "request",
    "scenario_id": "scenario",
    "scenario_ids": "scenario",
    "request_ids": "request",
}


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], components)
    return schema


def example(schema: dict, components: dict, world, name: str = "", depth: int = 0) -> Any:
    schema = _resolve(schema, components)
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if _resolve(s, components).get("type") != "null"]
        return example(options[0], components, world, name, depth) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        properties = schema.get("properties", {})
        return {
            field: example(properties[field], components, world, field, depth + 1)
            for field in schema.get("required", [])
            if field in properties
        }
    if kind == "array":
        item = example(schema.get("items", {}), components, world, name, depth + 1)
        return [item] if schema.get("minItems") else ([item] if name in ID_FIELDS else [])
    if kind == "integer":
        if name in ID_FIELDS:
            return world.record(ID_FIELDS[name], "own")
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return True
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date-time":
            return (timezone.now() - dt.timedelta(hours=2)).isoformat()
        if fmt == "date":
            return timezone.localdate().isoformat()
        if fmt == "time":
            return "10:00:00"
        if fmt == "email":
            return "someone@example.test"
        return "Checked by the authorisation matrix"
    return None


def body_for(operation: dict, components: dict, world) -> dict | list | None:
    """A JSON body for the operation, or None if it takes none."""
    content = (operation.get("requestBody") or {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return None
    return example(schema, components, world)


def query_for(operation: dict, components: dict, world) -> dict:
    """The operation's required query parameters, each with a plausible value."""
    query = {}
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query" and parameter.get("required"):
            name = parameter["name"]
            value = example(parameter.get("schema", {}), components, world, name)
            query[name] = value
    return query
