from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from earlyhelp.core.backup import BackupError, compare_with_manifest, restore_database


class Command(BaseCommand):
    help = (
        "Restore a backup into a new or empty database (never over one that holds "
        "tables), then compare its row counts and triggers with the backup's manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="The backup file")
        parser.add_argument(
            "--target",
            required=True,
            help="Database URL to restore into, e.g. postgres://postgres@127.0.0.1:5432/new "
            "or sqlite:////srv/earlyhelp/restored.sqlite3",
        )

    def handle(self, *args, input: str, target: str, **options):
        try:
            manifest = restore_database(Path(input), target)
            differences = compare_with_manifest(manifest, target)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if differences:
            raise CommandError(
                "The restored database differs from the backup's manifest:\n"
                + "\n".join(f"  {difference}" for difference in differences)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {manifest.rows:,} rows in {len(manifest.tables)} tables and "
                f"{len(manifest.triggers)} triggers; counts match the manifest."
            )
        )
