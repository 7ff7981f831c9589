from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from earlyhelp.workforce.demo import demo_data_loaded


class Command(BaseCommand):
    help = (
        "What `make run` needs in one start-up: migrate, load the configuration and the "
        "synthetic demo set on the first run only, and print the demo sign-ins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--configuration",
            default=str(Path(settings.BASE_DIR) / "configuration" / "lancashire.yaml"),
        )
        parser.add_argument("--families", type=int, default=120)
        parser.add_argument("--staff", type=int, default=160)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, configuration: str, families: int, staff: int, seed: int, **options):
        out = {"stdout": self.stdout, "stderr": self.stderr}
        call_command("migrate", verbosity=0, **out)
        if not demo_data_loaded():
            call_command("load_configuration", configuration, **out)
            call_command("seed_demo", families=families, staff=staff, seed=seed, **out)
        call_command("load_outreach_lists", demo_seed=seed, **out)
        call_command("load_centres", demo=True, seed=seed, **out)
        call_command("load_claim_frameworks", demo=True, seed=seed, **out)
        call_command("demo_sign_ins", **out)
