from django.core.management.base import BaseCommand, CommandError

from earlyhelp.centres.loader import DEFAULT_PATH, CentresConfigurationError, load_centres


class Command(BaseCommand):
    help = (
        "Load the neighbourhood centres, their offers, age bands and the group programme "
        "catalogue (idempotent). With --demo, also a synthetic weekly programme, rota and "
        "group runs with registers, once."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH))
        parser.add_argument("--demo", action="store_true")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, path: str, demo: bool, seed: int, **options):
        try:
            summary = load_centres(path)
        except CentresConfigurationError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Loaded {summary.centres} centre buildings holding {summary.offer_holders} offers "
            f"({summary.sessions_per_week} sessions a week), {summary.programmes} group "
            "programmes."
        )
        if demo:
            from earlyhelp.centres.demo import seed_centres_demo

            made = seed_centres_demo(seed=seed)
            if made is None:
                self.stdout.write("Demo programme already loaded.")
            else:
                self.stdout.write(
                    f"Demo programme: {made.sessions} weekly sessions, {made.rota} rota "
                    f"entries, {made.runs} group runs, {made.attendances} named attendances."
                )
