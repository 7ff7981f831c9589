import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from earlyhelp.workforce.demo import (
    ConfigurationNotLoaded,
    DemoDataAlreadyLoaded,
    DemoDataError,
    demo_data_loaded,
    seed_demo,
)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--as-of must be a date like 2026-04-01, not {value!r}") from error


class Command(BaseCommand):
    help = (
        "Load synthetic demo data: staff shaped like the service's establishment, "
        "a named demo sign-in for every role, and made-up families. Needs the "
        "configuration loaded first. Does nothing if demo data is already loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument("--families", type=int, default=120, help="Families to make")
        parser.add_argument("--staff", type=int, default=160, help="Staff to make, roughly")
        parser.add_argument("--seed", type=int, default=2026, help="Same seed, same data")
        parser.add_argument(
            "--no-casework",
            action="store_true",
            help="Families only: no Requests for Support or cases",
        )
        parser.add_argument(
            "--as-of",
            type=_date,
            default=None,
            help="Date ages are worked out from (YYYY-MM-DD); today if not given",
        )

    def handle(
        self, *args, families: int, staff: int, seed: int, as_of, no_casework: bool, **options
    ):
        if demo_data_loaded():
            self.stdout.write("Demo data already loaded: nothing changed.")
            return
        started = time.perf_counter()
        try:
            summary = seed_demo(families=families, staff=staff, seed=seed, as_of=as_of)
        except DemoDataAlreadyLoaded:
            self.stdout.write("Demo data already loaded: nothing changed.")
            return
        except ConfigurationNotLoaded as error:
            raise CommandError(str(error)) from error
        except DemoDataError as error:
            raise CommandError(str(error)) from error
        casework = None
        if not no_casework:
            from earlyhelp.cases.demo import seed_casework
            from earlyhelp.outcomes.demo import seed_outcomes
            from earlyhelp.people.models import Family

            demo_families = list(
                Family.objects.filter(is_synthetic=True)
                .select_related("team__manager", "key_worker")
                .order_by("pk")
            )
            with transaction.atomic():
                casework = seed_casework(families=demo_families, seed=seed)
                seed_outcomes(seed=seed)
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded synthetic demo data (seed {summary.seed}, ages as of "
                f"{summary.as_of.day} {summary.as_of:%B %Y}) in {seconds:.1f} s: "
                f"{summary.staff} staff in {summary.teams} teams, {summary.families} families "
                f"({summary.allocated_families} allocated) with {summary.people} people."
            )
        )
        if casework is not None:
            self.stdout.write(
                f"Casework: {casework.cases} open cases, {casework.waiting} Requests for "
                f"Support waiting for allocation, {casework.returned} returned for consent."
            )
        self.stdout.write("Run `manage.py demo_sign_ins` to see the demo sign-ins.")
