"""Back up the database, restore a backup into a fresh database and prove it complete.

A backup is one file plus a manifest beside it (`<file>.manifest.json`) holding the row
count of every table and the names of the database's triggers (the audit log's
append-only triggers among them), taken from the same snapshot as the backup itself:
SQLite's online backup API copies a consistent file and the counts are read from that
copy; on PostgreSQL the counts are taken in a repeatable-read transaction whose snapshot
pg_dump then exports (`--snapshot`), so writes made while the backup runs are in neither.

Restoring never writes over a database that holds tables: the target must be new or
empty. Verifying compares the restored database's counts and triggers with the manifest.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dj_database_url
from django.db import connections

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
MANIFEST_SUFFIX = ".manifest.json"


class BackupError(Exception):
    """A backup, restore or check that could not be done; the message says why."""


@dataclass(frozen=True)
class Manifest:
    """What a backup holds: rows per table and trigger names, as of its snapshot."""

    engine: str
    created_at: str
    tables: dict[str, int]
    triggers: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def write(self, backup: Path) -> Path:
        path = manifest_path(backup)
        path.write_text(json.dumps(self.__dict__, indent=2, sort_keys=True), encoding="utf-8")
        return path

    @classmethod
    def read(cls, backup: Path) -> Manifest:
        path = manifest_path(backup)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise BackupError(f"Cannot read the manifest {path}: {error.strerror}") from error
        except json.JSONDecodeError as error:
            raise BackupError(f"The manifest {path} is not valid JSON: {error}") from error
        return cls(
            engine=data["engine"],
            created_at=data["created_at"],
            tables={name: int(count) for name, count in data["tables"].items()},
            triggers=list(data.get("triggers", [])),
        )


@dataclass(frozen=True)
class Difference:
    """One way a restored database differs from its manifest."""

    what: str
    expected: object
    found: object

    def __str__(self) -> str:
        return f"{self.what}: expected {self.expected}, found {self.found}"


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


def engine_of(settings_dict: Mapping[str, Any]) -> str:
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return SQLITE
    if "postgresql" in engine:
        return POSTGRESQL
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# SQLite ------------------------------------------------------------------------------


def _sqlite_contents(conn: sqlite3.Connection) -> tuple[dict[str, int], list[str]]:
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    counts = {
        table: conn.execute(f"SELECT COUNT(*) FROM {_quote(table)}").fetchone()[0]  # noqa: S608
        for table in tables
    }
    triggers = [
        row[0]
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY 1")
    ]
    return counts, triggers


def _backup_sqlite(alias: str, destination: Path) -> Manifest:
    connection = connections[alias]
    connection.ensure_connection()
    if destination.exists():
        destination.unlink()
    target = sqlite3.connect(destination)
    try:
        connection.connection.backup(target)
        tables, triggers = _sqlite_contents(target)
    finally:
        target.close()
    return Manifest(engine=SQLITE, created_at=_now(), tables=tables, triggers=triggers)


def _sqlite_path(url: str) -> Path:
    name = dj_database_url.parse(url)["NAME"]
    if not name or name == ":memory:":
        raise BackupError("Restore SQLite into a file: give a sqlite:////path URL")
    return Path(name)


def _restore_sqlite(backup: Path, target_url: str) -> None:
    path = _sqlite_path(target_url)
    if path.exists() and path.stat().st_size > 0:
        with sqlite3.connect(path) as conn:
            tables, _ = _sqlite_contents(conn)
        if tables:
            raise BackupError(f"{path} already holds tables: restore into a new database")
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(backup, path)


# PostgreSQL --------------------------------------------------------------------------


def _pg_settings(url_or_settings: str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(url_or_settings, str):
        return dj_database_url.parse(url_or_settings)
    return url_or_settings


def _pg_environment(settings_dict: Mapping[str, Any]) -> dict[str, str]:
    """libpq's environment for the command-line tools: no password on a command line."""
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        value = settings_dict.get(key)
        if value:
            env[variable] = str(value)
        else:
            env.pop(variable, None)
    return env


def _pg_connect(settings_dict: Mapping[str, Any], dbname: str | None = None):
    import psycopg

    return psycopg.connect(
        dbname=dbname or settings_dict["NAME"],
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
    )


