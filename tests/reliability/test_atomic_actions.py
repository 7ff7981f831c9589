"""Nothing half-written: every service action that writes is one transaction. Each
action in tests/reliability/actions.py is failed at its audit write and at its last
write, and must leave every table (and the stored files) as it was; a guard finds the
writing service functions in the code, so that a new one cannot be left out."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import textwrap
from collections.abc import Callable

import pytest
from django.db import transaction

import earlyhelp
from earlyhelp.audit.services import record_write
from earlyhelp.people.models import Family
from tests.reliability.actions import ACTIONS, EXEMPT
from tests.reliability.faults import check_nothing_half_written, dry_run


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_a_failing_action_leaves_every_table_as_it_was(name, db):
    entry = ACTIONS[name]
    check_nothing_half_written(entry.build(), audited=entry.audited)


# ---------------------------------------------------------------- the check can fail


def _two_writes(*, actor=None) -> Family:
    family = Family.objects.create(name="Halfwritten")
    record_write(actor=actor, code="family.created", instance=family)
    return family


def test_an_action_outside_a_transaction_is_caught_half_written(db):
    with pytest.raises(AssertionError, match="half-written when the audit write failed") as caught:
        check_nothing_half_written(_two_writes)

    assert "people_family: 1 row(s) added" in str(caught.value)
    assert "outside any transaction of the action's own" in str(caught.value)


def test_a_write_after_the_transaction_is_caught_half_written(db):
    def audited_then_more():
        with transaction.atomic():
            family = _two_writes()
        Family.objects.filter(pk=family.pk).update(name="Changed afterwards")

    with pytest.raises(AssertionError, match="half-written when its last write"):
        check_nothing_half_written(audited_then_more)


def test_the_same_action_in_one_transaction_passes(db):
    run = check_nothing_half_written(transaction.atomic(_two_writes))

    assert run.audit_codes == ["family.created"]
    assert not Family.objects.exists()


# ---------------------------------------------------------------- the guard

WRITES = re.compile(
    r"record_write\(|\.(save|delete|bulk_create|bulk_update|get_or_create|update_or_create)\("
    r"|objects\.create\(|\.update\(\w+=|queue_message\(|create_task\(|complete_tasks\("
)


def _calls(function: Callable) -> set[str]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    return {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }


def writing_service_functions() -> set[str]:
    """``<app>.<function>`` of every public function of an ``earlyhelp.*.services``
    module that writes (an audit event, a save, a create, an update, a delete, a
    queued message or task), itself or through the module's private helpers."""
    found = set()
    for module_info in pkgutil.walk_packages(earlyhelp.__path__, "earlyhelp."):
        if not module_info.name.endswith(".services"):
            continue
        module = importlib.import_module(module_info.name)
        app = module_info.name.split(".")[1]
        local = {
            name: value
            for name, value in vars(module).items()
            if inspect.isfunction(value) and value.__module__ == module.__name__
        }
        for name in local:
            if name.startswith("_"):
                continue
            seen, todo = set(), [name]
            while todo:
                current = todo.pop()
                if current in seen:
                    continue
                seen.add(current)
                if WRITES.search(inspect.getsource(local[current])):
                    found.add(f"{app}.{name}")
                    break
                todo += [c for c in _calls(local[current]) if c in local and c.startswith("_")]
    return found


def _function_of(entry_name: str) -> str:
    return entry_name.split("[", 1)[0]


def test_every_writing_service_function_is_tested_or_exempt_with_a_reason():
    writers = writing_service_functions()
    tested = {_function_of(name) for name in ACTIONS}

    missing = sorted(writers - tested - set(EXEMPT))
    assert not missing, (
        "Writing service functions with no entry in tests/reliability/actions.py "
        f"(add one to ACTIONS, or to EXEMPT with the reason): {missing}"
    )
    # The scan itself: a write through a private helper counts, a pure function does not.
    assert {"cases.record_contact", "planning.create_scenario", "tasks.create_task"} <= writers
    assert not {"people.normalise_postcode", "planning.results_of"} & writers


def test_every_entry_names_a_service_function_that_exists():
    writers = writing_service_functions()
    stale = sorted({_function_of(name) for name in ACTIONS} - writers) + sorted(
        set(EXEMPT) - writers
    )
    assert not stale, f"Entries for functions that no longer exist or no longer write: {stale}"
    assert not set(EXEMPT) & {_function_of(name) for name in ACTIONS}


@pytest.mark.parametrize(
    "name", sorted(name for name, exempt in EXEMPT.items() if exempt.covered_by)
)
def test_an_exempt_function_runs_in_the_transaction_of_the_entry_that_covers_it(name, db):
    exempt = EXEMPT[name]
    run = dry_run(ACTIONS[exempt.covered_by].build())

    assert exempt.audit_code in run.audit_codes
