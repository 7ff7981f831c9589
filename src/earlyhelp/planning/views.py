"""Resource planning pages: the scenarios, one scenario's figures and charts, its inputs
form (generated from the scenario's shape), copy, rename, delete, simulation, compare
and exports. Views parse and authorise through selectors; services make the changes."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from earlyhelp.core.forms import error_summary_items
from earlyhelp.planning import charts, exports, selectors, services
from earlyhelp.planning.forms import (
    RenameForm,
    ScenarioDetailsForm,
    ScenarioFileForm,
    ScenarioInputsForm,
    SimulateForm,
    parse_ids,
)
from earlyhelp.planning.models import PlanningScenario
from earlyhelp.planning.presentation import (
    format_value,
    label_for,
    label_for_path,
    plain_numbers,
    result_sections,
)

PAGE_SIZE = 50


def _can_edit(user, scenario: PlanningScenario) -> bool:
    return user.has_perm("planning.edit_scenario", scenario)


def _refuse_default(request, scenario: PlanningScenario):
    """The default scenario is never changed: the planner is offered a copy instead."""
    if not scenario.is_default:
        return None
    messages.info(request, "The default scenario cannot be changed. Copy it to change it.")
    return redirect("planning:copy", scenario_id=scenario.pk)


@login_required
@require_GET
def scenario_list(request):
    """Every scenario, with its headline figures, to open or choose for comparison."""
    scenarios = selectors.scenario_list(user=request.user, source=request.path)
    page = Paginator(scenarios, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for scenario in page.object_list:
        results = services.results_of(scenario)
        rows.append(
            {
                "scenario": scenario,
                "casework_fte": format_value(results["casework_fte_required"]),
                "total_fte": format_value(results["total_fte"]),
                "total_cost": format_value(results["total_cost"], name="total_cost"),
            }
        )
    return render(
        request,
        "planning/list.html",
        {
            "page": page,
            "rows": rows,
            "can_add": request.user.has_perm("planning.add_planningscenario"),
        },
    )


def _figure_charts(results: dict[str, Any]) -> list[dict[str, Any]]:
    made = []
    by_type = results.get("casework_fte_by_case_type") or {}
    if by_type:
        made.append(
            {
                "id": "chart-fte-by-case-type",
                "title": "Casework FTE by case type",
                "svg": charts.bar_chart(
                    chart_id="chart-fte-by-case-type",
                    title="Casework FTE by case type",
                    description="Bar chart of the key-worker FTE each case type needs; "
                    "the table after it gives the same figures.",
                    bars=[(label_for(k), v) for k, v in by_type.items()],
                ),
                "columns": ["Case type", "Casework FTE"],
                "rows": [[label_for(k), format_value(v)] for k, v in by_type.items()],
            }
        )
    budget = results.get("budget") or {}
    if budget:
        made.append(
            {
                "id": "chart-budget-by-grade",
                "title": "Budget by grade",
                "svg": charts.bar_chart(
                    chart_id="chart-budget-by-grade",
                    title="Budget by grade",
                    description="Bar chart of the yearly cost of the posts at each grade; "
                    "the table after it gives the same figures.",
                    bars=[(grade, line["cost"]) for grade, line in budget.items()],
                    value_name="cost",
                ),
                "columns": ["Grade", "FTE", "Cost"],
                "rows": [
                    [grade, format_value(line["fte"]), format_value(line["cost"], name="cost")]
                    for grade, line in budget.items()
                ],
            }
        )
    return made


def _share(value: Any) -> str:
    return f"{min(1.0, max(0.0, float(value))):.1%}"


def _simulation_view(scenario: PlanningScenario) -> dict[str, Any] | None:
    simulation = scenario.simulation
    if not simulation or not simulation.get("levels"):
        return None
    rows = []
    for level in simulation["levels"]:
        figures = level["figures"]
        on_time = figures["share_allocated_on_time"]
        rows.append(
            [
                format_value(level["workers"]),
                f"{float(on_time['mean']):.1%}",
                # A share cannot leave 0-100%, though a t interval of few years can.
                f"{_share(on_time['low'])} to {_share(on_time['high'])}",
                format_value(figures.get("mean_wait_days", {}).get("mean")),
                format_value(figures.get("p95_wait_days", {}).get("mean")),
                f"{float(figures.get('utilisation', {}).get('mean', 0)):.1%}",
            ]
        )
    return {
        "id": "chart-on-time-by-fte",
        "title": "Share allocated on time against key-worker FTE",
        "svg": charts.on_time_chart(
            chart_id="chart-on-time-by-fte",
            title="Share allocated on time against key-worker FTE",
            description=(
                "Each point is the mean share of requests allocated within "
                f"{format_value(simulation.get('allocation_target_days'))} working days at "
                "one staffing level, with its 95% confidence interval as a vertical line; "
                "the dashed line marks the casework FTE the model requires. The table "
                "after it gives the same figures."
            ),
            simulation=simulation,
        ),
        "columns": [
            "Key workers (FTE)",
            "Allocated on time",
            "95% confidence interval",
            "Mean wait (working days)",
            "95th percentile wait (working days)",
            "Utilisation",
        ],
        "rows": rows,
    }


def _detail_context(request, scenario: PlanningScenario, simulate_form=None) -> dict[str, Any]:
    results = services.results_of(scenario)
    return {
        "scenario": scenario,
        "sections": result_sections(results),
        "charts": _figure_charts(results),
        "simulation": _simulation_view(scenario),
        "simulate_form": simulate_form or SimulateForm(),
        "can_edit": _can_edit(request.user, scenario),
        "can_add": request.user.has_perm("planning.add_planningscenario"),
        "error_summary": error_summary_items(simulate_form) if simulate_form else [],
    }


@login_required
@require_GET
def scenario_detail(request, scenario_id: int):
    """A scenario's figures, charts and simulation."""
    scenario = selectors.scenario_get(
        user=request.user, scenario_id=scenario_id, source=request.path
    )
    return render(request, "planning/detail.html", _detail_context(request, scenario))


