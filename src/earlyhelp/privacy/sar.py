"""Subject access: everything the service holds about one person, with third parties
redacted and every redaction accounted for.

What is gathered is found by following the database's own relations, not a list kept by
hand, so a new kind of record linked to a person, a family, a case or a request is
picked up without changing this module:

- the person (and any duplicate records merged into them);
- every record that points at the person (memberships, consents, Talkzone contacts,
  group registers, outreach sessions they were met on, contacts they attended, ...);
- the families they belong to, and every record that points at those families, and,
  recursively, every record that points at those records (requests for support, cases
  and all their assessments, plans, contacts, reviews, Stars, approvals, tasks,
  messages, claims, safeguarding records, ...);
- the audit log's events about the person, their families and their cases.

A record reached through a many-to-many link (an outreach session where the person was
met among others) is included but not followed further: what hangs off it is about
other people.

Redaction. Other people (family members who are not the subject, referrers, other
professionals) and staff are third parties: each is replaced by a numbered label
("Third party 2", "Staff member 1"), their names are removed from free text, and
contact details of third parties (email addresses, phone numbers, named professionals)
are withheld. Staff are labelled consistently, so that the reader can tell the same
worker's entries apart from another's. Every redaction is counted by record, field
and reason in the export. Safeguarding records are included and flagged for the
handler to review for the serious-harm exemption before disclosure.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import io
import json
import re
import uuid
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.template.loader import render_to_string

from earlyhelp.audit.models import AuditEvent
from earlyhelp.people.models import Family, Person

PERSON = "people.person"
FAMILY = "people.family"
STAFF_MODELS = frozenset({"accounts.user", "workforce.staffmember"})

# Fields that name or reach a third party rather than the subject, by record.
THIRD_PARTY_FIELDS: dict[str, frozenset[str]] = {
    "referrals.requestforsupport": frozenset(
        {
            "referrer_name",
            "referrer_role",
            "referrer_email",
            "referrer_phone",
            "caf_lead_professional",
            "caf_lead_professional_email",
        }
    ),
    "cases.case": frozenset({"lead_professional_name"}),
    "cases.contact": frozenset({"other_attendees"}),
    "outbox.outboxmessage": frozenset({"to"}),
    "audit.auditevent": frozenset({"actor_label"}),
}
# Fields holding names of people, whose values are also removed from free text.
NAME_FIELDS: dict[str, frozenset[str]] = {
    "referrals.requestforsupport": frozenset({"referrer_name", "caf_lead_professional"}),
    "cases.case": frozenset({"lead_professional_name"}),
}
# Records the handler reviews before disclosure (information that could cause serious
# harm may be withheld: Data Protection Act 2018, Schedule 3).
REVIEW_BEFORE_DISCLOSURE = frozenset(
    {"cases.safeguardingconcern", "cases.safeguardingnote", "cases.escalation"}
)
# Reference data and the service's own administration are not the subject's records.
NOT_FOLLOWED = frozenset({"privacy.retentionreview"})

REASONS = {
    "third_party_person": "Another person's identity (a family member or someone else named): "
    "their own personal data, not the subject's",
    "third_party_details": "A referrer's or other professional's name or contact details",
    "staff": "A member of staff's identity, replaced by a consistent label",
    "free_text": "A third party's or staff member's name in free text",
    "third_party_record": "A link to a record about other people (another family's request "
    "met on the same outreach session, say)",
}

NOT_SEARCHED = (
    "Free text in other families' records that mentions the person by name without "
    "linking their record",
    "Outreach session notes, which describe sessions with many young people",
    "Anonymous Talkzone contacts and head counts, which identify no one",
)

_SECTION_ORDER = (
    "people.person",
    "people.familymember",
    "people.family",
    "referrals.requestforsupport",
    "referrals.requestmember",
    "referrals.consent",
    "cases.case",
    "cases.contact",
    "cases.assessment",
    "cases.starreading",
    "cases.decision",
    "cases.planaction",
    "cases.tafmeeting",
    "cases.review",
    "cases.escalation",
    "cases.safeguardingconcern",
    "cases.safeguardingnote",
    "approvals.approval",
    "tasks.task",
    "outbox.outboxmessage",
    "centres.participant",
    "centres.attendance",
    "outreach.talkzonecontact",
    "outreach.outreachsession",
)


@dataclass
class Collection:
    """The records gathered for one subject, by model label."""

    subject: Person
    subject_ids: set[int]
    family_ids: set[int]
    case_ids: set[int]
    records: dict[str, dict[int, models.Model]] = field(default_factory=dict)
    audit_events: list[AuditEvent] = field(default_factory=list)
    sources_checked: list[str] = field(default_factory=list)

    def add(self, label: str, objects: Iterable[models.Model]) -> set[int]:
        bucket = self.records.setdefault(label, {})
        new = set()
        for obj in objects:
            if obj.pk not in bucket:
                bucket[obj.pk] = obj
                new.add(obj.pk)
        return new

    def counts(self) -> dict[str, int]:
        counts = {label: len(rows) for label, rows in self.records.items()}
        counts["audit.auditevent"] = len(self.audit_events)
        return counts


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _reverse_relations(model: type[models.Model]) -> list[models.ForeignObjectRel]:
    """Every relation by which another record points at this one (hidden ones too)."""
    relations = []
    for rel in model._meta.get_fields(include_hidden=True):
        if not rel.auto_created or rel.concrete:
            continue
        if not (rel.one_to_many or rel.one_to_one or rel.many_to_many):
            continue
        related = rel.related_model
        if related._meta.auto_created or _label(related) in NOT_FOLLOWED:
            continue
        relations.append(rel)
    return relations


def _fetch(model: type[models.Model], condition: Q) -> list[models.Model]:
    """Records with their forward references and many-to-many links, in two or three
    queries whatever their number."""
    forward = [
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is not model
    ]
    m2m = [f.name for f in model._meta.many_to_many]
    return list(
        model._base_manager.filter(condition)
        .select_related(*forward)
        .prefetch_related(*m2m)
        .order_by("pk")
    )


def _subject_ids(person: Person) -> set[int]:
    """The person and every duplicate merged into them, however deep."""
    ids = {person.pk}
    frontier = {person.pk}
    while frontier:
        frontier = (
            set(Person.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True))
            - ids
        )
        ids |= frontier
    return ids


def collect(person: Person) -> Collection:
    """Everything held about the person (see the module's docstring)."""
    subject_ids = _subject_ids(person)
    family_ids = set(
        Family.objects.filter(memberships__person_id__in=subject_ids).values_list("pk", flat=True)
    )
    collection = Collection(
        subject=person, subject_ids=subject_ids, family_ids=family_ids, case_ids=set()
    )
    collection.add(PERSON, _fetch(Person, Q(pk__in=subject_ids)))
    collection.add(FAMILY, _fetch(Family, Q(pk__in=family_ids)))
    checked: set[str] = {PERSON, FAMILY}
    # Each step follows every reverse relation of one model from a set of its records.
    queue: list[tuple[type[models.Model], set[int]]] = [
        (Person, subject_ids),
        (Family, family_ids),
    ]
    while queue:
        model, ids = queue.pop(0)
        if not ids:
            continue
        for rel in _reverse_relations(model):
            related = rel.related_model
            label = _label(related)
            if label == PERSON and model is not Person:
                continue
            checked.add(label)
            rows = _fetch(related, Q(**{f"{rel.field.name}__in": ids}))
            new = collection.add(label, rows)
            if rel.many_to_many or label in (PERSON, FAMILY):
                # Shared records (a session many people were met on) are not followed,
                # and people and families were gathered above.
                continue
            if new:
                queue.append((related, new))
    collection.case_ids = set(collection.records.get("cases.case", {}))
    collection.audit_events = list(
        AuditEvent.objects.filter(
            Q(subject_person_id__in=subject_ids)
            | Q(subject_family_id__in=family_ids)
            | Q(subject_case_id__in=collection.case_ids)
        )
        .exclude(Q(subject_person_id__isnull=False) & ~Q(subject_person_id__in=subject_ids))
        .order_by("occurred_at", "pk")
    )
    checked.add("audit.auditevent")
    collection.sources_checked = sorted(checked)
    return collection


# ---------------------------------------------------------------- redaction


class Redactor:
    """Labels third parties and staff consistently and counts every redaction."""

    def __init__(self, collection: Collection) -> None:
        self.subject_ids = collection.subject_ids
        self.subject = collection.subject
        self._people: dict[int, str] = {}
        self._staff: dict[tuple[str, int], str] = {}
        self.log: Counter[tuple[str, str, str]] = Counter()
        self._names: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def count(self, category: str, label: str, field_name: str) -> None:
        self.log[(category, label, field_name)] += 1

    def person(self, person_id: int, label: str, field_name: str) -> dict[str, Any]:
        if person_id in self.subject_ids:
            return {"person": "the data subject", "id": person_id}
        name = self._people.setdefault(person_id, f"Third party {len(self._people) + 1}")
        self.count("third_party_person", label, field_name)
        return {"person": name, "redacted": True}

    def staff(self, model_label: str, staff_id: int, label: str, field_name: str) -> str:
        key = (model_label, staff_id)
        name = self._staff.setdefault(key, f"Staff member {len(self._staff) + 1}")
        self.count("staff", label, field_name)
        return name

    def learn_names(self, names: Iterable[str]) -> None:
        """Names to take out of free text: whole names, and parts that are not the
        subject's own (a sibling's surname is the subject's too)."""
        own = {self.subject.first_name.casefold(), self.subject.last_name.casefold()}
        for name in names:
            name = (name or "").strip()
            if len(name) < 2:
                continue
            self._names.add(name)
            for part in name.split():
                if len(part) >= 3 and part.casefold() not in own:
                    self._names.add(part)
        self._pattern = None

    def text(self, value: str, label: str, field_name: str) -> str:
        if not value or not self._names:
            return value
        if self._pattern is None:
            alternatives = sorted(self._names, key=len, reverse=True)
            self._pattern = re.compile(
                r"\b(?:" + "|".join(re.escape(n) for n in alternatives) + r")\b"
            )
        redacted, found = self._pattern.subn("[redacted]", value)
        if found:
            self.count("free_text", label, field_name)
        return redacted

    def summary(self) -> list[dict[str, Any]]:
        rows = [
            {
                "category": category,
                "record": label,
                "field": field_name,
                "count": n,
                "reason": REASONS[category],
            }
            for (category, label, field_name), n in sorted(self.log.items())
        ]
        return rows


def _names_of_third_parties(collection: Collection) -> list[str]:
    """Every name the export must not show: other people referred to, staff, referrers."""
    from earlyhelp.accounts.models import User

    person_ids: set[int] = set()
    user_ids: set[int] = {e.actor_id for e in collection.audit_events if e.actor_id}
    names: list[str] = []

    def note(target_label: str, target: models.Model | None, target_id: Any) -> None:
        if target_label == PERSON:
            person_ids.add(target_id)
        elif target_label == "accounts.user":
            user_ids.add(target_id)
        elif target_label == "workforce.staffmember" and target is not None:
            user_ids.add(target.user_id)

    for label, rows in collection.records.items():
        for obj in rows.values():
            for f in obj._meta.concrete_fields:
                target_id = getattr(obj, f.attname) if f.is_relation else None
                if target_id is not None:
                    target = getattr(obj, f.name) if f.is_cached(obj) else None
                    note(_label(f.related_model), target, target_id)
            for f in obj._meta.many_to_many:
                for item in getattr(obj, f.name).all():
                    note(_label(f.related_model), item, item.pk)
            names.extend(getattr(obj, name, "") or "" for name in NAME_FIELDS.get(label, ()))
    family_people = Person.objects.filter(memberships__family_id__in=collection.family_ids)
    third_parties = Person.objects.filter(
        Q(pk__in=person_ids) | Q(pk__in=family_people.values("pk"))
    ).exclude(pk__in=collection.subject_ids)
    names.extend(
        f"{first} {last}" for first, last in third_parties.values_list("first_name", "last_name")
    )
    for first, last, email in User.objects.filter(pk__in=user_ids).values_list(
        "first_name", "last_name", "email"
    ):
        names.extend((f"{first} {last}", email))
    return names


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _redact_json(value: Any, redactor: Redactor, label: str, field_name: str) -> Any:
    if isinstance(value, str):
        return redactor.text(value, label, field_name)
    if isinstance(value, list):
        return [_redact_json(v, redactor, label, field_name) for v in value]
    if isinstance(value, dict):
        return {k: _redact_json(v, redactor, label, field_name) for k, v in value.items()}
    return _plain(value)


def _reference(
    obj: models.Model, f: models.Field, target: models.Model | None, target_id: Any, ctx: _Ctx
) -> Any:
    label = _label(obj.__class__)
    target_label = _label(f.related_model)
    if target_label == PERSON:
        return ctx.redactor.person(target_id, label, f.name)
    if target_label in STAFF_MODELS:
        # A staff member's workforce record and their account get the same label.
        if target_label == "workforce.staffmember" and target is not None:
            target_label, target_id = "accounts.user", target.user_id
        return ctx.redactor.staff(target_label, target_id, label, f.name)
    if target_label in ctx.collected:
        if target_id in ctx.collected[target_label]:
            return {"record": target_label, "id": target_id}
        # Another family's request linked to a shared outreach session, say.
        ctx.redactor.count("third_party_record", label, f.name)
        return "[redacted]"
    return str(target) if target is not None else target_id


@dataclass
class _Ctx:
    redactor: Redactor
    collected: dict[str, set[int]]
    subject_ids: set[int]


def _serialise(obj: models.Model, ctx: _Ctx) -> dict[str, Any]:
    label = _label(obj.__class__)
    is_subject = label == PERSON and obj.pk in ctx.subject_ids
    withheld = THIRD_PARTY_FIELDS.get(label, frozenset())
    out: dict[str, Any] = {"id": obj.pk}
    for f in obj._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.is_relation:
            target_id = getattr(obj, f.attname)
            if target_id is None:
                out[f.name] = None
                continue
            target = getattr(obj, f.name, None) if f.is_cached(obj) else None
            out[f.name] = _reference(obj, f, target, target_id, ctx)
            continue
        value = f.value_from_object(obj)
        if (
            not is_subject
            and value not in (None, "")
            and (f.name in withheld or isinstance(f, models.EmailField) or "phone" in f.name)
        ):
            category = "third_party_details" if label != "audit.auditevent" else "staff"
            ctx.redactor.count(category, label, f.name)
            out[f.name] = "[redacted]"
            continue
        if f.choices and value not in (None, ""):
            out[f.name] = str(dict(f.flatchoices).get(value, value))
        elif isinstance(f, models.JSONField):
            out[f.name] = _redact_json(value, ctx.redactor, label, f.name)
        elif isinstance(value, str) and not is_subject and label != FAMILY:
            out[f.name] = ctx.redactor.text(value, label, f.name)
        else:
            out[f.name] = _plain(value)
    for f in obj._meta.many_to_many:
        items = []
        for item in getattr(obj, f.name).all():
            items.append(_reference(obj, f, item, item.pk, ctx))
        out[f.name] = items
    return out


def _audit_event(event: AuditEvent, ctx: _Ctx) -> dict[str, Any]:
    label = "audit.auditevent"
    redactor = ctx.redactor
    return {
        "id": event.pk,
        "occurred_at": event.occurred_at.isoformat(),
        "kind": event.get_kind_display(),
        "code": event.code,
        "by": redactor.staff("accounts.user", event.actor_id, label, "actor")
        if event.actor_id
        else "No one signed in",
        "record": event.object_type,
        "record_id": event.object_id,
        "description": redactor.text(event.object_repr, label, "object_repr"),
        "changes": _redact_json(event.changes, redactor, label, "changes"),
        "details": _redact_json(event.details, redactor, label, "details"),
        "where": event.source,
    }


def _title(label: str) -> str:
    model = apps.get_model(label)
    return str(model._meta.verbose_name_plural).capitalize()


def _section_key(label: str) -> tuple[int, str]:
    try:
        return (_SECTION_ORDER.index(label), label)
    except ValueError:
        return (len(_SECTION_ORDER), label)


def build_export(collection: Collection, *, generated_at: dt.datetime) -> dict[str, Any]:
    """The export as plain data: the subject, each source's records, the audit events
    about them, and what was redacted and why."""
    redactor = Redactor(collection)
    redactor.learn_names(_names_of_third_parties(collection))
    ctx = _Ctx(
        redactor=redactor,
        collected={label: set(rows) for label, rows in collection.records.items()},
        subject_ids=collection.subject_ids,
    )
    sections = []
    for label in sorted(collection.records, key=_section_key):
        rows = collection.records[label]
        if not rows:
            continue
        sections.append(
            {
                "source": label,
                "title": _title(label),
                "review_before_disclosure": label in REVIEW_BEFORE_DISCLOSURE,
                "records": [_serialise(obj, ctx) for obj in rows.values()],
            }
        )
    audit = [_audit_event(event, ctx) for event in collection.audit_events]
    subject = collection.subject
    return {
        "subject": {
            "id": subject.pk,
            "name": subject.full_name,
            "date_of_birth": _plain(subject.date_of_birth),
            "merged_records": sorted(collection.subject_ids - {subject.pk}),
        },
        "generated_at": generated_at.isoformat(),
        "sources_checked": [
            {"source": label, "records": collection.counts().get(label, 0)}
            for label in collection.sources_checked
        ],
        "sections": sections,
        "audit_events": audit,
        "redactions": {
            "policy": REASONS,
            "summary": redactor.summary(),
            "total": sum(redactor.log.values()),
        },
        "review_before_disclosure": sorted(
            label for label in collection.records if label in REVIEW_BEFORE_DISCLOSURE
        ),
        "not_searched": list(NOT_SEARCHED),
    }


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    sha256: str
    records: int
    redactions: int


def package(export: dict[str, Any]) -> ExportFile:
    """A ZIP of the export as JSON (for machines) and HTML (for the person)."""
    subject_id = export["subject"]["id"]
    day = export["generated_at"][:10]
    stem = f"subject-access-{subject_id}-{day}"
    as_json = json.dumps(export, indent=2, ensure_ascii=False, default=str)
    as_html = render_to_string("privacy/sar_export.html", {"export": export})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}/records.json", as_json)
        archive.writestr(f"{stem}/records.html", as_html)
    content = buffer.getvalue()
    records = sum(len(s["records"]) for s in export["sections"]) + len(export["audit_events"])
    return ExportFile(
        filename=f"{stem}.zip",
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        records=records,
        redactions=export["redactions"]["total"],
    )


def preview(collection: Collection) -> list[dict[str, Any]]:
    """What an export will include: each source checked, its title and how many records."""
    counts = collection.counts()
    rows = [
        {
            "source": label,
            "title": _title(label),
            "records": counts.get(label, 0),
            "review_before_disclosure": label in REVIEW_BEFORE_DISCLOSURE,
        }
        for label in collection.sources_checked
    ]
    return sorted(rows, key=lambda r: _section_key(r["source"]))
