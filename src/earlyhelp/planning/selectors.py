"""Reads of planning scenarios for pages, the API and exports: every one checks that the
user plans (a refusal is audited) and fetches what it shows in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from earlyhelp.planning import services
from earlyhelp.planning.models import PlanningScenario
from earlyhelp.planning.presentation import comparable, flatten

MAX_COMPARED = 6


def access_planning(*, user, source: str) -> None:
    """Raise PermissionDenied (audited) unless the user plans resources."""
    services.require_planner(actor=user, source=source)


def scenario_list(*, user, source: str) -> QuerySet[PlanningScenario]:
    """Every scenario, the default first then by name, with owner and last editor."""
    access_planning(user=user, source=source)
    services.ensure_default_scenario()
    return PlanningScenario.objects.select_related("owner", "updated_by")


def scenario_get(*, user, scenario_id: int, source: str) -> PlanningScenario:
    """One scenario the user may see; 404 if there is none."""
    access_planning(user=user, source=source)
    services.ensure_default_scenario()
    scenario = (
        PlanningScenario.objects.select_related("owner", "updated_by")
        .filter(pk=scenario_id)
        .first()
    )
    if scenario is None:
        raise Http404("There is no such scenario.")
    return scenario


def scenarios_by_ids(*, user, ids: Sequence[int], source: str) -> list[PlanningScenario]:
    """The scenarios named, in the order named (each once); 404 if one is missing."""
    access_planning(user=user, source=source)
    wanted = list(dict.fromkeys(ids))
    rows = PlanningScenario.objects.select_related("owner", "updated_by").in_bulk(wanted)
    missing = [pk for pk in wanted if pk not in rows]
    if missing:
        raise Http404(f"There is no scenario {missing[0]}.")
    return [rows[pk] for pk in wanted]


@dataclass(frozen=True)
class Comparison:
    """Scenarios side by side: every figure and every input that differs."""

    scenarios: list[PlanningScenario]
    results: list[dict[str, Any]]
    figures: list[dict[str, Any]]
    inputs: list[dict[str, Any]]


def _rows(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    flat = [dict(flatten(value)) for value in values]
    names = list(dict.fromkeys(name for each in flat for name in each))
    rows = []
    for name in names:
        cells = [each.get(name) for each in flat]
        rows.append(
            {"name": name, "values": cells, "differs": len(set(map(comparable, cells))) > 1}
        )
    return rows


def compare(scenarios: Iterable[PlanningScenario]) -> Comparison:
    """Every output figure of each scenario (differences marked) and the inputs that
    differ between them."""
    chosen = list(scenarios)
    results = [services.results_of(row) for row in chosen]
    inputs = [services.complete_inputs(row.inputs) for row in chosen]
    return Comparison(
        scenarios=chosen,
        results=results,
        figures=_rows(results),
        inputs=[row for row in _rows(inputs) if row["differs"]],
    )
