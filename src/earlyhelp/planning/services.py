"""Every change to planning scenarios: one function per action a planner takes, each
permission-checked before its transaction opens (so a refusal stays on the audit log),
atomic, and audited. Inputs are checked by the domain's own reader and model."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from earlyhelp.audit.services import diff, record_denied, record_write
from earlyhelp.core.errors import DomainError
from earlyhelp.domain import simulation as sim
from earlyhelp.domain.resource_model import (
    Scenario,
    ScenarioError,
    default_scenario,
    plan,
    result_as_dict,
    scenario_from_dict,
    scenario_to_dict,
)
from earlyhelp.planning.models import PlanningScenario
from earlyhelp.planning.presentation import (
    comparable,
    flatten,
    label_for_path,
    locate_input,
    plain_numbers,
    value_at,
)

DEFAULT_NAME = "Service specification (default)"
DEFAULT_DESCRIPTION = (
    "The service specification's figures: Appendix C demand, Appendix D centres and "
    "Appendix E budget. It cannot be changed: copy it to try other figures."
)
# A simulation run from a page or the API waits for its answer, so it is kept short.
MAX_WEB_REPLICATIONS = 5
DEFAULT_REPLICATIONS = 5
MAX_STAFFING_LEVELS = 9
# Staffing tried by default, as fractions of the casework FTE the model requires.
DEFAULT_STAFFING_FRACTIONS = (
    Decimal("0.6"),
    Decimal("0.7"),
    Decimal("0.8"),
    Decimal("0.9"),
    Decimal("1.0"),
    Decimal("1.1"),
    Decimal("1.2"),
)
SEED_LIMIT = 2**31
# Replications run in this process: a page's request must not fork the web server.
SIMULATION_PROCESSES = 1
OBJECT_TYPE = "planning.planningscenario"


class InvalidScenario(DomainError):
    """A scenario input is missing or out of range; ``field`` is its dotted input name."""

    status = 422
    title = "A scenario input is not valid"
    rule = "invalid_scenario_input"

    def __init__(self, error: ScenarioError) -> None:
        super().__init__(f"{label_for_path(error.input)} {error.problem}", field=error.input)
        self.input = error.input
        self.problem = error.problem

    def extra(self) -> dict:
        return {"input": self.input, "errors": [{"field": self.input, "message": self.problem}]}


class StaleScenario(DomainError):
    """The scenario changed since the version the change was made to."""

    status = 409
    title = "The scenario has changed"
    rule = "stale_scenario_version"

    def __init__(self, *, scenario: PlanningScenario, submitted: Mapping[str, Any] | None):
        super().__init__(
            f"{scenario.updated_by or 'Someone'} saved a newer version of this scenario "
            f"(version {scenario.version}) after you opened it. Check the differences "
            "and save again to keep yours.",
            field="version",
        )
        self.scenario = scenario
        self.current_version = scenario.version
        self.differences = (
            input_differences(scenario.inputs, submitted) if submitted is not None else []
        )

    def extra(self) -> dict:
        return {
            "current_version": self.current_version,
            "differences": plain_numbers(self.differences),
        }


class DefaultScenarioIsReadOnly(DomainError):
    status = 409
    title = "The default scenario cannot be changed"
    rule = "default_scenario_read_only"


# ------------------------------------------------------------------ inputs and figures


def _path_value(data: Any, path: Sequence[str]) -> tuple[bool, Any]:
    node = data
    for part in path:
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False, None
    return True, node


def complete_inputs(data: Mapping[str, Any]) -> dict[str, Any]:
    """Stored inputs as the domain reads them today: an input the model has gained since
    they were saved takes the seed's value; then the domain's own plain form."""
    working = copy.deepcopy(dict(data))
    defaults = scenario_to_dict(default_scenario())
    for _ in range(len(list(flatten(defaults))) + 1):
        try:
            return scenario_to_dict(scenario_from_dict(working))
        except ScenarioError as error:
            path = error.input.split(".")
            found, value = _path_value(defaults, path)
            parent_found, parent = _path_value(working, path[:-1])
            missing = error.problem == "is missing" and found and parent_found
            if not (missing and isinstance(parent, dict)):
                raise
            parent[path[-1]] = copy.deepcopy(value)
    raise ScenarioError("scenario", "cannot be completed from the default")


def validated_inputs(data: object) -> dict[str, Any]:
    """Inputs the model accepts, in its plain form; InvalidScenario naming the input
    if it refuses them (read by the domain, then every figure worked out)."""
    try:
        scenario = scenario_from_dict(data)
        plan(scenario)
    except ScenarioError as error:
        # A rule may name an input by its column (case_types.share_percent.L3): where it
        # is one input of the data, it is named as written (case_types.L3.share_percent).
        located = locate_input(data, error.input)
        found, value = value_at(data, located.split("."))
        if found and located != error.input and not isinstance(value, Mapping | list):
            error = ScenarioError(located, error.problem)
        raise InvalidScenario(error) from error
    return scenario_to_dict(scenario)


def scenario_of(row: PlanningScenario) -> Scenario:
    """The domain scenario a stored one holds."""
    return scenario_from_dict(complete_inputs(row.inputs))


def results_of(row: PlanningScenario) -> dict[str, Any]:
    """The model's figures for a stored scenario, rounded as the domain gives them."""
    return result_as_dict(plan(scenario_of(row)))


