"""Planning scenario services: the default made on first use and never changed, inputs
checked by the domain with the input named, nothing half-written, stale versions
refused, permissions and the audit log."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.domain.resource_model import default_scenario, plan, scenario_to_dict
from earlyhelp.planning import services
from earlyhelp.planning.models import PlanningScenario

pytestmark = pytest.mark.django_db


def seed_inputs() -> dict:
    return scenario_to_dict(default_scenario())


def test_default_scenario_is_made_once_with_the_seed_inputs():
    first = services.ensure_default_scenario()
    second = services.ensure_default_scenario()

    assert first.pk == second.pk
    assert first.is_default
    assert first.owner is None
    assert first.inputs == seed_inputs()
    assert services.results_of(first)["total_cost"] == 15135098
    assert PlanningScenario.objects.filter(is_default=True).count() == 1
    assert AuditEvent.objects.filter(code="planning_scenario.default_created").count() == 1


def test_default_scenario_follows_the_domain_when_its_stored_inputs_are_older():
    row = services.ensure_default_scenario()
    older = copy.deepcopy(row.inputs)
    older["working_weeks"] = 40
    PlanningScenario.objects.filter(pk=row.pk).update(inputs=older)

    refreshed = services.ensure_default_scenario()

    assert refreshed.inputs == seed_inputs()
    assert refreshed.version == row.version + 1


def test_planner_creates_a_scenario_from_the_default(manager):
    scenario = services.create_scenario(actor=manager, name="Winter peak", description="More")

    assert scenario.owner == manager
    assert scenario.version == 1
    assert scenario.inputs == seed_inputs()
    event = AuditEvent.objects.get(code="planning_scenario.created")
    assert event.actor == manager
    assert event.object_id == str(scenario.pk)
    assert event.changes["inputs.total_cases_per_year"] == [None, "10000"]


def test_scenario_names_are_unique_whatever_their_case(manager, other_manager):
    services.create_scenario(actor=manager, name="Growth")

    with pytest.raises(ValidationError) as raised:
        services.create_scenario(actor=other_manager, name="growth")

    assert "already exists" in str(raised.value)
    assert PlanningScenario.objects.filter(owner=other_manager).count() == 0


def test_update_inputs_changes_the_figures_and_the_version(manager):
    scenario = services.create_scenario(actor=manager, name="Growth")
    inputs = seed_inputs()
    inputs["total_cases_per_year"] = 12000

    updated = services.update_scenario_inputs(
        actor=manager, scenario_id=scenario.pk, inputs=inputs, version=1
    )

    assert updated.version == 2
    assert updated.updated_by == manager
    results = services.results_of(updated)
    # 12,000 cases x 8.85 slots a case / 506 slots per FTE
    assert results["slots_required"] == 106200
    assert results["casework_fte_required"] == Decimal("209.88")
    event = AuditEvent.objects.get(code="planning_scenario.inputs_changed")
    assert event.changes["inputs.total_cases_per_year"] == ["10000", "12000"]
    assert event.changes["version"] == [1, 2]


@pytest.mark.parametrize(
    ("change", "input_name"),
    [
        (lambda d: d["case_types"]["L3"].update(share_percent=10), "case_types.share_percent"),
        (lambda d: d.update(working_weeks=0), "working_weeks"),
        (
            lambda d: d["case_types"]["L2A"].update(slots_per_cycle=-1),
            "case_types.L2A.slots_per_cycle",
        ),
        (lambda d: d["budget"]["G6"].update(fte="lots"), "budget.G6.fte"),
        (lambda d: d.pop("visits_per_week"), "visits_per_week"),
    ],
)
def test_bad_input_is_refused_naming_the_input_and_nothing_is_written(manager, change, input_name):
    scenario = services.create_scenario(actor=manager, name="Bad")
    inputs = seed_inputs()
    change(inputs)
    events_before = AuditEvent.objects.count()

    with pytest.raises(services.InvalidScenario) as raised:
        services.update_scenario_inputs(
            actor=manager, scenario_id=scenario.pk, inputs=inputs, version=1
        )

    assert raised.value.input == input_name
    assert raised.value.status == 422
    scenario.refresh_from_db()
    assert scenario.version == 1
    assert scenario.inputs == seed_inputs()
    assert AuditEvent.objects.count() == events_before


def test_a_stale_version_is_refused_with_the_differences(manager):
    scenario = services.create_scenario(actor=manager, name="Shared")
    mine = seed_inputs()
    mine["working_weeks"] = 45
    theirs = seed_inputs()
    theirs["visits_per_week"] = 12
    services.update_scenario_inputs(
        actor=manager, scenario_id=scenario.pk, inputs=theirs, version=1
    )

    with pytest.raises(services.StaleScenario) as raised:
        services.update_scenario_inputs(
            actor=manager, scenario_id=scenario.pk, inputs=mine, version=1
        )

    assert raised.value.current_version == 2
    assert {d["input"] for d in raised.value.differences} == {
        "working_weeks",
        "visits_per_week",
    }
    scenario.refresh_from_db()
    assert scenario.inputs["visits_per_week"] == 12
    assert scenario.inputs["working_weeks"] == 46


def test_a_stale_rename_is_refused(manager):
    scenario = services.create_scenario(actor=manager, name="Before")
    services.describe_scenario(
        actor=manager, scenario_id=scenario.pk, name="After", description="", version=1
    )

    with pytest.raises(services.StaleScenario):
        services.describe_scenario(
            actor=manager, scenario_id=scenario.pk, name="Other", description="", version=1
        )
    scenario.refresh_from_db()
    assert scenario.name == "After"


def test_the_default_can_be_neither_changed_nor_renamed_nor_deleted(head):
    default = services.ensure_default_scenario()

    with pytest.raises(services.DefaultScenarioIsReadOnly):
        services.update_scenario_inputs(
            actor=head, scenario_id=default.pk, inputs=seed_inputs(), version=default.version
        )
    with pytest.raises(services.DefaultScenarioIsReadOnly):
        services.describe_scenario(
            actor=head, scenario_id=default.pk, name="X", description="", version=1
        )
    with pytest.raises(services.DefaultScenarioIsReadOnly):
        services.delete_scenario(actor=head, scenario_id=default.pk)
    assert PlanningScenario.objects.get(pk=default.pk).inputs == seed_inputs()


def test_copy_of_the_default_belongs_to_the_planner_and_can_be_changed(manager):
    default = services.ensure_default_scenario()

    copied = services.copy_scenario(actor=manager, scenario_id=default.pk, name="My copy")

    assert copied.owner == manager
    assert not copied.is_default
    assert copied.inputs == default.inputs
    event = AuditEvent.objects.get(code="planning_scenario.copied")
    assert event.details == {"copied_from": default.pk, "copied_from_version": default.version}
    services.update_scenario_inputs(
        actor=manager, scenario_id=copied.pk, inputs=seed_inputs(), version=1
    )


def test_another_managers_scenario_is_refused_and_the_refusal_audited(manager, other_manager):
    scenario = services.create_scenario(actor=manager, name="Mine")

    with pytest.raises(PermissionDenied):
        services.update_scenario_inputs(
            actor=other_manager, scenario_id=scenario.pk, inputs=seed_inputs(), version=1
        )
    with pytest.raises(PermissionDenied):
        services.delete_scenario(actor=other_manager, scenario_id=scenario.pk)

    denied = AuditEvent.objects.filter(kind=Kind.DENIED, actor=other_manager)
    assert denied.count() == 2
    assert {e.object_id for e in denied} == {str(scenario.pk)}
    assert PlanningScenario.objects.filter(pk=scenario.pk).exists()


def test_head_of_service_may_change_and_delete_a_managers_scenario(manager, head):
    scenario = services.create_scenario(actor=manager, name="Theirs")
    services.update_scenario_inputs(
        actor=head, scenario_id=scenario.pk, inputs=seed_inputs(), version=1
    )

    services.delete_scenario(actor=head, scenario_id=scenario.pk)

    assert not PlanningScenario.objects.filter(pk=scenario.pk).exists()
    deleted = AuditEvent.objects.get(code="planning_scenario.deleted")
    assert deleted.actor == head
    assert deleted.changes["name"] == ["Theirs", None]


def test_someone_who_does_not_plan_cannot_create_and_is_audited(key_worker):
    with pytest.raises(PermissionDenied):
        services.create_scenario(actor=key_worker, name="No")

    assert PlanningScenario.objects.filter(owner=key_worker).count() == 0
    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=key_worker).count() == 1


def test_simulation_is_stored_with_its_seed_and_repeats_exactly(manager):
    scenario = services.create_scenario(actor=manager, name="Simulated")

    first = services.simulate_scenario(
        actor=manager, scenario_id=scenario.pk, replications=2, seed=11, workers_levels=[120, 150]
    )
    results = copy.deepcopy(first.simulation)
    again = services.simulate_scenario(
        actor=manager, scenario_id=scenario.pk, replications=2, seed=11, workers_levels=[120, 150]
    )

    assert again.simulation == results
    assert again.simulation_seed == 11
    assert again.simulation_replications == 2
    assert [level["workers"] for level in results["levels"]] == [120, 150]
    fewer, more = (level["figures"]["share_allocated_on_time"] for level in results["levels"])
    assert fewer["low"] <= fewer["mean"] <= fewer["high"]
    assert 0 <= fewer["mean"] <= 1
    # More workers for the same demand never allocate fewer requests on time.
    assert more["mean"] >= fewer["mean"]
    event = AuditEvent.objects.filter(code="planning_scenario.simulated").first()
    assert event.details["seed"] == 11


def test_default_staffing_levels_surround_the_models_casework_fte(manager):
    levels = services.staffing_levels(default_scenario())

    required = plan(default_scenario()).casework_fte_required
    assert levels[0] < required < levels[-1]
    assert round(required) in levels


def test_changing_inputs_clears_the_simulation_they_no_longer_describe(manager):
    scenario = services.create_scenario(actor=manager, name="Cleared")
    services.simulate_scenario(
        actor=manager, scenario_id=scenario.pk, replications=1, seed=1, workers_levels=[150]
    )

    updated = services.update_scenario_inputs(
        actor=manager, scenario_id=scenario.pk, inputs=seed_inputs(), version=1
    )

    assert updated.simulation is None
    assert updated.simulated_at is None


def test_simulation_replications_are_bounded_for_the_web(manager):
    scenario = services.create_scenario(actor=manager, name="Bounded")

    with pytest.raises(services.InvalidScenario) as raised:
        services.simulate_scenario(
            actor=manager, scenario_id=scenario.pk, replications=services.MAX_WEB_REPLICATIONS + 1
        )

    assert raised.value.input == "replications"


def test_stored_inputs_missing_an_input_the_model_gained_take_the_seed_value(manager):
    scenario = services.create_scenario(actor=manager, name="Old")
    older = copy.deepcopy(scenario.inputs)
    del older["flexibility_margin_percent"]
    del older["case_types"]["L3"]["cycles_per_year"]
    PlanningScenario.objects.filter(pk=scenario.pk).update(inputs=older)
    scenario.refresh_from_db()

    completed = services.complete_inputs(scenario.inputs)

    assert completed == seed_inputs()


def test_inputs_stay_exact_decimals_through_the_database(manager):
    inputs = seed_inputs()
    inputs["case_types"]["L2A"]["cycles_per_year"] = Decimal("3.85")
    scenario = services.create_scenario(actor=manager, name="Exact", inputs=inputs)

    stored = PlanningScenario.objects.get(pk=scenario.pk).inputs

    assert stored["case_types"]["L2A"]["cycles_per_year"] == Decimal("3.85")
    assert stored["centre_types"]["enhanced"]["establishment"][3]["fte"] == Decimal("0.15")
