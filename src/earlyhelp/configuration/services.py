"""Writing the service's configuration: a checked configuration file (see ``loader``)
applied to the database in one transaction, leaving an audit trail."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError

from earlyhelp.audit.services import diff, record_write, snapshot
from earlyhelp.configuration.loader import (
    Configuration,
    ConfigurationError,
    ConfigurationProblem,
)
from earlyhelp.configuration.models import (
    CaseType,
    ClosureDay,
    District,
    Locality,
    MarmotObjective,
    NeedLevel,
    OutcomesStar,
    ServiceOutcome,
    ServiceSettings,
    Specialism,
    StarArea,
    TargetGroup,
    TfuCriterion,
)

# Importing the selectors connects the receivers that clear the cached calendar when
# closure days change.
from earlyhelp.configuration.selectors import clear_service_calendar_cache

LOADED = "configuration.loaded"
PERMISSION = "configuration.change_servicesettings"

# Where each ServiceSettings field comes from in the file, to point a problem at it.
_SETTINGS_SOURCE = {
    "council_name": "council.name",
    "configuration_version": "council.configuration_version",
    "caf_mailbox": "service.caf_mailbox",
    "urn_prefix": "service.urn_prefix",
    "urn_format": "service.urn_format",
    "plan_needs_approval": "service.plan_needs_approval",
    "allocation_working_days": "timescales.allocation_working_days",
    "initial_visit_working_days": "timescales.initial_visit_working_days",
    "review_interval_weeks": "timescales.review_interval_weeks",
    "review_overdue_weeks": "timescales.review_overdue_weeks",
    "outcomes_star_review_weeks": "timescales.outcomes_star_review_weeks",
    "working_weeks_per_year": "capacity.working_weeks_per_year",
    "slots_per_week": "capacity.slots_per_week",
    "caseload_per_fte": "capacity.caseload_per_fte",
    "assessment_counts_as": "capacity.assessment_counts_as",
    "retention_years_after_youngest_child_birth": "retention.years_after_youngest_child_birth",
    "retention_minimum_years_after_closure": "retention.minimum_years_after_closure",
    "retention_years_after_request_decision": "retention.years_after_request_decision",
}


_SECTIONS = (
    "settings",
    "localities",
    "districts",
    "need_levels",
    "case_types",
    "target_groups",
    "marmot_objectives",
    "tfu_criteria",
    "outcomes",
    "closure_days",
)


@dataclass
class SectionCounts:
    """What a load did to one section's rows."""

    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0


@dataclass
class LoadSummary:
    """What a configuration load did, section by section."""

    council_name: str
    configuration_version: str
    source: str
    sections: dict[str, SectionCounts] = field(default_factory=dict)

    def counts(self, section: str) -> SectionCounts:
        return self.sections.setdefault(section, SectionCounts())

    @property
    def created(self) -> int:
        return sum(counts.created for counts in self.sections.values())

    @property
    def updated(self) -> int:
        return sum(counts.updated for counts in self.sections.values())

    @property
    def removed(self) -> int:
        return sum(counts.removed for counts in self.sections.values())

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)

    def as_details(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "council": self.council_name,
            "configuration_version": self.configuration_version,
            "created": self.created,
            "updated": self.updated,
            "removed": self.removed,
            "sections": {name: dataclasses.asdict(c) for name, c in self.sections.items()},
        }

    def lines(self) -> list[str]:
        return [
            f"{name}: {c.created} created, {c.updated} updated, {c.removed} removed, "
            f"{c.unchanged} unchanged"
            for name, c in self.sections.items()
        ]


