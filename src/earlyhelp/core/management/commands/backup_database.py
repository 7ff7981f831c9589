from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from earlyhelp.core.backup import BackupError, backup_database, manifest_path


class Command(BaseCommand):
    help = (
        "Back up the database to one file (SQLite's online backup, or pg_dump's custom "
        "format) with a manifest of row counts and triggers beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="File to write the backup to")

    def handle(self, *args, output: str, **options):
        destination = Path(output)
        try:
            manifest = backup_database(destination)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {manifest.rows:,} rows in {len(manifest.tables)} tables "
                f"({manifest.engine}) to {destination}; manifest {manifest_path(destination)}"
            )
        )
