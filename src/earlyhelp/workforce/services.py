"""Every change to a worker's availability and caseload: recording and cancelling
absences, and reassigning a leaver's or long-absent worker's open cases in one go. Each
is one transaction, permission-checked, audited."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from earlyhelp.audit.services import diff, record_denied, record_write, snapshot
from earlyhelp.cases import services as case_services
from earlyhelp.cases.models import Case, Status
from earlyhelp.configuration.models import Specialism
from earlyhelp.core.actions import authorised_action
from earlyhelp.core.concurrency import check_version, save_versioned
from earlyhelp.workforce.capacity import caseload_rules, worker_loads
from earlyhelp.workforce.models import Absence, AbsenceKind, StaffMember
from earlyhelp.workforce.selectors import eligible_targets

User = get_user_model()

MAX_ABSENCE_DAYS = 366
MAX_NOTE_LENGTH = 500
MAX_REASON_LENGTH = 500


def _staff_queryset():
    return StaffMember.objects.select_related("user", "team__district", "line_manager__staff")


def worker_action(permission: str = "workforce.manage_worker"):
    """Authorise the actor on the worker (a StaffMember) before the transaction opens."""
    return authorised_action(
        queryset=_staff_queryset,
        id_argument="worker_id",
        permission=permission,
        not_found="No member of staff with that reference.",
        refused="You do not manage this worker.",
    )


# ---------------------------------------------------------------- staff details


CAPACITY_LABELS = {
    "fte": "FTE",
    "protected_hours": "Protected hours a week",
    "specialisms": "Specialisms",
    "languages": "Languages other than English",
}


def _capacity_of(staff: StaffMember) -> dict[str, object]:
    return {
        "fte": staff.fte,
        "protected_hours": staff.protected_hours,
        "specialisms": sorted(staff.specialisms.values_list("code", flat=True)),
        "languages": sorted(staff.languages or ()),
    }


@worker_action()
def update_worker_capacity(
    *,
    actor,
    worker_id: int,
    fte,
    protected_hours,
    specialism_codes: list[str],
    languages: list[str],
    expected_version: int | None = None,
    source: str = "",
) -> StaffMember:
    """Change what a worker can carry: FTE (more than 0, at most 1.0), protected hours a
    week, specialisms and languages; a key worker must stay in a team. A save made to an
    older version than the one saved (``expected_version``) is refused with the changes."""
    staff = _staff_queryset().select_for_update(of=("self",)).get(pk=worker_id)
    fields = ("fte", "protected_hours", "languages")
    before = snapshot(staff, fields)
    saved = _capacity_of(staff)
    old_codes = saved["specialisms"]
    wanted = sorted(set(specialism_codes))
    cleaned_languages = sorted({x.strip().lower() for x in languages if x.strip()})
    check_version(
        staff,
        expected_version,
        saved=saved,
        submitted={
            "fte": fte,
            "protected_hours": protected_hours,
            "specialisms": wanted,
            "languages": cleaned_languages,
        },
        labels=CAPACITY_LABELS,
        noun="these capacity details",
    )
    staff.fte = fte
    staff.protected_hours = protected_hours
    staff.languages = cleaned_languages
    found = list(Specialism.objects.filter(code__in=wanted))
    unknown = set(wanted) - {s.code for s in found}
    errors: dict[str, list[str]] = {}
    if unknown:
        errors["specialisms"] = [f"Not a configured specialism: {', '.join(sorted(unknown))}"]
    try:
        staff.full_clean(exclude=["user", "line_manager", "locality"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    save_versioned(staff, fields, noun="these capacity details")
    staff.specialisms.set(found)
    changes = diff(before, snapshot(staff, fields))
    if old_codes != wanted:
        changes["specialisms"] = [old_codes, wanted]
    record_write(
        actor=actor,
        code="staff.capacity_changed",
        instance=staff,
        changes=changes,
        source=source,
    )
    return staff


# ---------------------------------------------------------------- absences


def _check_absence(
    *, kind: str, start_date: dt.date | None, end_date: dt.date | None, note: str
) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in AbsenceKind.values:
        errors["kind"] = ["Select annual leave, sickness or other absence"]
    if start_date is None:
        errors["start_date"] = ["Enter the first day of the absence"]
    if end_date is None:
        errors["end_date"] = ["Enter the last day of the absence"]
    if start_date and end_date:
        if end_date < start_date:
            errors["end_date"] = ["The last day must be the same as or after the first day"]
        elif (end_date - start_date).days >= MAX_ABSENCE_DAYS:
            errors["end_date"] = ["An absence can be at most a year: record it in parts"]
    if len(note) > MAX_NOTE_LENGTH:
        errors["note"] = [f"The note must be {MAX_NOTE_LENGTH} characters or fewer"]
    if errors:
        raise ValidationError(errors)


@worker_action()
def record_absence(
    *,
    actor,
    worker_id: int,
    kind: str,
    start_date: dt.date | None,
    end_date: dt.date | None,
    note: str = "",
    source: str = "",
) -> Absence:
    """Record a worker's leave, sickness or other absence, first to last day included;
    it may not overlap another absence of theirs."""
    note = (note or "").strip()
    _check_absence(kind=kind, start_date=start_date, end_date=end_date, note=note)
    # Lock the worker so that two overlapping absences cannot both pass the check.
    staff = StaffMember.objects.select_for_update().get(pk=worker_id)
    clash = (
        Absence.objects.filter(
            worker=staff,
            cancelled_at__isnull=True,
            start_date__lte=end_date,
            end_date__gte=start_date,
        )
        .order_by("start_date")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "start_date": [
                    f"This overlaps their {clash.get_kind_display().lower()} from "
                    f"{clash.start_date:%-d %B %Y} to {clash.end_date:%-d %B %Y}"
                ]
            }
        )
    absence = Absence(
        worker=staff,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        note=note,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    absence.full_clean()
    absence.save()
    record_write(
        actor=actor,
        code="absence.recorded",
        instance=absence,
        details={
            "worker": staff.user_id,
            "kind": kind,
            "start_date": start_date.isoformat(),
            "end_date": end_date.isoformat(),
        },
        source=source,
    )
    return absence


def cancel_absence(*, actor, absence_id: int, source: str = "") -> Absence:
    """Cancel a recorded absence (kept on record, no longer reducing capacity)."""
    absence = Absence.objects.select_related("worker__team__district", "worker__user").filter(
        pk=absence_id
    )
    found = absence.first()
    if found is None:
        raise Http404("No absence with that reference.")
    if not actor.has_perm("workforce.manage_worker", found.worker):
        record_denied(
            actor=actor, object_type="workforce.absence", object_id=absence_id, source=source
        )
        raise PermissionDenied("You do not manage this worker.")
    return _cancel_absence(actor=actor, absence_id=absence_id, source=source)


@transaction.atomic
def _cancel_absence(*, actor, absence_id: int, source: str) -> Absence:
    absence = Absence.objects.select_for_update().get(pk=absence_id)
    if absence.is_cancelled:
        raise ValidationError({"absence": ["This absence is already cancelled"]})
    absence.cancelled_at = timezone.now()
    absence.cancelled_by = actor
    absence.save(update_fields=["cancelled_at", "cancelled_by"])
    record_write(
        actor=actor,
        code="absence.cancelled",
        instance=absence,
        changes={"cancelled_at": [None, absence.cancelled_at.isoformat()]},
        source=source,
    )
    return absence


# ---------------------------------------------------------------- bulk reassignment


@dataclass(frozen=True)
class Reassignment:
    """One open case and who is to hold it, with the manager's reason when that worker
    has no headroom."""

    case_id: int
    new_worker_id: int
    reason: str = ""


def _load_summary(load) -> str:
    parts = [
        f"{load.open_cases} open of {load.flags.caseload_limit:g}",
        f"{load.flags.demand_slots:g} of {load.flags.capacity_slots:g} visit slots this week",
    ]
    if load.absent_all_week:
        parts.append("absent all this week")
    return ", ".join(parts)


@worker_action()
def reassign_caseload(
    *,
    actor,
    worker_id: int,
    reassignments: list[Reassignment],
    reason: str,
    source: str = "",
) -> list[Case]:
    """Hand some or all of a worker's open cases to others in one transaction. A target
    must be an eligible worker; one whose headroom the new cases would exceed is refused
    unless the manager gives a reason for that case. Each case is recorded and the new
    worker told (``cases.services.reassign_key_worker``)."""
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = ["Say why the cases are being reassigned (for example, leaving)"]
    elif len(reason) > MAX_REASON_LENGTH:
        errors["reason"] = [f"The reason must be {MAX_REASON_LENGTH} characters or fewer"]
    if not reassignments:
        errors["cases"] = ["Choose a new key worker for at least one case"]
    staff = _staff_queryset().get(pk=worker_id)
    case_ids = [r.case_id for r in reassignments]
    repeated = {cid for cid, n in Counter(case_ids).items() if n > 1}
    for cid in sorted(repeated):
        errors[f"case-{cid}"] = ["This case is listed more than once"]
    # Lock the cases being moved; a case closed or moved meanwhile is reported.
    cases = {
        c.pk: c
        for c in Case.objects.select_for_update(of=("self",))
        .select_related("case_type")
        .filter(pk__in=case_ids)
    }
    targets = {
        s.user_id: s
        for s in eligible_targets(staff)
        .select_related("user", "team")
        .filter(user_id__in={r.new_worker_id for r in reassignments})
    }
    # Headroom re-checked here, inside the transaction, from the rows as they are now.
    rules = caseload_rules()
    loads = {
        load.user_id: load for load in worker_loads(list(targets.values()), rules=rules).values()
    }
    taking: Counter[int] = Counter()
    visits: Counter[int] = Counter()
    for item in reassignments:
        key = f"case-{item.case_id}"
        case = cases.get(item.case_id)
        if case is None or case.key_worker_id != staff.user_id or case.status == Status.CLOSED:
            errors.setdefault(key, []).append(
                "This case is no longer one of their open cases: reload the page"
            )
            continue
        target = targets.get(item.new_worker_id)
        if target is None:
            errors.setdefault(key, []).append(
                "Choose a key worker or senior practitioner in a team of this district"
            )
            continue
        taking[target.user_id] += 1
        visits[target.user_id] += rules.visits_for(case.case_type.code if case.case_type else None)
        load = loads[target.user_id]
        no_room = taking[target.user_id] > load.headroom_cases or visits[target.user_id] > max(
            load.headroom_slots, 0
        )
        if no_room and not item.reason.strip():
            errors.setdefault(key, []).append(
                f"{load.name} has no headroom for this case ({_load_summary(load)}): "
                "choose someone else or give a reason"
            )
        elif len(item.reason) > MAX_REASON_LENGTH:
            errors.setdefault(key, []).append(
                f"The reason must be {MAX_REASON_LENGTH} characters or fewer"
            )
    if errors:
        raise ValidationError(errors)
    moved = []
    for item in reassignments:
        why = reason if not item.reason.strip() else f"{reason} ({item.reason.strip()})"
        moved.append(
            case_services.reassign_key_worker(
                actor=actor,
                case_id=item.case_id,
                new_worker=targets[item.new_worker_id].user,
                reason=why,
                source=source,
            )
        )
    record_write(
        actor=actor,
        code="caseload.reassigned",
        instance=staff,
        details={
            "reason": reason,
            "cases": [
                {"case": item.case_id, "to": item.new_worker_id, "reason": item.reason.strip()}
                for item in reassignments
            ],
        },
        source=source,
    )
    return moved
