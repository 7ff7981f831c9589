"""Two planners saving the same version of a scenario at the same moment, each on their
own database connection: exactly one save lands; the other is told the scenario changed.
Needs a database with row locks (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from earlyhelp.domain.resource_model import default_scenario, scenario_to_dict
from earlyhelp.planning import services
from earlyhelp.planning.models import PlanningScenario

TIMEOUT = 30


@pytest.mark.django_db(transaction=True)
def test_two_planners_saving_one_version_at_once_land_exactly_one_save(
    manager, head, transactional_db
):
    # transactional_db is named as well as the marker so that tests/conftest.py lifts the
    # audit log's append-only triggers for the flush after the test.
    if connection.vendor == "sqlite":
        pytest.skip("SQLite has no row locks: this race needs PostgreSQL (DATABASE_URL)")
    scenario = services.create_scenario(actor=manager, name="Raced")
    attempts = [(manager, 44), (head, 48)]
    barrier = threading.Barrier(len(attempts), timeout=TIMEOUT)
    outcomes: dict[int, object] = {}

    def save(index: int, actor, weeks: int) -> None:
        inputs = scenario_to_dict(default_scenario())
        inputs["working_weeks"] = weeks
        try:
            barrier.wait()
            outcomes[index] = services.update_scenario_inputs(
                actor=actor, scenario_id=scenario.pk, inputs=inputs, version=1
            )
        except Exception as error:  # the outcome is what the test checks
            outcomes[index] = error
        finally:
            connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=save, args=(index, actor, weeks))
        for index, (actor, weeks) in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a save never finished"

    saved = [o for o in outcomes.values() if isinstance(o, PlanningScenario)]
    refused = [o for o in outcomes.values() if not isinstance(o, PlanningScenario)]
    assert len(saved) == 1, outcomes
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], services.StaleScenario), refused[0]
    assert refused[0].current_version == 2
    stored = PlanningScenario.objects.get(pk=scenario.pk)
    assert stored.version == 2
    assert stored.inputs["working_weeks"] == saved[0].inputs["working_weeks"]