def _pg_contents(conn) -> tuple[dict[str, int], list[str]]:
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    counts = {
        table: conn.execute(f"SELECT COUNT(*) FROM {_quote(table)}").fetchone()[0]  # noqa: S608
        for table in tables
    }
    triggers = [
        row[0]
        for row in conn.execute(
            "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT t.tgisinternal AND n.nspname = 'public' ORDER BY 1"
        )
    ]
    return counts, triggers


def _run(command: list[str], env: Mapping[str, str]) -> None:
    executable = shutil.which(command[0])
    if executable is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client tools)")
    done = subprocess.run(  # noqa: S603 - fixed tools, arguments from our own settings
        [executable, *command[1:]], env=dict(env), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip() or done.stdout.strip()}")


def _backup_postgresql(alias: str, destination: Path) -> Manifest:
    settings_dict = connections[alias].settings_dict
    with _pg_connect(settings_dict) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        tables, triggers = _pg_contents(conn)
        # pg_dump reads the snapshot this transaction exported, so the counts match.
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={destination}",
            ],
            _pg_environment(settings_dict),
        )
        conn.rollback()
    return Manifest(engine=POSTGRESQL, created_at=_now(), tables=tables, triggers=triggers)


def _create_empty_postgresql(settings_dict: Mapping[str, Any]) -> None:
    from psycopg import sql

    name = settings_dict["NAME"]
    with _pg_connect(settings_dict, dbname="postgres") as admin:
        admin.autocommit = True
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return
    with _pg_connect(settings_dict) as conn:
        tables, _ = _pg_contents(conn)
    if tables:
        raise BackupError(f"Database {name} already holds tables: restore into a new database")


def _restore_postgresql(backup: Path, target_url: str) -> None:
    settings_dict = _pg_settings(target_url)
    _create_empty_postgresql(settings_dict)
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={settings_dict['NAME']}",
            str(backup),
        ],
        _pg_environment(settings_dict),
    )


def drop_postgresql_database(target_url: str) -> None:
    """Drop a database made by a restore check."""
    from psycopg import sql

    settings_dict = _pg_settings(target_url)
    with _pg_connect(settings_dict, dbname="postgres") as admin:
        admin.autocommit = True
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(settings_dict["NAME"])
            )
        )


# The procedure -----------------------------------------------------------------------


def backup_database(destination: Path, *, alias: str = "default") -> Manifest:
    """Write a backup of the database to `destination` and its manifest beside it."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    engine = engine_of(connections[alias].settings_dict)
    if engine == SQLITE:
        manifest = _backup_sqlite(alias, destination)
    else:
        manifest = _backup_postgresql(alias, destination)
    manifest.write(destination)
    return manifest


def restore_database(backup: Path, target_url: str) -> Manifest:
    """Restore `backup` into the new or empty database at `target_url`."""
    backup = Path(backup)
    if not backup.is_file():
        raise BackupError(f"No backup at {backup}")
    manifest = Manifest.read(backup)
    target_engine = engine_of(dj_database_url.parse(target_url))
    if target_engine != manifest.engine:
        raise BackupError(
            f"A {manifest.engine} backup restores into {manifest.engine}, not {target_engine}"
        )
    if manifest.engine == SQLITE:
        _restore_sqlite(backup, target_url)
    else:
        _restore_postgresql(backup, target_url)
    return manifest


def database_contents(target_url: str) -> tuple[dict[str, int], list[str]]:
    """Rows per table and trigger names of the database at `target_url`."""
    settings_dict = dj_database_url.parse(target_url)
    if engine_of(settings_dict) == SQLITE:
        with sqlite3.connect(_sqlite_path(target_url)) as conn:
            return _sqlite_contents(conn)
    with _pg_connect(settings_dict) as conn:
        return _pg_contents(conn)


def compare_with_manifest(manifest: Manifest, target_url: str) -> list[Difference]:
    """How the database at `target_url` differs from the manifest; empty when it matches."""
    tables, triggers = database_contents(target_url)
    differences = [
        Difference(f"rows in {table}", expected, tables.get(table, "no such table"))
        for table, expected in sorted(manifest.tables.items())
        if tables.get(table) != expected
    ]
    differences += [
        Difference(f"table {table}", "absent", "present")
        for table in sorted(set(tables) - set(manifest.tables))
    ]
    if sorted(triggers) != sorted(manifest.triggers):
        differences.append(Difference("triggers", sorted(manifest.triggers), sorted(triggers)))
    return differences
