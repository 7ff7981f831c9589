"""``manage.py load_configuration FILE``: load the service's configuration from YAML."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from earlyhelp.configuration.loader import ConfigurationError, read_configuration
from earlyhelp.configuration.services import load_configuration


class Command(BaseCommand):
    help = (
        "Load the service's configuration (localities, districts, levels, case types, "
        "outcomes, timescales, closure days) from a YAML file. Loading the same file again "
        "changes nothing; a file with any problem loads nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="The configuration file, e.g. configuration/lancashire.yaml"
        )

    def handle(self, *args, file: str, **options):
        try:
            data = read_configuration(file)
            summary = load_configuration(actor=None, data=data, source=file)
        except FileNotFoundError as exc:
            raise CommandError(f"{file}: no such file") from exc
        except IsADirectoryError as exc:
            raise CommandError(f"{file}: is a folder, not a configuration file") from exc
        except ConfigurationError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{file}:{problem.line}: {problem.field}: {problem.message}")
            count = len(exc.problems)
            raise CommandError(
                f"{file}: {count} problem{'s' if count != 1 else ''} found; nothing was loaded"
            ) from exc
        verb = "Loaded" if summary.changed else "Already up to date:"
        self.stdout.write(
            f"{verb} configuration {summary.configuration_version} for "
            f"{summary.council_name} from {file}"
        )
        for line in summary.lines():
            self.stdout.write(f"  {line}")
