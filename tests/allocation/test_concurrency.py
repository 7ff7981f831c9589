"""A single allocation and a bulk accept giving a worker their last place at the same
moment: the single allocation waits for the worker's row lock that a bulk accept holds,
then sees the place taken. Needs a database with row locks (PostgreSQL)."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from earlyhelp.cases.models import Case
from earlyhelp.referrals import services as rfs
from tests.allocation.helpers import load, waiting
from tests.workforce.helpers import held_case

TIMEOUT = 30


@pytest.mark.django_db(transaction=True)
def test_a_single_allocation_waits_for_the_workers_lock_and_sees_the_last_place_gone(
    world, transactional_db
):
    # transactional_db is named as well as the marker so that tests/conftest.py lifts the
    # audit log's append-only triggers for the flush after the test.
    if connection.vendor == "sqlite":
        pytest.skip("SQLite has no row locks: this race needs PostgreSQL (DATABASE_URL)")
    load(world.key_worker, 17)
    load(world.second_worker, 18)
    request = waiting(world)
    locked, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def bulk_accept_taking_the_last_place() -> None:
        # What decide_proposal_lines does: lock the workers' rows, then allocate.
        try:
            with transaction.atomic():
                list(
                    get_user_model()
                    .objects.select_for_update()
                    .filter(pk=world.key_worker.pk)
                    .values_list("pk")
                )
                locked.set()
                release.wait(TIMEOUT)
                held_case(world.key_worker, case_type="L2B")
        finally:
            connection.close()

    def single_allocation() -> None:
        try:
            outcome["result"] = rfs.allocate_request(
                actor=world.manager,
                request_id=request.pk,
                key_worker_id=world.key_worker.pk,
                check_recommendation=True,
            )
        except Exception as error:  # the outcome is what the test checks
            outcome["result"] = error
        finally:
            connection.close()

    bulk = threading.Thread(target=bulk_accept_taking_the_last_place)
    bulk.start()
    assert locked.wait(TIMEOUT)
    single = threading.Thread(target=single_allocation)
    single.start()
    time.sleep(1.0)
    waited = single.is_alive()
    release.set()
    bulk.join(TIMEOUT)
    single.join(TIMEOUT)

    assert waited, f"the single allocation did not wait for the worker's lock: {outcome}"
    error = outcome["result"]
    assert isinstance(error, ValidationError), error
    assert "has no headroom" in str(error.message_dict["reason"])
    assert Case.objects.filter(key_worker=world.key_worker, request=request).count() == 0
    assert Case.objects.filter(key_worker=world.key_worker).count() == 18
