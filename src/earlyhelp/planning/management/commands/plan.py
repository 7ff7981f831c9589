from django.core.management.base import BaseCommand, CommandError

from earlyhelp.domain.resource_model import ScenarioError
from earlyhelp.planning.cli import add_arguments, render_plan


class Command(BaseCommand):
    help = (
        "Print the resource model's figures for a scenario (the seed's by default), "
        "or with --dump-scenario the scenario itself in the format --scenario-file reads."
    )

    def add_arguments(self, parser):
        add_arguments(parser)

    def handle(self, *args, scenario_file, output_format, dump_scenario, **options):
        try:
            text = render_plan(
                scenario_file=scenario_file,
                output_format=output_format,
                dump_scenario=dump_scenario,
            )
        except ScenarioError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(text)
