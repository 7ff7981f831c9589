"""Failures injected into a service action, and a picture of the whole database to
compare before and after: an action that fails part-way must leave no row behind.

Two faults: the action's audit write (``record_write``) raises, and the action's last
INSERT, UPDATE or DELETE raises. The audit write comes after an action's own writes,
so both fail an action that is not one transaction; the second also catches writes
made after the audit event (messages, tasks, a caller's follow-up)."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from django.conf import settings
from django.db import connection, transaction

from earlyhelp.audit.models import AuditEvent, Kind

WRITE_STATEMENTS = ("INSERT", "UPDATE", "DELETE")

State = dict[str, Counter]


class InjectedFault(Exception):
    """The failure a test injects into a service action."""


MEDIA_FILES = "(stored files)"


def database_state() -> State:
    """Every row of every table, as a multiset of rows per table, and the stored files.

    Of the audit log only the WRITE events count: a refusal, a search or a view of a
    record is logged before an action's transaction opens, on purpose, and stays."""
    state: State = {}
    audit_table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            sql = f"SELECT * FROM {connection.ops.quote_name(table)}"  # noqa: S608
            params: list[Any] = []
            if table == audit_table:
                sql += " WHERE kind = %s"
                params = [Kind.WRITE.value]
            cursor.execute(sql, params)
            state[table] = Counter(repr(row) for row in cursor.fetchall())
    root = Path(settings.MEDIA_ROOT)
    state[MEDIA_FILES] = Counter(
        str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()
    )
    return state


def state_changes(before: State, after: State, *, limit: int = 3) -> list[str]:
    """What differs between two pictures of the database, table by table."""
    changes = []
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, Counter()), after.get(table, Counter())
        if old == new:
            continue
        added, removed = list((new - old).elements()), list((old - new).elements())
        lines = [f"{table}: {len(added)} row(s) added or changed, {len(removed)} removed"]
        lines += [f"    + {row[:300]}" for row in added[:limit]]
        lines += [f"    - {row[:300]}" for row in removed[:limit]]
        changes.append("\n".join(lines))
    return changes


def _is_write(sql: str) -> bool:
    return sql.lstrip().upper().startswith(WRITE_STATEMENTS)


@dataclass
class WriteLog:
    statements: list[str] = field(default_factory=list)


@contextlib.contextmanager
def logging_writes() -> Iterator[WriteLog]:
    """Record every INSERT, UPDATE and DELETE sent to the database."""
    log = WriteLog()

    def wrapper(execute, sql, params, many, context):
        if _is_write(sql):
            log.statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield log


@contextlib.contextmanager
def failing_write_statement(number: int) -> Iterator[WriteLog]:
    """Raise InjectedFault instead of sending the ``number``-th write (from 1)."""
    log = WriteLog()

    def wrapper(execute, sql, params, many, context):
        if _is_write(sql):
            log.statements.append(sql)
            if len(log.statements) == number:
                raise InjectedFault(f"write {number} refused: {sql[:120]}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield log


@contextlib.contextmanager
def failing_audit_write() -> Iterator[None]:
    """Make the first audit event of kind WRITE raise InjectedFault as it is saved
    (``record_write`` saves it through ``AuditEvent.objects.create``)."""
    original = AuditEvent.save

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.kind == Kind.WRITE:
            # As a failing save would, mark the atomic block it lands in for rollback.
            with transaction.mark_for_rollback_on_error():
                raise InjectedFault(f"audit write refused: {self.code}")
        original(self, *args, **kwargs)

    with mock.patch.object(AuditEvent, "save", save):
        yield


class _DryRunOver(Exception):
    pass


@dataclass
class Run:
    writes: list[str]
    audit_codes: list[str]


def dry_run(action: Callable[[], Any]) -> Run:
    """Run the action in a savepoint that is then rolled back: which writes it makes and
    which audit events it records when nothing fails."""
    codes: list[str] = []
    original = AuditEvent.save

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.kind == Kind.WRITE:
            codes.append(self.code)
        original(self, *args, **kwargs)

    with contextlib.suppress(_DryRunOver), transaction.atomic():
        with mock.patch.object(AuditEvent, "save", save), logging_writes() as log:
            action()
        raise _DryRunOver
    return Run(writes=log.statements, audit_codes=codes)


def _without_files(state: State) -> State:
    return {key: rows for key, rows in state.items() if key != MEDIA_FILES}


def _fail(action: Callable[[], Any], fault: contextlib.AbstractContextManager, what: str) -> bool:
    """Run the action under the fault; whether the fault escaped the action with no
    transaction of the action's own around it."""
    with fault:
        try:
            action()
        except InjectedFault:
            pass
        else:
            raise AssertionError(f"the action did not reach {what}")
    # A save that raises inside an atomic block marks that block for rollback; when no
    # block of the action's own caught the fault, the mark lands on the test's
    # transaction. The fault was raised before its statement reached the database, so
    # the test's transaction is sound: clear the mark and compare the tables.
    escaped = connection.needs_rollback
    transaction.set_rollback(False)
    return escaped


def _assert_unchanged(before: State, escaped: bool, when: str) -> None:
    changes = state_changes(before, database_state())
    where = " outside any transaction of the action's own" if escaped else ""
    assert not changes, f"half-written when {when}{where}:\n" + "\n".join(changes)


def check_nothing_half_written(action: Callable[[], Any], *, audited: bool = True) -> Run:
    """Fail the action at its audit write and at its last write: each time it must
    raise and leave every table (and the stored files) as it was. ``audited`` is False
    for an action that writes no audit event of its own (failed at its last write only)."""
    before = database_state()
    run = dry_run(action)
    assert run.writes, "the action wrote nothing, so this check would prove nothing"
    after_dry_run = database_state()
    changes = state_changes(_without_files(before), _without_files(after_dry_run))
    assert not changes, "the dry run's savepoint did not roll back:\n" + "\n".join(changes)
    # A file stored by the dry run stays (no rollback reaches the storage): the faults
    # below are raised inside the action, which must clean up after itself.
    before = after_dry_run
    if audited:
        assert run.audit_codes, "the action recorded no audit event"
        escaped = _fail(action, failing_audit_write(), "its audit write")
        _assert_unchanged(before, escaped, "the audit write failed")
    last = len(run.writes)
    fault = failing_write_statement(last)
    escaped = _fail(action, fault, f"its write {last} ({run.writes[-1][:80]})")
    _assert_unchanged(before, escaped, f"its last write ({run.writes[-1][:80]}) failed")
    return run
