"""The backup procedure: a backup restores into a fresh database with every row and the
audit log's triggers, a restore never writes over a database in use, and the check
notices a restored copy that lost a row. Runs on SQLite and, in CI, on PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from earlyhelp.accounts.roles import Role
from earlyhelp.audit.services import record_write
from earlyhelp.core.backup import (
    POSTGRESQL,
    BackupError,
    Manifest,
    backup_database,
    compare_with_manifest,
    database_contents,
    drop_postgresql_database,
    engine_of,
    restore_database,
)
from earlyhelp.people.models import Person
from tests.factories import make_staff

pytestmark = pytest.mark.django_db(transaction=True)


def _is_postgresql() -> bool:
    return engine_of(connection.settings_dict) == POSTGRESQL


@pytest.fixture
def target(tmp_path):
    """A database URL that does not exist yet; dropped afterwards on PostgreSQL."""
    if not _is_postgresql():
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    settings_dict = connection.settings_dict
    user = settings_dict.get("USER") or "postgres"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    url = f"postgres://{user}@{host}:{port}/{settings_dict['NAME']}_restored_{os.getpid()}"
    yield url
    drop_postgresql_database(url)


@pytest.fixture
def records():
    """Some committed rows, including audit events behind their append-only triggers."""
    worker = make_staff(Role.KEY_WORKER)
    people = [Person.objects.create(first_name="Ada", last_name=f"Test{n}") for n in range(3)]
    for person in people:
        record_write(
            actor=worker,
            code="people.person.created",
            instance=person,
            changes={"last_name": [None, person.last_name]},
        )
    return people


def _delete_a_person(url: str) -> None:
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as conn:
            conn.execute("DELETE FROM people_person WHERE id = (SELECT MIN(id) FROM people_person)")
        return
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
        conn.execute("DELETE FROM people_person WHERE id = (SELECT MIN(id) FROM people_person)")


def test_a_backup_restores_every_row_and_the_audit_triggers(records, tmp_path, target):
    backup = tmp_path / "earlyhelp.backup"

    manifest = backup_database(backup)
    restore_database(backup, target)

    assert manifest.tables["people_person"] == 3
    assert manifest.tables["audit_auditevent"] >= 3
    assert "audit_event_no_update" in manifest.triggers
    assert compare_with_manifest(manifest, target) == []
    tables, triggers = database_contents(target)
    assert tables == manifest.tables
    assert "audit_event_no_update" in triggers


def test_the_manifest_is_written_beside_the_backup_and_read_back(records, tmp_path):
    backup = tmp_path / "nightly.backup"

    written = backup_database(backup)

    assert Manifest.read(backup) == written
    assert written.rows == sum(written.tables.values())


def test_a_restore_never_writes_over_a_database_that_holds_tables(records, tmp_path, target):
    backup = tmp_path / "earlyhelp.backup"
    backup_database(backup)
    restore_database(backup, target)

    with pytest.raises(BackupError, match="already holds tables"):
        restore_database(backup, target)


def test_the_check_notices_a_restored_copy_that_lost_a_row(records, tmp_path, target):
    backup = tmp_path / "earlyhelp.backup"
    manifest = backup_database(backup)
    restore_database(backup, target)

    _delete_a_person(target)

    differences = compare_with_manifest(manifest, target)
    assert [str(d) for d in differences] == ["rows in people_person: expected 3, found 2"]


def test_a_backup_restores_only_into_the_same_engine(records, tmp_path):
    backup = tmp_path / "earlyhelp.backup"
    backup_database(backup)
    other = (
        f"sqlite:///{tmp_path / 'x.sqlite3'}"
        if _is_postgresql()
        else "postgres://postgres@127.0.0.1:5432/never_made"
    )

    with pytest.raises(BackupError, match="restores into"):
        restore_database(backup, other)


def test_restore_refuses_a_missing_backup(tmp_path, target):
    with pytest.raises(BackupError, match="No backup at"):
        restore_database(Path(tmp_path / "missing.backup"), target)


def test_the_check_command_restores_into_a_fresh_database_and_compares(records, capsys):
    call_command("check_backup_restore")

    out = capsys.readouterr().out
    assert "Backup and restore checked" in out
    assert "match" in out


def test_backup_and_restore_commands(records, tmp_path, target, capsys):
    backup = tmp_path / "earlyhelp.backup"
    call_command("backup_database", "--output", str(backup))
    call_command("restore_database", "--input", str(backup), "--target", target)

    out = capsys.readouterr().out
    assert "Backed up" in out
    assert "counts match the manifest" in out
    with pytest.raises(CommandError, match="already holds tables"):
        call_command("restore_database", "--input", str(backup), "--target", target)