@login_required
def scenario_new(request):
    """Start a scenario from the service specification's figures."""
    selectors.access_planning(user=request.user, source=request.path)
    form = ScenarioDetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = services.create_scenario(
                actor=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                source=request.path,
            )
        except ValidationError as error:
            _add_validation_errors(form, error)
        else:
            messages.success(request, f'Scenario "{scenario.name}" created from the default.')
            return redirect("planning:edit", scenario_id=scenario.pk)
    return render(
        request,
        "planning/details_form.html",
        {"form": form, "title": "New scenario", "button": "Create scenario", "scenario": None},
    )


def _add_validation_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages_:
                form.add_error(target, message)
    else:
        form.add_error(None, error)


@login_required
def scenario_copy(request, scenario_id: int):
    """Copy a scenario (the default, or any other) to change it."""
    original = selectors.scenario_get(
        user=request.user, scenario_id=scenario_id, source=request.path
    )
    form = ScenarioDetailsForm(
        request.POST or None,
        initial={"name": f"Copy of {original.name}"[:120], "description": original.description},
    )
    if request.method == "POST" and form.is_valid():
        try:
            copied = services.copy_scenario(
                actor=request.user,
                scenario_id=original.pk,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                source=request.path,
            )
        except ValidationError as error:
            _add_validation_errors(form, error)
        else:
            messages.success(request, f'Scenario "{copied.name}" copied from "{original.name}".')
            return redirect("planning:detail", scenario_id=copied.pk)
    return render(
        request,
        "planning/details_form.html",
        {
            "form": form,
            "title": f'Copy "{original.name}"',
            "button": "Copy scenario",
            "scenario": original,
        },
    )


