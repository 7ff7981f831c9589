"""The shipped frameworks (YAML files in claims/frameworks/) into the database, and a
framework row back into the domain's ``Framework``.

Loading is idempotent: a framework is matched by its code and updated in place; a need
missing from the file is kept (attachments may refer to it) but no longer offered. The
active framework is kept as it is unless asked to change; with none active, the file
marked ``active_by_default`` becomes active."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction

from earlyhelp.audit.services import diff, record_write, snapshot
from earlyhelp.claims.models import ClaimFramework, FrameworkNeed
from earlyhelp.domain.claims import EmploymentRule, Framework, FrameworkError, Need, SustainFrom
from earlyhelp.domain.claims import framework_from_mapping as _from_mapping

FRAMEWORKS_DIR = Path(__file__).resolve().parent / "frameworks"


@dataclass(frozen=True)
class FrameworkFile:
    path: Path
    framework: Framework
    version: str
    active_by_default: bool


def read_framework_file(path: Path) -> FrameworkFile:
    """A framework file, checked; a FrameworkError names the file and every problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise FrameworkError([f"{path.name}: not valid YAML ({error})"]) from error
    try:
        framework = _from_mapping(data)
    except FrameworkError as error:
        raise FrameworkError([f"{path.name}: {p}" for p in error.problems]) from error
    return FrameworkFile(
        path=path,
        framework=framework,
        version=str(data.get("version", "")),
        active_by_default=bool(data.get("active_by_default", False)),
    )


def shipped_framework_files() -> list[Path]:
    return sorted(FRAMEWORKS_DIR.glob("*.yaml"))


@dataclass(frozen=True)
class LoadSummary:
    created: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]
    active: str


def _store(file: FrameworkFile) -> tuple[ClaimFramework, str]:
    framework = file.framework
    employment = framework.employment
    values = {
        "name": framework.name,
        "version": file.version,
        "starts_on": framework.starts_on,
        "min_needs": framework.min_needs,
        "min_headlines": framework.min_headlines,
        "sustain_months": framework.sustain_months,
        "sustain_from": framework.sustain_from.value,
        "employment_weeks_required": employment.weeks_required if employment else None,
        "employment_within_weeks": employment.within_weeks if employment else None,
        "jsa_weeks_required": employment.jsa_weeks_required if employment else None,
        "jsa_within_weeks": employment.jsa_within_weeks if employment else None,
    }
    row = ClaimFramework.objects.filter(code=framework.code).first()
    before = snapshot(row, values.keys()) if row else {}
    if row is None:
        row = ClaimFramework(code=framework.code, **values)
        outcome = "created"
    else:
        for name, value in values.items():
            setattr(row, name, value)
        outcome = "updated"
    row.full_clean()
    row.save()
    changes = diff(before, snapshot(row, values.keys()))
    existing = {need.code: need for need in row.needs.all()}
    for order, need in enumerate(framework.needs):
        need_values = {
            "title": need.title,
            "headline_code": need.headline,
            "headline_title": need.headline_title,
            "evidence_hint": need.evidence_hint,
            "tfu_criterion_number": need.tfu_criterion,
            "sort_order": order,
            "is_current": True,
        }
        current = existing.pop(need.code, None)
        if current is None:
            FrameworkNeed.objects.create(framework=row, code=need.code, **need_values)
            changes[f"need.{need.code}"] = [None, "added"]
            continue
        need_before = snapshot(current, need_values.keys())
        for name, value in need_values.items():
            setattr(current, name, value)
        if (need_changes := diff(need_before, snapshot(current, need_values.keys()))) != {}:
            current.save()
            changes[f"need.{need.code}"] = [need_before, list(need_changes)]
    for gone in existing.values():
        if gone.is_current:
            gone.is_current = False
            gone.save(update_fields=["is_current"])
            changes[f"need.{gone.code}"] = ["current", "no longer offered"]
    if outcome == "updated" and not changes:
        return row, "unchanged"
    record_write(
        actor=None,
        code=f"claimframework.{outcome}",
        instance=row,
        changes=changes,
        source="manage.py load_claim_frameworks",
    )
    return row, outcome


@transaction.atomic
def load_frameworks(paths: list[Path] | None = None, *, activate: str | None = None) -> LoadSummary:
    """Load framework files (the shipped ones by default) and settle the active one."""
    files = [read_framework_file(path) for path in (paths or shipped_framework_files())]
    results: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": []}
    for file in files:
        row, outcome = _store(file)
        results[outcome].append(row.code)
    active = ClaimFramework.objects.filter(is_active=True).first()
    wanted = activate
    if wanted is None and active is None:
        wanted = next((f.framework.code for f in files if f.active_by_default), None)
    if wanted is not None and (active is None or active.code != wanted):
        chosen = ClaimFramework.objects.filter(code=wanted).first()
        if chosen is None:
            raise FrameworkError([f"No framework with the code {wanted!r} to make active"])
        ClaimFramework.objects.filter(is_active=True).update(is_active=False)
        chosen.is_active = True
        chosen.save(update_fields=["is_active"])
        record_write(
            actor=None,
            code="claimframework.activated",
            instance=chosen,
            changes={"is_active": [False, True]},
            source="manage.py load_claim_frameworks",
        )
        active = chosen
    return LoadSummary(
        created=tuple(results["created"]),
        updated=tuple(results["updated"]),
        unchanged=tuple(results["unchanged"]),
        active=active.code if active else "",
    )


def to_domain(row: ClaimFramework, needs: list[FrameworkNeed] | None = None) -> Framework:
    """The domain's view of a framework row: its rules and every need (current or not,
    so that older attachments can still be assessed)."""
    rows = needs if needs is not None else list(row.needs.all())
    employment = None
    if row.employment_weeks_required is not None:
        employment = EmploymentRule(
            weeks_required=row.employment_weeks_required,
            within_weeks=row.employment_within_weeks or row.employment_weeks_required,
            jsa_weeks_required=row.jsa_weeks_required or row.employment_weeks_required,
            jsa_within_weeks=row.jsa_within_weeks
            or row.employment_within_weeks
            or row.employment_weeks_required,
        )
    return Framework(
        code=row.code,
        name=row.name,
        min_needs=row.min_needs,
        min_headlines=row.min_headlines,
        sustain_months=row.sustain_months,
        sustain_from=SustainFrom(row.sustain_from),
        needs=tuple(
            Need(
                code=n.code,
                title=n.title,
                headline=n.headline_code,
                headline_title=n.headline_title,
                evidence_hint=n.evidence_hint,
                tfu_criterion=n.tfu_criterion_number,
            )
            for n in rows
        ),
        employment=employment,
        starts_on=row.starts_on,
    )
