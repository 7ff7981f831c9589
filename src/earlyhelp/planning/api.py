"""Resource planning in the JSON API: scenarios (list, create, read, change inputs with
their version, rename, copy, delete), their figures, simulation, comparison and
exports. Errors are problem+json; a refused input is named by its dotted input name
(``case_types.L3.share_percent``) in ``input`` and in ``errors[].field``."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from earlyhelp.core.pagination import Page, paginate
from earlyhelp.planning import exports, selectors, services
from earlyhelp.planning.forms import parse_ids
from earlyhelp.planning.models import PlanningScenario
from earlyhelp.planning.presentation import plain_numbers

router = Router(tags=["Resource planning"])


class ScenarioSummaryOut(Schema):
    id: int
    name: str
    description: str
    owner: str | None
    is_default: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    simulated_at: dt.datetime | None
    can_edit: bool
    casework_fte_required: float
    total_fte: float
    total_cost: float


class ScenarioOut(ScenarioSummaryOut):
    inputs: dict[str, Any]
    results: dict[str, Any]
    simulation: dict[str, Any] | None
    simulation_replications: int | None
    simulation_seed: int | None


class ScenarioIn(Schema):
    name: str
    description: str = ""
    inputs: dict[str, Any] | None = None


class InputsIn(Schema):
    version: int
    inputs: dict[str, Any]


class DetailsIn(Schema):
    version: int
    name: str
    description: str = ""


class CopyIn(Schema):
    name: str
    description: str | None = None


class SimulateIn(Schema):
    replications: int = services.DEFAULT_REPLICATIONS
    seed: int | None = None
    workers_levels: list[int] | None = None


class FigureRow(Schema):
    name: str
    values: list[Any]
    differs: bool


class ComparisonOut(Schema):
    scenarios: list[ScenarioSummaryOut]
    figures: list[FigureRow]
    inputs_that_differ: list[FigureRow]


def _summary(row: PlanningScenario, user, results: dict[str, Any] | None = None) -> dict:
    results = results if results is not None else services.results_of(row)
    return {
        "id": row.pk,
        "name": row.name,
        "description": row.description,
        "owner": (row.owner.get_full_name() or row.owner.email) if row.owner_id else None,
        "is_default": row.is_default,
        "version": row.version,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "simulated_at": row.simulated_at,
        "can_edit": user.has_perm("planning.edit_scenario", row),
        "casework_fte_required": float(results["casework_fte_required"]),
        "total_fte": float(results["total_fte"]),
        "total_cost": float(results["total_cost"]),
    }


def _detail(row: PlanningScenario, user) -> dict:
    results = services.results_of(row)
    return {
        **_summary(row, user, results),
        "inputs": plain_numbers(services.complete_inputs(row.inputs)),
        "results": plain_numbers(results),
        "simulation": plain_numbers(row.simulation) if row.simulation else None,
        "simulation_replications": row.simulation_replications,
        "simulation_seed": row.simulation_seed,
    }


def _source(request) -> str:
    return f"API {request.method} {request.path}"


def _get(request, scenario_id: int) -> PlanningScenario:
    return selectors.scenario_get(
        user=request.auth, scenario_id=scenario_id, source=_source(request)
    )


@router.get("/scenarios", response=Page[ScenarioSummaryOut], summary="Planning scenarios")
def list_scenarios(request, page: int = 1):
    """Every scenario, the default (the service specification's figures) first, 50 a
    page, with its headline figures. Head of service and locality managers only."""
    rows = selectors.scenario_list(user=request.auth, source=_source(request))
    return paginate(rows, page, lambda row: _summary(row, request.auth))


@router.post("/scenarios", response={201: ScenarioOut}, summary="Create a scenario")
def create_scenario(request, payload: ScenarioIn):
    """A new scenario of yours: the given inputs (the shape `GET /scenarios/{id}` gives
    in `inputs`), or the default scenario's when `inputs` is left out."""
    row = services.create_scenario(
        actor=request.auth,
        name=payload.name,
        description=payload.description,
        inputs=payload.inputs,
        source=_source(request),
    )
    return Status(201, _detail(row, request.auth))


@router.get("/scenarios/compare", response=ComparisonOut, summary="Compare scenarios")
def compare_scenarios(request, ids: list[str] = Query(...)):  # noqa: B008
    """Two to six scenarios side by side (`ids=1,2` or `ids=1&ids=2`): every figure with
    `differs` marked, and the inputs that differ."""
    chosen = _compared(request, ids)
    comparison = selectors.compare(chosen)
    return {
        "scenarios": [_summary(row, request.auth) for row in chosen],
        "figures": plain_numbers(comparison.figures),
        "inputs_that_differ": plain_numbers(comparison.inputs),
    }


def _compared(request, ids: list[str]) -> list[PlanningScenario]:
    selectors.access_planning(user=request.auth, source=_source(request))
    try:
        wanted = parse_ids(ids)
    except ValidationError as error:
        raise HttpError(422, error.messages[0]) from error
    if not 2 <= len(wanted) <= selectors.MAX_COMPARED:
        raise HttpError(422, f"Give from 2 to {selectors.MAX_COMPARED} scenario ids to compare.")
    return selectors.scenarios_by_ids(user=request.auth, ids=wanted, source=_source(request))


@router.get("/scenarios/compare/export", summary="Export a comparison")
def export_comparison(
    request,
    ids: list[str] = Query(...),  # noqa: B008
    format: Literal["xlsx", "csv"] = "xlsx",
):
    """The comparison as XLSX (sheets Inputs and Results) or CSV (section, name, then a
    column per scenario)."""
    comparison = selectors.compare(_compared(request, ids))
    if format == "xlsx":
        content: bytes | str = exports.comparison_xlsx(comparison)
    else:
        content = exports.comparison_csv(comparison)
    return _download(content, "comparison", format)


@router.get("/scenarios/{scenario_id}", response=ScenarioOut, summary="A scenario")
def get_scenario(request, scenario_id: int):
    """A scenario with its inputs, its figures and its last simulation."""
    return _detail(_get(request, scenario_id), request.auth)


@router.get("/scenarios/{scenario_id}/results", summary="A scenario's figures")
def get_results(request, scenario_id: int) -> dict[str, Any]:
    """The resource model's figures for the scenario, named as `manage.py plan
    --format json` names them."""
    return plain_numbers(services.results_of(_get(request, scenario_id)))


@router.put("/scenarios/{scenario_id}/inputs", response=ScenarioOut, summary="Change inputs")
def update_inputs(request, scenario_id: int, payload: InputsIn):
    """Replace the scenario's inputs. `version` is the version you read: if someone has
    saved since, the answer is 409 with `current_version` and the `differences`."""
    row = services.update_scenario_inputs(
        actor=request.auth,
        scenario_id=scenario_id,
        inputs=payload.inputs,
        version=payload.version,
        source=_source(request),
    )
    return _detail(row, request.auth)


@router.patch("/scenarios/{scenario_id}", response=ScenarioOut, summary="Rename a scenario")
def update_details(request, scenario_id: int, payload: DetailsIn):
    """Change the scenario's name and description (with the version you read)."""
    row = services.describe_scenario(
        actor=request.auth,
        scenario_id=scenario_id,
        name=payload.name,
        description=payload.description,
        version=payload.version,
        source=_source(request),
    )
    return _detail(row, request.auth)


@router.post("/scenarios/{scenario_id}/copy", response={201: ScenarioOut}, summary="Copy")
def copy_scenario(request, scenario_id: int, payload: CopyIn):
    """A copy of any scenario (the default too), owned by you."""
    row = services.copy_scenario(
        actor=request.auth,
        scenario_id=scenario_id,
        name=payload.name,
        description=payload.description,
        source=_source(request),
    )
    return Status(201, _detail(row, request.auth))


@router.delete("/scenarios/{scenario_id}", response={204: None}, summary="Delete a scenario")
def delete_scenario(request, scenario_id: int):
    """Delete a scenario of yours (the head of service: any but the default)."""
    services.delete_scenario(actor=request.auth, scenario_id=scenario_id, source=_source(request))
    return Status(204, None)


@router.post("/scenarios/{scenario_id}/simulate", response=ScenarioOut, summary="Simulate")
def simulate(request, scenario_id: int, payload: SimulateIn):
    """Simulate the scenario's service year at several numbers of key workers (by default
    60% to 120% of the casework FTE required), `replications` years each (1 to 5), from
    `seed` (a new one if left out; it is kept with the results)."""
    row = services.simulate_scenario(
        actor=request.auth,
        scenario_id=scenario_id,
        replications=payload.replications,
        seed=payload.seed,
        workers_levels=payload.workers_levels,
        source=_source(request),
    )
    return _detail(row, request.auth)


@router.get("/scenarios/{scenario_id}/export", summary="Export a scenario")
def export_scenario(
    request,
    scenario_id: int,
    format: Literal["xlsx", "csv"] = "xlsx",
):
    """Inputs, figures and simulation as XLSX (sheets Inputs, Results, Simulation) or CSV
    (section, name, value)."""
    row = _get(request, scenario_id)
    content = exports.scenario_xlsx(row) if format == "xlsx" else exports.scenario_csv(row)
    return _download(content, row.name, format)


def _download(content: bytes | str, name: str, fmt: str) -> HttpResponse:
    content_type = exports.XLSX_CONTENT_TYPE if fmt == "xlsx" else exports.CSV_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(name, fmt)}"'
    return response
