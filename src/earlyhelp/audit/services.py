"""Writing to the audit log. Every service function calls ``record_write``; every
selector that opens a person's or family's record calls ``record_view``."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from earlyhelp.audit.models import AuditEvent, Kind

Changes = dict[str, list[Any]]


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of a model instance, JSON-safe."""
    names = fields or [
        f.attname for f in instance._meta.concrete_fields if f.name not in {"updated_at"}
    ]
    return {name: _plain(getattr(instance, name)) for name in names}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> Changes:
    """The fields whose values differ, as ``{field: [before, after]}``."""
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return {
        key: [before.get(key), after.get(key)] for key in keys if before.get(key) != after.get(key)
    }


def _subject(instance: models.Model | None) -> tuple[int | None, int | None, int | None]:
    """The family, person and case an object is about, for searching and chronologies."""
    if instance is None:
        return None, None, None
    label = instance._meta.label
    if label == "people.Family":
        return instance.pk, None, None
    if label == "people.Person":
        return None, instance.pk, None
    if label == "cases.Case":
        return instance.family_id, None, instance.pk
    case = getattr(instance, "case", None) if hasattr(instance, "case_id") else None
    family_id = getattr(instance, "family_id", None) or getattr(case, "family_id", None)
    return family_id, getattr(instance, "person_id", None), getattr(instance, "case_id", None)


def _actor_fields(actor) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_label": "anonymous"}
    return {"actor": actor, "actor_label": actor.email}


def record_write(
    *,
    actor,
    code: str,
    instance: models.Model | None = None,
    changes: Changes | None = None,
    details: Mapping[str, Any] | None = None,
    source: str = "",
    subject_family_id: int | None = None,
    subject_person_id: int | None = None,
    subject_case_id: int | None = None,
) -> AuditEvent:
    """Record a change: who made it, to what, which fields, before and after."""
    family_id, person_id, case_id = _subject(instance)
    return AuditEvent.objects.create(
        **_actor_fields(actor),
        kind=Kind.WRITE,
        code=code,
        object_type=instance._meta.label_lower if instance is not None else "",
        object_id=str(instance.pk) if instance is not None else "",
        object_repr=str(instance)[:200] if instance is not None else "",
        changes=changes or {},
        details=dict(details or {}),
        source=source[:200],
        subject_family_id=subject_family_id or family_id,
        subject_person_id=subject_person_id or person_id,
        subject_case_id=subject_case_id or case_id,
    )


def record_search(
    *, actor, code: str, object_type: str, details: Mapping[str, Any], source: str
) -> AuditEvent:
    """Record a search of people's records: what was looked for and how many came back
    (a search shows names, so it is a view of records like opening one)."""
    return AuditEvent.objects.create(
        **_actor_fields(actor),
        kind=Kind.VIEW,
        code=code,
        object_type=object_type,
        details=dict(details),
        source=source[:200],
    )


def record_view(*, actor, instance: models.Model, source: str, code: str = "") -> AuditEvent:
    """Record that a user looked at a person's or family's record, and from where."""
    family_id, person_id, case_id = _subject(instance)
    return AuditEvent.objects.create(
        **_actor_fields(actor),
        kind=Kind.VIEW,
        code=code or f"{instance._meta.model_name}.viewed",
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        source=source[:200],
        subject_family_id=family_id,
        subject_person_id=person_id,
        subject_case_id=case_id,
    )


def record_denied(*, actor, object_type: str, object_id: str | int, source: str) -> AuditEvent:
    """Record a refused attempt to open a record."""
    return AuditEvent.objects.create(
        **_actor_fields(actor),
        kind=Kind.DENIED,
        code=f"{object_type.split('.')[-1]}.access_refused",
        object_type=object_type,
        object_id=str(object_id),
        source=source[:200],
        subject_family_id=int(object_id) if object_type == "people.family" else None,
        subject_person_id=int(object_id) if object_type == "people.person" else None,
    )


def record_sign_in(*, actor, code: str, source: str, details: Mapping[str, Any] | None = None):
    """Record a sign-in, sign-out or failed sign-in."""
    return AuditEvent.objects.create(
        **_actor_fields(actor),
        kind=Kind.SIGN_IN,
        code=code,
        source=source[:200],
        details=dict(details or {}),
    )
