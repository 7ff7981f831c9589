"""Optimistic locking for records edited in forms: a second save of a stale form is
refused with the changes shown, never silently written over the newer one.

A record edited in a form has a ``version`` that rises by one with every save. The form
carries the version it was opened at (a hidden field; ``expected_version`` in an API
body). The service locks the row, compares (``check_version``), and writes with
``save_versioned``: an ``UPDATE ... WHERE version = <the version read>``, so that of two
saves from the same version only one can win, even without row locks.

    staff = StaffMember.objects.select_for_update().get(pk=worker_id)
    check_version(staff, expected_version, saved=..., submitted=..., labels=..., noun=...)
    ...                                    # validate, set the new values
    save_versioned(staff, ["fte", "protected_hours"])

The refusal is ``StaleRecord`` (409, rule ``stale_record``): in the API a problem+json
body with ``current_version`` and the ``differences``; on a page
``components/stale.html`` shows what is saved now beside what was typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import F
from django.utils import timezone

from earlyhelp.core.errors import DomainError


@dataclass(frozen=True)
class Difference:
    """One field where what is saved now differs from what was submitted, as text."""

    field: str
    label: str
    saved: str
    submitted: str


class StaleRecord(DomainError):
    """Someone else saved this record after you opened it."""

    status = 409
    title = "Changed by someone else"
    rule = "stale_record"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = "version",
        noun: str = "this record",
        current_version: int | None = None,
        differences: Sequence[Difference] = (),
    ) -> None:
        super().__init__(message, field=field)
        self.noun = noun
        self.current_version = current_version
        self.differences = list(differences)

    def extra(self) -> dict:
        if self.current_version is None:
            return {}
        return {
            "current_version": self.current_version,
            "differences": [asdict(d) for d in self.differences],
        }


def as_text(value: Any) -> str:
    """A value as a form shows it: lists joined, numbers without trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text if text != "-0" else "0"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {as_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(as_text(v) for v in value)
    return str(value).strip()


def differences(
    *, saved: Mapping[str, Any], submitted: Mapping[str, Any], labels: Mapping[str, str]
) -> list[Difference]:
    """The labelled fields, in the labels' order, whose saved and submitted text differ."""
    found = []
    for name, label in labels.items():
        if name not in submitted:
            continue
        now, theirs = as_text(saved.get(name)), as_text(submitted[name])
        if now != theirs:
            found.append(Difference(field=name, label=label, saved=now, submitted=theirs))
    return found


def stale_message(noun: str) -> str:
    return (
        f"Someone else changed {noun} after you opened it. Their changes are shown: check "
        "them, then save again to replace them with yours."
    )


def stale_error(
    record: models.Model,
    *,
    saved: Mapping[str, Any],
    submitted: Mapping[str, Any],
    labels: Mapping[str, str],
    noun: str,
) -> StaleRecord:
    """The refusal of a save made to an older version of ``record``, with the fields
    where what is saved now differs from what was submitted."""
    return StaleRecord(
        stale_message(noun),
        noun=noun,
        current_version=record.version,  # type: ignore[attr-defined]
        differences=differences(saved=saved, submitted=submitted, labels=labels),
    )


def is_stale(record: models.Model, expected_version: int | None) -> bool:
    """Whether a save made to ``expected_version`` is behind ``record`` (read under a
    row lock). None is a client that did not say which version it read."""
    return expected_version is not None and expected_version != record.version  # type: ignore[attr-defined]


def check_version(
    record: models.Model,
    expected_version: int | None,
    *,
    saved: Mapping[str, Any],
    submitted: Mapping[str, Any],
    labels: Mapping[str, str],
    noun: str,
) -> None:
    """Refuse a save made to an older version of ``record`` (read under a row lock)."""
    if is_stale(record, expected_version):
        raise stale_error(record, saved=saved, submitted=submitted, labels=labels, noun=noun)


def save_versioned(record: models.Model, fields: Iterable[str], *, noun: str = "this record"):
    """Write ``fields`` and raise the version by one, only if the row still has the
    version ``record`` was read at; StaleRecord otherwise. ``updated_at`` is set when
    the model has one (``update()`` skips ``auto_now``)."""
    model = type(record)
    read = record.version  # type: ignore[attr-defined]
    values = {name: getattr(record, name) for name in fields}
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        record.updated_at = values["updated_at"] = timezone.now()  # type: ignore[attr-defined]
    updated = model._default_manager.filter(pk=record.pk, version=read).update(
        version=F("version") + 1, **values
    )
    if updated != 1:
        current = model._default_manager.filter(pk=record.pk).values_list("version", flat=True)
        raise StaleRecord(
            stale_message(noun), noun=noun, current_version=current.first(), differences=()
        )
    record.version = read + 1  # type: ignore[attr-defined]


def keep_typed_over(form, error: StaleRecord, *, field: str = "version") -> None:
    """After a stale refusal, the form keeps what was typed but now carries the version
    saved: the person has seen the other changes, and saving again replaces them."""
    form.data = form.data.copy()
    form.data[field] = str(error.current_version)