class _Apply:
    """One load: upserts by natural key, removals, and the problems found on the way."""

    def __init__(self, *, actor, data: Configuration, source: str) -> None:
        self.actor = actor
        self.data = data
        self.source = source
        self.problems: list[ConfigurationProblem] = []
        self.summary = LoadSummary(
            council_name=data.settings.council_name,
            configuration_version=data.settings.configuration_version,
            source=source,
        )
        # The summary lists the sections in the order of the file.
        for section in _SECTIONS:
            self.summary.counts(section)
        if data.outcomes_stars is not None:
            self.summary.counts("outcomes_stars")
            self.summary.counts("star_areas")
        if data.specialisms is not None:
            self.summary.counts("specialisms")

    # -- helpers

    def section_line(self, section: str) -> int:
        return self.data.section_lines.get(section, 1)

    def check_problems(self) -> None:
        if self.problems:
            raise ConfigurationError(self.problems)

    def event(self, obj: models.Model, verb: str, changes: Mapping[str, list[Any]]) -> None:
        record_write(
            actor=self.actor,
            code=f"{obj._meta.model_name}.{verb}_by_configuration",
            instance=obj,
            changes=dict(changes),
            details={"file": self.source},
            source=self.source,
        )

    def save(
        self,
        obj: models.Model,
        *,
        path: str,
        line: int,
        update_fields: Sequence[str] | None = None,
        where: Callable[[str], str] | None = None,
    ) -> bool:
        """full_clean() then save; a rule the database holds becomes a problem at the line."""
        try:
            obj.full_clean()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                field_path = where(name) if where else f"{path}.{name}".rstrip(".")
                if name == "__all__":
                    field_path = path
                for message in messages:
                    self.problems.append(ConfigurationProblem(field_path, line, message))
            return False
        obj.save(update_fields=update_fields)
        return True

    def upsert(
        self,
        *,
        section: str,
        model: type[models.Model],
        key: str,
        specs: Iterable[Any],
        values: Callable[[Any], dict[str, Any]],
        existing: Iterable[models.Model] | None = None,
        relations: Callable[[Any, Any], dict[str, list[Any]]] | None = None,
    ) -> dict[Any, models.Model]:
        """Create or update one row per spec, matched by its natural key; `relations` sets
        a row's many-to-many links and returns what it changed."""
        counts = self.summary.counts(section)
        if existing is None:
            existing = model._default_manager.all()
        rows = {getattr(obj, key): obj for obj in existing}
        result: dict[Any, models.Model] = {}
        for spec in specs:
            fields = values(spec)
            obj = rows.get(fields[key])
            if obj is None:
                obj = model(**fields)
                if self.save(obj, path=spec.path, line=spec.line):
                    if relations is not None:
                        relations(obj, spec)
                    counts.created += 1
                result[fields[key]] = obj
                continue
            changed = [name for name, value in fields.items() if getattr(obj, name) != value]
            if changed:
                before = snapshot(obj, changed)
                for name in changed:
                    setattr(obj, name, fields[name])
                if not self.save(obj, path=spec.path, line=spec.line, update_fields=changed):
                    continue
                self.event(obj, "changed", diff(before, snapshot(obj, changed)))
            links = relations(obj, spec) if relations is not None else {}
            if links:
                self.event(obj, "relations_changed", links)
            if changed or links:
                counts.updated += 1
            else:
                counts.unchanged += 1
            result[fields[key]] = obj
        self.check_problems()
        return result

    def remove_unlisted(
        self,
        *,
        section: str,
        model: type[models.Model],
        key: str,
        keep: Iterable[Any],
        queryset: models.QuerySet | None = None,
    ) -> None:
        """Delete the rows the file no longer lists, unless other records refer to them."""
        counts = self.summary.counts(section)
        rows = queryset if queryset is not None else model._default_manager.all()
        for obj in rows.exclude(**{f"{key}__in": list(keep)}):
            referrers, total = _referrers(obj)
            if total:
                verb = "refers" if total == 1 else "refer"
                self.problems.append(
                    ConfigurationProblem(
                        section,
                        self.section_line(section),
                        f"{model._meta.verbose_name} {getattr(obj, key)!r} ({obj}) is no longer "
                        f"in the file, but {referrers} {verb} to it: keep it in the file, or "
                        "move those records off it first",
                    )
                )
                continue
            # Recorded before the delete, while the row still has its id.
            self.event(obj, "removed", diff(snapshot(obj), {}))
            obj.delete()
            counts.removed += 1

    # -- sections

    def settings(self) -> ServiceSettings:
        values = dataclasses.asdict(self.data.settings)
        counts = self.summary.counts("settings")
        row = ServiceSettings.objects.order_by("pk").first()

        def where(name: str) -> str:
            return _SETTINGS_SOURCE.get(name, name)

        line = self.section_line("council")
        if row is None:
            row = ServiceSettings(**values)
            if self.save(row, path="council", line=line, where=where):
                counts.created += 1
        else:
            changed = [name for name, value in values.items() if getattr(row, name) != value]
            if changed:
                before = snapshot(row, changed)
                for name in changed:
                    setattr(row, name, values[name])
                if self.save(row, path="council", line=line, where=where, update_fields=changed):
                    self.event(row, "changed", diff(before, snapshot(row, changed)))
                    counts.updated += 1
            else:
                counts.unchanged += 1
        self.check_problems()
        # Settings are a single row: any stray extra rows would make reads ambiguous.
        for extra in ServiceSettings.objects.exclude(pk=row.pk):
            self.event(extra, "removed", diff(snapshot(extra), {}))
            extra.delete()
            counts.removed += 1
        return row

    def geography(self) -> None:
        localities = self.upsert(
            section="localities",
            model=Locality,
            key="code",
            specs=self.data.localities,
            values=lambda s: {"code": s.code, "name": s.name},
        )
        self.upsert(
            section="districts",
            model=District,
            key="code",
            specs=self.data.districts,
            values=lambda s: {
                "code": s.code,
                "name": s.name,
                "locality_id": localities[s.locality].pk,
                "postcode_districts": list(s.postcode_districts),
                "latitude": s.latitude,
                "longitude": s.longitude,
            },
        )

    def outcomes(self) -> None:
        letters = self.upsert(
            section="marmot_objectives",
            model=MarmotObjective,
            key="letter",
            specs=self.data.marmot_objectives,
            values=lambda s: {"letter": s.letter, "title": s.title},
        )
        criteria = self.upsert(
            section="tfu_criteria",
            model=TfuCriterion,
            key="number",
            specs=self.data.tfu_criteria,
            values=lambda s: {"number": s.number, "title": s.title},
        )

        def relations(outcome: ServiceOutcome, spec: Any) -> dict[str, list[Any]]:
            changes: dict[str, list[Any]] = {}
            old = sorted(o.letter for o in outcome.marmot_objectives.all())
            if old != sorted(spec.marmot_objectives):
                outcome.marmot_objectives.set([letters[x] for x in spec.marmot_objectives])
                changes["marmot_objectives"] = [old, sorted(spec.marmot_objectives)]
            old = sorted(c.number for c in outcome.tfu_criteria.all())
            if old != sorted(spec.tfu_criteria):
                outcome.tfu_criteria.set([criteria[n] for n in spec.tfu_criteria])
                changes["tfu_criteria"] = [old, sorted(spec.tfu_criteria)]
            return changes

        self.upsert(
            section="outcomes",
            model=ServiceOutcome,
            key="number",
            specs=self.data.outcomes,
            values=lambda s: {"number": s.number, "title": s.title},
            existing=ServiceOutcome.objects.prefetch_related("marmot_objectives", "tfu_criteria"),
            relations=relations,
        )

    def stars(self) -> None:
        if self.data.outcomes_stars is None:
            return
        outcome_ids = dict(ServiceOutcome.objects.values_list("number", "pk"))
        stars = self.upsert(
            section="outcomes_stars",
            model=OutcomesStar,
            key="code",
            specs=self.data.outcomes_stars,
            values=lambda s: {
                "code": s.code,
                "name": s.name,
                "is_default": s.is_default,
                "scale_min": s.scale_min,
                "scale_max": s.scale_max,
                "stages": [{"from": x.low, "to": x.high, "name": x.name} for x in s.stages],
            },
        )
        for spec in self.data.outcomes_stars:
            star = stars[spec.code]
            self.upsert(
                section="star_areas",
                model=StarArea,
                key="code",
                specs=spec.areas,
                values=lambda a, star=star: {
                    "star_id": star.pk,
                    "code": a.code,
                    "name": a.name,
                    "sort_order": a.sort_order,
                    "outcome_id": outcome_ids.get(a.outcome) if a.outcome else None,
                },
                existing=star.areas.all(),
            )
            self.remove_unlisted(
                section="star_areas",
                model=StarArea,
                key="code",
                keep=[a.code for a in spec.areas],
                queryset=star.areas.all(),
            )
        self.remove_unlisted(
            section="outcomes_stars",
            model=OutcomesStar,
            key="code",
            keep=[s.code for s in self.data.outcomes_stars],
        )

    def reference_data(self) -> None:
        self.upsert(
            section="need_levels",
            model=NeedLevel,
            key="level",
            specs=self.data.need_levels,
            values=lambda s: {"level": s.level, "name": s.name, "description": s.description},
        )
        self.upsert(
            section="case_types",
            model=CaseType,
            key="code",
            specs=self.data.case_types,
            values=lambda s: {
                "code": s.code,
                "name": s.name,
                "visit_every_weeks": s.visit_every_weeks,
                "weeks_of_support": s.weeks_of_support,
                "slots_per_cycle": s.slots_per_cycle,
                "cycles_per_year": s.cycles_per_year,
                "demand_share": s.demand_share,
                "sort_order": s.sort_order,
            },
        )
        self.upsert(
            section="target_groups",
            model=TargetGroup,
            key="code",
            specs=self.data.target_groups,
            values=lambda s: {"code": s.code, "name": s.name, "sort_order": s.sort_order},
        )
        self.upsert(
            section="closure_days",
            model=ClosureDay,
            key="date",
            specs=self.data.closure_days,
            values=lambda s: {"date": s.date, "reason": s.reason},
        )

    def specialisms(self) -> None:
        if self.data.specialisms is None:
            return
        groups = {g.code: g for g in TargetGroup.objects.all()}

        def relations(specialism: Specialism, spec: Any) -> dict[str, list[Any]]:
            old = sorted(g.code for g in specialism.target_groups.all())
            if old == sorted(spec.target_groups):
                return {}
            specialism.target_groups.set([groups[code] for code in spec.target_groups])
            return {"target_groups": [old, sorted(spec.target_groups)]}

        self.upsert(
            section="specialisms",
            model=Specialism,
            key="code",
            specs=self.data.specialisms,
            values=lambda s: {
                "code": s.code,
                "name": s.name,
                "min_age": s.min_age,
                "max_age": s.max_age,
                "matches_send": s.matches_send,
                "sort_order": s.sort_order,
            },
            existing=Specialism.objects.prefetch_related("target_groups"),
            relations=relations,
        )
        self.remove_unlisted(
            section="specialisms",
            model=Specialism,
            key="code",
            keep=[s.code for s in self.data.specialisms],
        )

    def removals(self) -> None:
        for section, model, key in _REMOVAL_ORDER:
            keep = [getattr(spec, key) for spec in getattr(self.data, section)]
            self.remove_unlisted(section=section, model=model, key=key, keep=keep)
        self.check_problems()