def input_differences(
    saved: Mapping[str, Any], submitted: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Inputs whose saved value differs from the submitted one, by dotted name."""
    before = dict(flatten(saved))
    after = dict(flatten(submitted))
    return [
        {"input": name, "saved": before.get(name), "submitted": after.get(name)}
        for name in dict.fromkeys([*before, *after])
        if comparable(before.get(name)) != comparable(after.get(name))
    ]


# ------------------------------------------------------------------ authorisation


def _refuse(*, actor, scenario_id: int | str, source: str, message: str) -> None:
    record_denied(actor=actor, object_type=OBJECT_TYPE, object_id=scenario_id, source=source)
    raise PermissionDenied(message)


def require_planner(*, actor, source: str) -> None:
    if not actor.has_perm("planning.plan"):
        _refuse(
            actor=actor,
            scenario_id="",
            source=source,
            message="Only the head of service and locality managers plan resources.",
        )


def editable_scenario(*, actor, scenario_id: int, source: str) -> PlanningScenario:
    """The scenario this actor may change: 404 if missing, 409 if it is the default,
    403 (audited) if someone else's."""
    require_planner(actor=actor, source=source)
    scenario = PlanningScenario.objects.filter(pk=scenario_id).first()
    if scenario is None:
        raise Http404("There is no such scenario.")
    if scenario.is_default:
        raise DefaultScenarioIsReadOnly(
            "The default scenario holds the service specification's figures and cannot "
            "be changed. Copy it to try other figures.",
            field="inputs",
        )
    if not actor.has_perm("planning.edit_scenario", scenario):
        _refuse(
            actor=actor,
            scenario_id=scenario_id,
            source=source,
            message="Only the scenario's owner or the head of service can change it.",
        )
    return scenario


def _visible(*, actor, scenario_id: int, source: str) -> PlanningScenario:
    require_planner(actor=actor, source=source)
    scenario = PlanningScenario.objects.filter(pk=scenario_id).first()
    if scenario is None:
        raise Http404("There is no such scenario.")
    return scenario


def _snapshot(row: PlanningScenario) -> dict[str, Any]:
    return {
        "name": row.name,
        "description": row.description,
        "version": row.version,
        **{f"inputs.{name}": str(value) for name, value in flatten(row.inputs)},
    }


# ------------------------------------------------------------------ actions


def ensure_default_scenario() -> PlanningScenario:
    """The seed's scenario, made on first use and kept equal to the domain's default
    (an input the model gains appears in it too)."""
    inputs = scenario_to_dict(default_scenario())
    row = PlanningScenario.objects.filter(is_default=True).first()
    if row is not None and row.inputs == inputs:
        return row
    try:
        with transaction.atomic():
            if row is None:
                row = PlanningScenario(
                    name=DEFAULT_NAME,
                    description=DEFAULT_DESCRIPTION,
                    inputs=inputs,
                    is_default=True,
                )
                row.save()
                record_write(actor=None, code="planning_scenario.default_created", instance=row)
            else:
                before = _snapshot(row)
                PlanningScenario.objects.filter(pk=row.pk).update(
                    inputs=inputs,
                    version=F("version") + 1,
                    simulation=None,
                    simulated_at=None,
                    simulation_replications=None,
                    simulation_seed=None,
                    updated_at=timezone.now(),
                )
                row.refresh_from_db()
                record_write(
                    actor=None,
                    code="planning_scenario.default_updated",
                    instance=row,
                    changes=diff(before, _snapshot(row)),
                )
    except IntegrityError:
        # Another request made it first.
        row = PlanningScenario.objects.get(is_default=True)
    return row


def create_scenario(
    *,
    actor,
    name: str,
    description: str = "",
    inputs: Mapping[str, Any] | None = None,
    source: str = "",
) -> PlanningScenario:
    """Make a planner's new scenario: the given inputs, or the seed's if none."""
    require_planner(actor=actor, source=source)
    if not actor.has_perm("planning.add_planningscenario"):
        _refuse(actor=actor, scenario_id="", source=source, message="You cannot add scenarios.")
    return _create(
        actor=actor,
        name=name,
        description=description,
        inputs=validated_inputs(
            dict(inputs) if inputs is not None else scenario_to_dict(default_scenario())
        ),
        source=source,
        code="planning_scenario.created",
        details={},
    )


@transaction.atomic
def _create(
    *,
    actor,
    name: str,
    description: str,
    inputs: dict[str, Any],
    source: str,
    code: str,
    details: dict[str, Any],
    simulation_from: PlanningScenario | None = None,
) -> PlanningScenario:
    row = PlanningScenario(
        name=name.strip(),
        description=description.strip(),
        inputs=inputs,
        owner=actor,
        updated_by=actor,
    )
    if simulation_from is not None and simulation_from.simulation is not None:
        row.simulation = simulation_from.simulation
        row.simulated_at = simulation_from.simulated_at
        row.simulation_replications = simulation_from.simulation_replications
        row.simulation_seed = simulation_from.simulation_seed
    row.full_clean()
    row.save()
    record_write(
        actor=actor,
        code=code,
        instance=row,
        changes=diff({}, _snapshot(row)),
        details=details,
        source=source,
    )
    return row


def copy_scenario(
    *, actor, scenario_id: int, name: str, description: str | None = None, source: str = ""
) -> PlanningScenario:
    """A new scenario of the planner's own with another's inputs (and its simulation)."""
    original = _visible(actor=actor, scenario_id=scenario_id, source=source)
    if not actor.has_perm("planning.add_planningscenario"):
        _refuse(
            actor=actor, scenario_id=scenario_id, source=source, message="You cannot add scenarios."
        )
    return _create(
        actor=actor,
        name=name,
        description=original.description if description is None else description,
        inputs=complete_inputs(original.inputs),
        source=source,
        code="planning_scenario.copied",
        details={"copied_from": original.pk, "copied_from_version": original.version},
        simulation_from=original,
    )


def _check_version(row: PlanningScenario, version: int, submitted: Mapping | None) -> None:
    if row.version != version:
        raise StaleScenario(scenario=row, submitted=submitted)


def update_scenario_inputs(
    *, actor, scenario_id: int, inputs: Mapping[str, Any], version: int, source: str = ""
) -> PlanningScenario:
    """Save new inputs over version ``version``: refused if someone saved since, or if
    the model does not accept them (naming the input). The simulation is cleared, as it
    no longer describes the inputs."""
    editable_scenario(actor=actor, scenario_id=scenario_id, source=source)
    return _save_inputs(
        actor=actor, scenario_id=scenario_id, inputs=inputs, version=version, source=source
    )


@transaction.atomic
def _save_inputs(
    *, actor, scenario_id: int, inputs: Mapping[str, Any], version: int, source: str
) -> PlanningScenario:
    row = (
        PlanningScenario.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .get(pk=scenario_id)
    )
    _check_version(row, version, inputs)
    cleaned = validated_inputs(dict(inputs))
    before = _snapshot(row)
    # The version in the WHERE clause makes the check and the write one step, even
    # where the database has no row locks (SQLite).
    updated = PlanningScenario.objects.filter(pk=row.pk, version=version).update(
        inputs=cleaned,
        version=F("version") + 1,
        updated_by=actor,
        updated_at=timezone.now(),
        simulation=None,
        simulated_at=None,
        simulation_replications=None,
        simulation_seed=None,
    )
    if updated != 1:
        row.refresh_from_db()
        raise StaleScenario(scenario=row, submitted=inputs)
    row.refresh_from_db()
    record_write(
        actor=actor,
        code="planning_scenario.inputs_changed",
        instance=row,
        changes=diff(before, _snapshot(row)),
        source=source,
    )
    return row


def describe_scenario(
    *, actor, scenario_id: int, name: str, description: str, version: int, source: str = ""
) -> PlanningScenario:
    """Rename a scenario or change its description."""
    editable_scenario(actor=actor, scenario_id=scenario_id, source=source)
    return _describe(
        actor=actor,
        scenario_id=scenario_id,
        name=name,
        description=description,
        version=version,
        source=source,
    )


@transaction.atomic
def _describe(
    *, actor, scenario_id: int, name: str, description: str, version: int, source: str
) -> PlanningScenario:
    row = PlanningScenario.objects.select_for_update().get(pk=scenario_id)
    _check_version(row, version, None)
    before = _snapshot(row)
    row.name = name.strip()
    row.description = description.strip()
    row.updated_by = actor
    row.full_clean()
    updated = PlanningScenario.objects.filter(pk=row.pk, version=version).update(
        name=row.name,
        description=row.description,
        updated_by=actor,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if updated != 1:
        row.refresh_from_db()
        raise StaleScenario(scenario=row, submitted=None)
    row.refresh_from_db()
    record_write(
        actor=actor,
        code="planning_scenario.described",
        instance=row,
        changes=diff(before, _snapshot(row)),
        source=source,
    )
    return row


def delete_scenario(*, actor, scenario_id: int, source: str = "") -> None:
    """Delete a scenario (never the default); its inputs stay on the audit log."""
    editable_scenario(actor=actor, scenario_id=scenario_id, source=source)
    _delete(actor=actor, scenario_id=scenario_id, source=source)


@transaction.atomic
def _delete(*, actor, scenario_id: int, source: str) -> None:
    row = PlanningScenario.objects.select_for_update().get(pk=scenario_id)
    record_write(
        actor=actor,
        code="planning_scenario.deleted",
        instance=row,
        changes=diff(_snapshot(row), {}),
        source=source,
    )
    row.delete()


# ------------------------------------------------------------------ simulation


def staffing_levels(scenario: Scenario, fractions: Sequence[Decimal] = DEFAULT_STAFFING_FRACTIONS):
    """Whole numbers of workers around the casework FTE the model requires."""
    required = plan(scenario).casework_fte_required
    levels = {max(1, int((required * fraction).to_integral_value())) for fraction in fractions}
    return sorted(levels)


def _plain_figure(value: Any) -> Any:
    if isinstance(value, sim.ConfidenceInterval):
        return {"mean": value.mean, "low": value.low, "high": value.high}
    return value


def run_simulation(
    scenario: Scenario, *, workers_levels: Sequence[int], replications: int, seed: int
) -> dict[str, Any]:
    """Each staffing level's simulated year (the domain's on_time_by_staffing), as plain
    data: every figure of a level by name, intervals as mean, low and high."""
    levels = sim.on_time_by_staffing(
        scenario,
        workers_levels=list(workers_levels),
        replications=replications,
        seed=seed,
        processes=SIMULATION_PROCESSES,
    )
    simulated = sim.simulation_scenario(scenario)
    return {
        "casework_fte_required": float(plan(scenario).casework_fte_required),
        "allocation_target_days": simulated.allocation_target_days,
        "levels": [
            {
                "workers": level.workers,
                "figures": {
                    name: _plain_figure(getattr(level, name))
                    for name in type(level).__dataclass_fields__
                    if name != "workers"
                },
            }
            for level in levels
        ],
    }


def simulate_scenario(
    *,
    actor,
    scenario_id: int,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int | None = None,
    workers_levels: Sequence[int] | None = None,
    source: str = "",
) -> PlanningScenario:
    """Simulate a service year of the scenario at several staffing levels and keep the
    results with the seed, so that the run can be repeated exactly."""
    row = _visible(actor=actor, scenario_id=scenario_id, source=source)
    if not 1 <= replications <= MAX_WEB_REPLICATIONS:
        raise InvalidScenario(
            ScenarioError("replications", f"must be from 1 to {MAX_WEB_REPLICATIONS}")
        )
    if seed is not None and not 0 <= seed < SEED_LIMIT:
        raise InvalidScenario(ScenarioError("seed", f"must be from 0 to {SEED_LIMIT - 1}"))
    if workers_levels is not None and not (
        1 <= len(workers_levels) <= MAX_STAFFING_LEVELS and all(w >= 1 for w in workers_levels)
    ):
        raise InvalidScenario(
            ScenarioError(
                "workers_levels", f"must be 1 to {MAX_STAFFING_LEVELS} numbers, each at least 1"
            )
        )
    chosen_seed = secrets.randbelow(SEED_LIMIT) if seed is None else seed
    scenario = scenario_of(row)
    levels = sorted(set(workers_levels)) if workers_levels else staffing_levels(scenario)
    try:
        results = run_simulation(
            scenario, workers_levels=levels, replications=replications, seed=chosen_seed
        )
    except ScenarioError as error:
        raise InvalidScenario(error) from error
    return _store_simulation(
        actor=actor,
        row=row,
        results=results,
        replications=replications,
        seed=chosen_seed,
        source=source,
    )


@transaction.atomic
def _store_simulation(
    *, actor, row: PlanningScenario, results: dict, replications: int, seed: int, source: str
) -> PlanningScenario:
    updated = PlanningScenario.objects.filter(pk=row.pk, version=row.version).update(
        simulation=results,
        simulated_at=timezone.now(),
        simulation_replications=replications,
        simulation_seed=seed,
    )
    if updated != 1:
        # The inputs changed while the year was being simulated: these results are
        # about the old ones.
        raise StaleScenario(scenario=PlanningScenario.objects.get(pk=row.pk), submitted=None)
    row.refresh_from_db()
    record_write(
        actor=actor,
        code="planning_scenario.simulated",
        instance=row,
        details={
            "replications": replications,
            "seed": seed,
            "workers_levels": [level["workers"] for level in results["levels"]],
            "version": row.version,
        },
        source=source,
    )
    return row