@login_required
def scenario_rename(request, scenario_id: int):
    """Change a scenario's name or description."""
    scenario = selectors.scenario_get(
        user=request.user, scenario_id=scenario_id, source=request.path
    )
    if (refusal := _refuse_default(request, scenario)) is not None:
        return refusal
    if request.method == "GET":
        services.editable_scenario(actor=request.user, scenario_id=scenario.pk, source=request.path)
    form = RenameForm(
        request.POST or None,
        initial={
            "name": scenario.name,
            "description": scenario.description,
            "version": scenario.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.describe_scenario(
                actor=request.user,
                scenario_id=scenario.pk,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                version=form.cleaned_data["version"],
                source=request.path,
            )
        except services.StaleScenario as error:
            form.add_error(None, error.message)
            form.data = form.data.copy()
            form.data["version"] = str(error.current_version)
        except ValidationError as error:
            _add_validation_errors(form, error)
        else:
            messages.success(request, "Scenario details saved.")
            return redirect("planning:detail", scenario_id=scenario.pk)
    return render(
        request,
        "planning/details_form.html",
        {
            "form": form,
            "title": f'Rename "{scenario.name}"',
            "button": "Save details",
            "scenario": scenario,
        },
    )


@login_required
def scenario_edit(request, scenario_id: int):
    """Change a scenario's inputs: every input of the model, as its scenario holds them."""
    scenario = selectors.scenario_get(
        user=request.user, scenario_id=scenario_id, source=request.path
    )
    if (refusal := _refuse_default(request, scenario)) is not None:
        return refusal
    if request.method == "GET":
        services.editable_scenario(actor=request.user, scenario_id=scenario.pk, source=request.path)
    inputs = services.complete_inputs(scenario.inputs)
    form = ScenarioInputsForm(
        request.POST if request.method == "POST" else None,
        inputs=inputs,
        version=scenario.version,
    )
    differences: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.update_scenario_inputs(
                actor=request.user,
                scenario_id=scenario.pk,
                inputs=form.submitted_inputs(),
                version=form.cleaned_data["version"],
                source=request.path,
            )
        except services.InvalidScenario as error:
            form.add_input_error(error.input, error.message)
        except services.StaleScenario as error:
            form.add_error(None, error.message)
            differences = _stale_differences(error)
            # Saving again now overwrites the newer version on purpose.
            form.data = form.data.copy()
            form.data["version"] = str(error.current_version)
        else:
            messages.success(request, "Inputs saved. The figures below are worked out from them.")
            return redirect("planning:detail", scenario_id=scenario.pk)
    form.annotate()
    return render(
        request,
        "planning/edit.html",
        {
            "scenario": scenario,
            "form": form,
            "error_summary": form.error_items() if form.is_bound else [],
            "differences": differences,
        },
    )


def _stale_differences(error: services.StaleScenario) -> list[dict[str, str]]:
    return [
        {
            "label": label_for_path(item["input"]),
            "saved": format_value(item["saved"], name=item["input"]),
            "submitted": format_value(item["submitted"], name=item["input"]),
        }
        for item in error.differences
    ]


@login_required
def scenario_edit_file(request, scenario_id: int):
    """Change a scenario as its JSON scenario file: any input, any shape."""
    scenario = selectors.scenario_get(
        user=request.user, scenario_id=scenario_id, source=request.path
    )
    if (refusal := _refuse_default(request, scenario)) is not None:
        return refusal
    if request.method == "GET":
        services.editable_scenario(actor=request.user, scenario_id=scenario.pk, source=request.path)
    form = ScenarioFileForm(
        request.POST or None,
        initial={
            "version": scenario.version,
            "text": json.dumps(plain_numbers(services.complete_inputs(scenario.inputs)), indent=2),
        },
    )
    differences: list[dict[str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.update_scenario_inputs(
                actor=request.user,
                scenario_id=scenario.pk,
                inputs=form.cleaned_data["text"],
                version=form.cleaned_data["version"],
                source=request.path,
            )
        except services.InvalidScenario as error:
            form.add_error("text", f"{error.input}: {error.problem}")
        except services.StaleScenario as error:
            form.add_error(None, error.message)
            differences = _stale_differences(error)
            form.data = form.data.copy()
            form.data["version"] = str(error.current_version)
        else:
            messages.success(
                request, "Scenario file saved. The figures below are worked out from it."
            )
            return redirect("planning:detail", scenario_id=scenario.pk)
    return render(
        request,
        "planning/edit_file.html",
        {"scenario": scenario, "form": form, "differences": differences},
    )


@login_required
def scenario_delete(request, scenario_id: int):
    """Confirm, then delete a scenario."""
    scenario = selectors.scenario_get(
        user=request.user, scenario_id=scenario_id, source=request.path
    )
    if (refusal := _refuse_default(request, scenario)) is not None:
        return refusal
    if request.method == "POST":
        services.delete_scenario(actor=request.user, scenario_id=scenario.pk, source=request.path)
        messages.success(request, f'Scenario "{scenario.name}" deleted.')
        return redirect("planning:list")
    # The service's refusal (audited) before a confirmation that could not work.
    services.editable_scenario(actor=request.user, scenario_id=scenario.pk, source=request.path)
    return render(request, "planning/delete.html", {"scenario": scenario})


@login_required
@require_POST
def scenario_simulate(request, scenario_id: int):
    """Simulate the scenario's service year at several staffing levels."""
    scenario = selectors.scenario_get(
        user=request.user, scenario_id=scenario_id, source=request.path
    )
    form = SimulateForm(request.POST)
    if form.is_valid():
        try:
            services.simulate_scenario(
                actor=request.user,
                scenario_id=scenario.pk,
                replications=form.cleaned_data["replications"],
                seed=form.cleaned_data["seed"],
                source=request.path,
            )
        except services.InvalidScenario as error:
            form.add_error(None, error.message)
        except services.StaleScenario as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Simulation finished.")
            return redirect(f"{_detail_url(scenario)}#simulation")
    response = render(request, "planning/detail.html", _detail_context(request, scenario, form))
    response.status_code = 422
    return response


def _detail_url(scenario: PlanningScenario) -> str:
    return reverse("planning:detail", kwargs={"scenario_id": scenario.pk})


def _compared(request) -> list[PlanningScenario]:
    try:
        ids = parse_ids(request.GET.getlist("ids"))
    except ValidationError as error:
        raise Http404(error.messages[0]) from error
    return selectors.scenarios_by_ids(user=request.user, ids=ids, source=request.path)


@login_required
@require_GET
def compare(request):
    """Two or more scenarios side by side: every figure, differences marked."""
    selectors.access_planning(user=request.user, source=request.path)
    scenarios = _compared(request)
    if not 2 <= len(scenarios) <= selectors.MAX_COMPARED:
        return render(
            request,
            "planning/compare.html",
            {
                "comparison": None,
                "error_summary": [
                    {
                        "text": f"Choose from 2 to {selectors.MAX_COMPARED} scenarios to compare",
                        "href": "#scenarios",
                    }
                ],
                "choices": selectors.scenario_list(user=request.user, source=request.path),
            },
            status=400 if request.GET.getlist("ids") else 200,
        )
    comparison = selectors.compare(scenarios)
    return render(
        request,
        "planning/compare.html",
        {
            "comparison": comparison,
            "figures": [
                {
                    "label": label_for_path(row["name"]),
                    "name": row["name"],
                    "differs": row["differs"],
                    "values": [format_value(v, name=row["name"]) for v in row["values"]],
                }
                for row in comparison.figures
            ],
            "inputs": [
                {
                    "label": label_for_path(row["name"]),
                    "values": [format_value(v, name=row["name"]) for v in row["values"]],
                }
                for row in comparison.inputs
            ],
            "query": "&".join(f"ids={row.pk}" for row in scenarios),
        },
    )


def _download(content: bytes | str, *, name: str, fmt: str) -> HttpResponse:
    content_type = exports.XLSX_CONTENT_TYPE if fmt == "xlsx" else exports.CSV_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(name, fmt)}"'
    return response


def _format(request) -> str:
    fmt = request.GET.get("format", "xlsx")
    if fmt not in exports.FORMATS:
        raise Http404("Exports are xlsx or csv.")
    return fmt


@login_required
@require_GET
def scenario_export(request, scenario_id: int):
    """The scenario's inputs, figures and simulation as XLSX or CSV."""
    scenario = selectors.scenario_get(
        user=request.user, scenario_id=scenario_id, source=request.path
    )
    fmt = _format(request)
    content = exports.scenario_xlsx(scenario) if fmt == "xlsx" else exports.scenario_csv(scenario)
    return _download(content, name=scenario.name, fmt=fmt)


@login_required
@require_GET
def compare_export(request):
    """A comparison as XLSX or CSV, a column per scenario."""
    selectors.access_planning(user=request.user, source=request.path)
    scenarios = _compared(request)
    if not 2 <= len(scenarios) <= selectors.MAX_COMPARED:
        raise Http404(f"Choose from 2 to {selectors.MAX_COMPARED} scenarios to compare.")
    fmt = _format(request)
    comparison = selectors.compare(scenarios)
    content = (
        exports.comparison_xlsx(comparison) if fmt == "xlsx" else exports.comparison_csv(comparison)
    )
    return _download(content, name="comparison-" + "-".join(s.name for s in scenarios), fmt=fmt)
