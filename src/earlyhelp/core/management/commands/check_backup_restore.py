import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from earlyhelp.core.backup import (
    POSTGRESQL,
    BackupError,
    backup_database,
    compare_with_manifest,
    drop_postgresql_database,
    engine_of,
    restore_database,
)


def _scratch_target(directory: Path) -> str:
    """A database URL nobody uses: a new file, or a new database on the same server."""
    settings_dict = connection.settings_dict
    if engine_of(settings_dict) != POSTGRESQL:
        return f"sqlite:///{directory / 'restored.sqlite3'}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    name = f"{settings_dict['NAME']}_restore_check_{os.getpid()}"
    return f"postgres://{credentials}{host}:{port}/{name}"


class Command(BaseCommand):
    help = (
        "Prove the backup procedure: back up this database, restore it into a fresh "
        "one, compare every table's row count and the triggers, then remove the copy."
    )

    def handle(self, *args, **options):
        with tempfile.TemporaryDirectory(prefix="earlyhelp-backup-") as scratch:
            directory = Path(scratch)
            target = _scratch_target(directory)
            try:
                manifest = backup_database(directory / "earlyhelp.backup")
                restore_database(directory / "earlyhelp.backup", target)
                differences = compare_with_manifest(manifest, target)
            except BackupError as error:
                raise CommandError(str(error)) from error
            finally:
                if target.startswith("postgres"):
                    drop_postgresql_database(target)
        if differences:
            raise CommandError(
                "The restored copy differs from the backup:\n"
                + "\n".join(f"  {difference}" for difference in differences)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup and restore checked ({manifest.engine}): {manifest.rows:,} rows in "
                f"{len(manifest.tables)} tables and {len(manifest.triggers)} triggers match."
            )
        )
