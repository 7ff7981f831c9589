from django.core.management.base import BaseCommand, CommandError

from earlyhelp.domain.resource_model import ScenarioError
from earlyhelp.planning.calibration import calibrate
from earlyhelp.planning.cli import add_simulate_arguments, read_scenario, render_simulation


class Command(BaseCommand):
    help = (
        "Simulate service years of a scenario (the seed's by default) and print the waits to "
        "allocation, the share allocated on time, caseloads and utilisation with their 95% "
        "intervals. --calibrate-from-database takes the arrival rate and case-type mix of "
        "the last 12 months from the database."
    )

    def add_arguments(self, parser):
        add_simulate_arguments(parser)
        parser.add_argument(
            "--calibrate-from-database",
            action="store_true",
            help="Arrival rate and case-type mix from the last 12 months' records",
        )

    def handle(
        self,
        *args,
        scenario_file,
        replications,
        seed,
        workers,
        processes,
        output_format,
        calibrate_from_database,
        **options,
    ):
        try:
            if scenario_file and calibrate_from_database:
                # A bad scenario file is reported before the database is read.
                read_scenario(scenario_file)
            text = render_simulation(
                scenario_file=scenario_file,
                replications=replications,
                seed=seed,
                workers=workers,
                processes=processes,
                output_format=output_format,
                calibration=calibrate() if calibrate_from_database else None,
            )
        except ScenarioError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(text)
