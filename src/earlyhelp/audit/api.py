from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from earlyhelp.audit.selectors import search_audit_events
from earlyhelp.core.pagination import Page, paginate

router = Router(tags=["Audit"])


class AuditEventOut(Schema):
    id: int
    occurred_at: dt.datetime
    actor: str
    kind: str
    code: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict
    details: dict
    source: str


def _event(event) -> AuditEventOut:
    return AuditEventOut(
        id=event.pk,
        occurred_at=event.occurred_at,
        actor=event.actor_label,
        kind=event.kind,
        code=event.code,
        object_type=event.object_type,
        object_id=event.object_id,
        object_repr=event.object_repr,
        changes=event.changes,
        details=event.details,
        source=event.source,
    )


@router.get("/events", response=Page[AuditEventOut], summary="Search the audit log")
def list_events(
    request,
    person: str = "",
    actor: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    page: int = 1,
):
    """Audit events by person, user and date (quality review officers)."""
    events = search_audit_events(
        user=request.auth, person=person, actor=actor, date_from=date_from, date_to=date_to
    )
    return paginate(events, page, _event)
