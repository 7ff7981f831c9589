"""Two managers allocating the same Request for Support at the same moment, each on
their own database connection: exactly one case is opened; the other manager is told
it is already allocated. Needs a database with row locks (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from earlyhelp.cases.errors import AlreadyAllocated
from earlyhelp.cases.models import Case
from earlyhelp.domain.casework import TransitionNotAllowed
from earlyhelp.referrals import services as rfs
from earlyhelp.referrals.models import Status
from earlyhelp.tasks.models import Kind as TaskKind
from earlyhelp.tasks.models import Task
from tests.casework import submit

TIMEOUT = 30


@pytest.mark.django_db(transaction=True)
def test_two_managers_allocating_at_once_open_exactly_one_case(world, transactional_db):
    # transactional_db is named as well as the marker so that tests/conftest.py lifts the
    # audit log's append-only triggers for the flush after the test.
    if connection.vendor == "sqlite":
        pytest.skip("SQLite has no row locks: this race needs PostgreSQL (DATABASE_URL)")
    request = submit(world)
    attempts = [
        (world.manager, world.key_worker),
        (world.locality_manager, world.second_worker),
    ]
    barrier = threading.Barrier(len(attempts), timeout=TIMEOUT)
    outcomes: dict[int, object] = {}

    def allocate(index: int, manager, worker) -> None:
        try:
            barrier.wait()
            outcomes[index] = rfs.allocate_request(
                actor=manager, request_id=request.pk, key_worker_id=worker.pk
            )
        except Exception as error:  # the outcome is what the test checks
            outcomes[index] = error
        finally:
            connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=allocate, args=(index, manager, worker))
        for index, (manager, worker) in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "an allocation never finished"

    opened = [o for o in outcomes.values() if isinstance(o, Case)]
    refused = [o for o in outcomes.values() if not isinstance(o, Case)]
    assert len(opened) == 1, outcomes
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], AlreadyAllocated | TransitionNotAllowed), refused[0]
    case = Case.objects.get()
    assert case.pk == opened[0].pk
    assert case.request_id == request.pk
    request.refresh_from_db()
    assert request.status == Status.ALLOCATED
    assert request.version == 2
    assert Task.objects.filter(case=case, kind=TaskKind.INITIAL_VISIT).count() == 1
    assert Task.objects.filter(case__isnull=False, kind=TaskKind.INITIAL_VISIT).count() == 1
    case.family.refresh_from_db()
    assert case.family.key_worker_id == case.key_worker_id