# Dependants first: an outcome before the objectives it links, a district before its
# locality. (Section in the file, model, natural key.)
_REMOVAL_ORDER: tuple[tuple[str, type[models.Model], str], ...] = (
    ("outcomes", ServiceOutcome, "number"),
    ("marmot_objectives", MarmotObjective, "letter"),
    ("tfu_criteria", TfuCriterion, "number"),
    ("need_levels", NeedLevel, "level"),
    ("case_types", CaseType, "code"),
    ("target_groups", TargetGroup, "code"),
    ("districts", District, "code"),
    ("localities", Locality, "code"),
    ("closure_days", ClosureDay, "date"),
)


def _referrers(obj: models.Model) -> tuple[str, int]:
    """The records outside the configuration that deleting obj would delete, change or be
    blocked by ("2 teams and 40 families"), and how many; none when obj can go alone."""
    collector = Collector(using=router.db_for_write(type(obj), instance=obj), origin=obj)
    found: Counter[type[models.Model]] = Counter()

    def add(model: type[models.Model], count: int, *, blocking: bool = False) -> None:
        # A many-to-many link row stands for the record that holds the link.
        owner = model._meta.auto_created or model
        # Configuration rows that would go with obj (its own link rows) are part of the
        # file; anything else, or anything that blocks the delete, keeps obj in place.
        if count and (blocking or owner._meta.app_label != "configuration"):
            found[owner] += count

    try:
        collector.collect([obj])
    except ProtectedError as exc:
        for item in exc.protected_objects:
            add(type(item), 1, blocking=True)
    except RestrictedError as exc:
        for item in exc.restricted_objects:
            add(type(item), 1, blocking=True)
    else:
        for model, instances in collector.data.items():
            add(model, len(instances))
        for queryset in collector.fast_deletes:
            add(queryset.model, queryset.count())
        for (related_field, _value), targets in collector.field_updates.items():
            for target in targets:
                count = target.count() if isinstance(target, models.QuerySet) else len(target)
                add(related_field.model, count)
    parts = [
        f"{n} {model._meta.verbose_name if n == 1 else model._meta.verbose_name_plural}"
        for model, n in sorted(found.items(), key=lambda item: item[0]._meta.label)
    ]
    text = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)
    return text, sum(found.values())


@transaction.atomic
def load_configuration(*, actor, data: Configuration, source: str) -> LoadSummary:
    """Apply a checked configuration in one transaction: rows upserted by natural key,
    rows the file no longer lists removed unless referenced; any problem loads nothing."""
    if actor is not None and not actor.has_perm(PERMISSION):
        raise PermissionDenied("Only a system administrator can load the configuration")
    apply = _Apply(actor=actor, data=data, source=source)
    row = apply.settings()
    apply.geography()
    apply.reference_data()
    apply.outcomes()
    apply.stars()
    # Before the removals: a specialism must let go of a target group the file drops.
    apply.specialisms()
    apply.removals()
    # Closure days may have changed; the receivers clear the cache too, this is belt and
    # braces for the rows a flush or raw SQL may have touched.
    transaction.on_commit(clear_service_calendar_cache)
    record_write(
        actor=actor,
        code=LOADED,
        instance=row,
        details=apply.summary.as_details(),
        source=source,
    )
    return apply.summary
