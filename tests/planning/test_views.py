"""Planning pages: who may open them, the generated inputs form with errors by the
right input, stale saves, copy, rename, delete, simulation, compare and query counts."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.domain.resource_model import default_scenario, plan, scenario_to_dict
from earlyhelp.planning import services
from earlyhelp.planning.forms import ScenarioInputsForm
from earlyhelp.planning.models import PlanningScenario
from earlyhelp.planning.presentation import flatten, plain_numbers
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(scenario: PlanningScenario, **changes) -> dict[str, str]:
    """The inputs form as a browser posts it, with some inputs changed by dotted name."""
    form = ScenarioInputsForm(inputs=scenario.inputs, version=scenario.version)
    data = {"version": str(scenario.version)}
    for name, path in form.paths.items():
        value = changes.get(path, dict(flatten(scenario.inputs))[path])
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(value)
    return data


def error_next_to(html: str, field_id: str) -> str:
    """The error message shown for a field, found through its aria-describedby."""
    pattern = rf'<p id="{re.escape(field_id)}-error" class="govuk-error-message">(.*?)</p>'
    match = re.search(pattern, html, re.S)
    assert match, f"no error message for {field_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Error:", "").strip()


@pytest.mark.parametrize("role_fixture", ["head", "manager"])
def test_planners_see_the_list_with_the_default_scenario(request, role_fixture):
    user = request.getfixturevalue(role_fixture)

    response = client_for(user).get("/planning/")

    assert response.status_code == 200
    html = response.content.decode()
    assert services.DEFAULT_NAME in html
    assert "£15,135,098" in html
    assert 'href="/planning/"' in html  # the navigation item


def test_others_are_refused_every_page_and_the_refusal_is_audited(key_worker, manager):
    scenario = services.create_scenario(actor=manager, name="Secret plan")
    client = client_for(key_worker)

    for path in [
        "/planning/",
        f"/planning/{scenario.pk}/",
        f"/planning/{scenario.pk}/inputs/",
        f"/planning/{scenario.pk}/export/?format=csv",
        f"/planning/compare/?ids={scenario.pk}",
        "/planning/new/",
    ]:
        assert client.get(path).status_code == 403, path
    assert client.post(f"/planning/{scenario.pk}/simulate/", {"replications": 1}).status_code == 403
    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=key_worker).count() == 7
    assert "Resource planning" not in client.get("/").content.decode()


def test_detail_shows_the_seed_figures_charts_and_their_tables(head):
    default = services.ensure_default_scenario()

    html = client_for(head).get(f"/planning/{default.pk}/").content.decode()

    for text in ["88,500", "174.9", "552.24", "£15,135,098", "452", "224.4"]:
        assert text in html, text
    assert html.count("<svg") == 2
    assert 'role="img"' in html
    assert "Casework FTE by case type: the figures" in html
    assert "Budget by grade: the figures" in html
    assert "style=" not in html
    assert "<style" not in html
    # The default cannot be changed in place: no edit button, but a copy one.
    assert "Change inputs" not in html
    assert "Copy scenario" in html


def test_inputs_form_is_generated_from_the_scenario_shape(manager):
    scenario = services.create_scenario(actor=manager, name="Shape")

    html = client_for(manager).get(f"/planning/{scenario.pk}/inputs/").content.decode()

    # Every input of the scenario has a field named by its dotted input name.
    form = ScenarioInputsForm(inputs=scenario.inputs, version=scenario.version)
    assert set(form.names) == {path for path, _ in flatten(scenario.inputs)}
    for name in form.names.values():
        assert f'name="{name}"' in html, name
    assert 'name="case_types.L3.share_percent"' in html
    assert 'inputmode="decimal"' in html
    assert '<h2 class="govuk-fieldset__heading">Case types</h2>' in html
    assert '<h2 class="govuk-fieldset__heading">Budget by grade</h2>' in html
    assert "Case types, L2A: Share (%)" in html  # a table input's own label
    assert "style=" not in html


def test_a_new_input_of_the_domain_appears_on_the_form_without_code():
    inputs = scenario_to_dict(default_scenario())
    inputs["detached_outreach"] = {
        "callback_minutes": 12,
        "opening_start_hour": 18,
        "contacts_by_hour": [5, 8, 13],
        "seasonal_factors": [1] * 12,
    }

    form = ScenarioInputsForm(inputs=inputs, version=1)

    assert form.fields["detached_outreach.callback_minutes"].label == "Callback minutes"
    section = next(n for n in form.layout if n["legend"] == "Detached outreach")
    by_kind = {child.get("legend", child["path"]): child for child in section["children"]}
    hours = by_kind["Contacts by hour"]
    assert hours["kind"] == "list"
    assert [item["label"] for item in hours["items"]] == ["18:00", "19:00", "20:00"]
    months = by_kind["Seasonal factors by month"]
    assert [item["label"] for item in months["items"]][:2] == ["January", "February"]


def test_saving_the_form_changes_the_casework_fte(manager):
    scenario = services.create_scenario(actor=manager, name="Growth")
    client = client_for(manager)

    response = client.post(
        f"/planning/{scenario.pk}/inputs/",
        form_data(scenario, total_cases_per_year="12,000"),
    )

    assert response.status_code == 302
    scenario.refresh_from_db()
    assert scenario.inputs["total_cases_per_year"] == 12000
    assert scenario.version == 2
    html = client.get(f"/planning/{scenario.pk}/").content.decode()
    assert "209.88" in html


def test_a_domain_error_shows_next_to_the_input_it_names(manager):
    scenario = services.create_scenario(actor=manager, name="Bad weeks")

    response = client_for(manager).post(
        f"/planning/{scenario.pk}/inputs/", form_data(scenario, working_weeks="0")
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "must be more than zero" in error_next_to(html, "id_working_weeks")
    assert 'href="#id_working_weeks"' in html
    scenario.refresh_from_db()
    assert scenario.version == 1


def test_an_error_in_a_table_input_shows_in_its_cell(manager):
    scenario = services.create_scenario(actor=manager, name="Bad slots")

    html = (
        client_for(manager)
        .post(
            f"/planning/{scenario.pk}/inputs/",
            form_data(scenario, **{"case_types.L2B.slots_per_cycle": "-6"}),
        )
        .content.decode()
    )

    assert "must be more than zero" in error_next_to(html, "id_case_types.L2B.slots_per_cycle")


def test_a_profile_not_making_100_shows_on_the_case_types_section(manager):
    scenario = services.create_scenario(actor=manager, name="Bad shares")

    html = (
        client_for(manager)
        .post(
            f"/planning/{scenario.pk}/inputs/",
            form_data(scenario, **{"case_types.L3.share_percent": "15"}),
        )
        .content.decode()
    )

    assert "must add up to 100%, not 110%" in error_next_to(html, "section-case_types")
    assert 'href="#id_case_types.L3.share_percent"' in html


def test_text_in_a_number_input_is_refused_by_the_form(manager):
    scenario = services.create_scenario(actor=manager, name="Words")

    html = (
        client_for(manager)
        .post(f"/planning/{scenario.pk}/inputs/", form_data(scenario, visits_per_week="eleven"))
        .content.decode()
    )

    assert "must be a number" in error_next_to(html, "id_visits_per_week")


def test_a_stale_save_is_refused_and_shows_the_differences(manager, head):
    scenario = services.create_scenario(actor=manager, name="Shared")
    stale = form_data(scenario, working_weeks="44")
    theirs = dict(scenario.inputs, visits_per_week=12)
    services.update_scenario_inputs(actor=head, scenario_id=scenario.pk, inputs=theirs, version=1)

    response = client_for(manager).post(f"/planning/{scenario.pk}/inputs/", stale)

    html = response.content.decode()
    assert "saved a newer version" in html
    assert "Visits a week per FTE" in html
    assert "Working weeks a year per FTE" in html
    assert 'name="version" value="2"' in html
    scenario.refresh_from_db()
    assert scenario.inputs["working_weeks"] == 46
    # Saving again on purpose keeps the planner's inputs.
    again = client_for(manager).post(f"/planning/{scenario.pk}/inputs/", dict(stale, version="2"))
    assert again.status_code == 302
    scenario.refresh_from_db()
    assert scenario.inputs["working_weeks"] == 44


def test_the_default_inputs_page_offers_a_copy_instead(head):
    default = services.ensure_default_scenario()

    response = client_for(head).get(f"/planning/{default.pk}/inputs/")

    assert response.status_code == 302
    assert response["Location"] == f"/planning/{default.pk}/copy/"


def test_copy_rename_and_delete_through_the_pages(manager):
    default = services.ensure_default_scenario()
    client = client_for(manager)

    response = client.post(f"/planning/{default.pk}/copy/", {"name": "Mine", "description": ""})
    copied = PlanningScenario.objects.get(name="Mine")
    assert response["Location"] == f"/planning/{copied.pk}/"

    duplicate = client.post(f"/planning/{default.pk}/copy/", {"name": "mine", "description": ""})
    assert "A scenario with this name already exists" in duplicate.content.decode()

    client.post(
        f"/planning/{copied.pk}/rename/", {"name": "Renamed", "description": "New", "version": 1}
    )
    copied.refresh_from_db()
    assert (copied.name, copied.description, copied.version) == ("Renamed", "New", 2)

    assert client.get(f"/planning/{copied.pk}/delete/").status_code == 200
    client.post(f"/planning/{copied.pk}/delete/")
    assert not PlanningScenario.objects.filter(pk=copied.pk).exists()


def test_another_managers_scenario_cannot_be_changed_from_the_pages(manager, other_manager):
    scenario = services.create_scenario(actor=manager, name="Theirs")
    client = client_for(other_manager)

    assert client.get(f"/planning/{scenario.pk}/inputs/").status_code == 403
    assert client.post(f"/planning/{scenario.pk}/delete/").status_code == 403
    assert client.get(f"/planning/{scenario.pk}/").status_code == 200
    assert "Change inputs" not in client.get(f"/planning/{scenario.pk}/").content.decode()


def test_simulation_from_the_page_draws_the_on_time_chart(manager):
    scenario = services.create_scenario(actor=manager, name="Simulated")
    client = client_for(manager)

    response = client.post(f"/planning/{scenario.pk}/simulate/", {"replications": 1, "seed": 5})

    assert response.status_code == 302
    html = client.get(f"/planning/{scenario.pk}/").content.decode()
    assert html.count("<svg") == 3
    assert "Share allocated on time against key-worker FTE: the figures" in html
    assert "seed 5" in html


def test_simulation_with_too_many_replications_shows_the_error(manager):
    scenario = services.create_scenario(actor=manager, name="Too many")

    response = client_for(manager).post(f"/planning/{scenario.pk}/simulate/", {"replications": 50})

    assert response.status_code == 422
    assert "Replications must be at most 5" in error_next_to(
        response.content.decode(), "id_replications"
    )


def test_compare_lists_every_figure_and_the_inputs_that_differ(manager):
    default = services.ensure_default_scenario()
    inputs = dict(default.inputs, total_cases_per_year=12000)
    growth = services.create_scenario(actor=manager, name="Growth", inputs=inputs)

    response = client_for(manager).get(f"/planning/compare/?ids={default.pk}&ids={growth.pk}")

    html = response.content.decode()
    assert response.status_code == 200
    figures = html[html.index('id="figures"') :]
    assert "Growth" in figures
    assert "106,200" in figures
    assert "88,500" in figures
    differs = re.search(r"Slots required</th>|Slots required <strong[^>]*>differs", figures)
    assert differs
    assert "differs" in differs.group(0)
    inputs_table = html[html.index("Inputs that differ") : html.index('id="figures"')]
    assert "Total cases a year" in inputs_table
    assert "Working weeks" not in inputs_table
    # Same total budget in both: not marked.
    assert re.search(r"Total cost \(£\)</th>", figures)


def test_compare_asks_for_two_scenarios(manager):
    default = services.ensure_default_scenario()

    response = client_for(manager).get(f"/planning/compare/?ids={default.pk}")

    assert response.status_code == 400
    assert "Choose from 2 to 6 scenarios to compare" in response.content.decode()


def _queries(client: Client, path: str) -> int:
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_list_page_queries_do_not_grow_with_scenarios(manager, other_manager):
    client = client_for(manager)
    services.create_scenario(actor=manager, name="One")
    services.create_scenario(actor=other_manager, name="Two")
    few = _queries(client, "/planning/")
    for number in range(12):
        owner = manager if number % 2 else other_manager
        services.create_scenario(actor=owner, name=f"Scenario {number}")

    many = _queries(client, "/planning/")

    assert many == few


def test_compare_page_queries_do_not_grow_with_scenarios(manager):
    ids = [services.ensure_default_scenario().pk]
    ids += [services.create_scenario(actor=manager, name=f"S{n}").pk for n in range(5)]
    client = client_for(manager)

    two = _queries(client, f"/planning/compare/?ids={ids[0]}&ids={ids[1]}")
    six = _queries(client, "/planning/compare/?" + "&".join(f"ids={i}" for i in ids))

    assert six == two


def test_plan_figures_on_the_page_follow_the_domain(manager):
    inputs = scenario_to_dict(default_scenario())
    inputs["visits_per_week"] = 10
    scenario = services.create_scenario(actor=manager, name="Fewer visits", inputs=inputs)

    html = client_for(manager).get(f"/planning/{scenario.pk}/").content.decode()

    expected = plan(services.scenario_of(scenario)).casework_fte_required
    assert expected == Decimal(88500) / Decimal(460)
    assert f"{expected.quantize(Decimal('0.01'))}" in html


def test_the_scenario_file_adds_localities_the_form_cannot(manager):
    scenario = services.create_scenario(actor=manager, name="By locality")
    client = client_for(manager)
    page = client.get(f"/planning/{scenario.pk}/file/").content.decode()
    assert "&quot;total_cases_per_year&quot;: 10000" in page
    inputs = plain_numbers(scenario.inputs)
    inputs["localities"] = {"North": 30, "Central": 45, "East": 25}

    response = client.post(
        f"/planning/{scenario.pk}/file/", {"version": 1, "text": json.dumps(inputs)}
    )

    assert response.status_code == 302
    html = client.get(f"/planning/{scenario.pk}/").content.decode()
    assert "Central" in html
    # 45% of 174.9 casework FTE
    assert "78.71" in html
    form_page = client.get(f"/planning/{scenario.pk}/inputs/").content.decode()
    assert 'name="localities.Central"' in form_page


def test_the_scenario_file_names_the_input_the_model_refuses(manager):
    scenario = services.create_scenario(actor=manager, name="Bad file")
    inputs = plain_numbers(scenario.inputs)
    inputs["localities"] = {"North": 30, "Central": 45}
    client = client_for(manager)

    html = client.post(
        f"/planning/{scenario.pk}/file/", {"version": 1, "text": json.dumps(inputs)}
    ).content.decode()
    assert "localities: shares must add up to 100%, not 75%" in error_next_to(html, "id_text")

    broken = client.post(
        f"/planning/{scenario.pk}/file/", {"version": 1, "text": '{"total_cases_per_year": '}
    ).content.decode()
    assert "The scenario file is not valid JSON" in error_next_to(broken, "id_text")
    scenario.refresh_from_db()
    assert scenario.version == 1


def test_the_admin_shows_scenarios_but_changes_none(manager):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/planning/planningscenario/")
    request.user = superuser
    model_admin = admin.site._registry[PlanningScenario]
    scenario = services.create_scenario(actor=manager, name="In the admin")

    assert model_admin.has_view_permission(request, scenario) is True
    assert model_admin.has_change_permission(request, scenario) is False
    assert model_admin.has_delete_permission(request, scenario) is False
    client = client_for(superuser)
    assert client.get(f"/admin/planning/planningscenario/{scenario.pk}/change/").status_code == 200
