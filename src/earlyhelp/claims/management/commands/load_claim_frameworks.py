from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from earlyhelp.claims.loader import load_frameworks
from earlyhelp.domain.claims import FrameworkError


class Command(BaseCommand):
    help = (
        "Load the payment-by-results claim frameworks (Troubled Families phase 2 and "
        "Supporting Families 2022-25 are shipped). Safe to run again. With --demo, also "
        "attach some synthetic families with progress and one claim."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="*", help="Framework YAML files (the shipped ones if none)"
        )
        parser.add_argument("--activate", help="Make the framework with this code active")
        parser.add_argument(
            "--demo", action="store_true", help="Also load the demo attachments and claim"
        )
        parser.add_argument("--seed", type=int, default=2026, help="Same seed, same demo")

    def handle(self, *args, files, activate, demo, seed, **options):
        try:
            summary = load_frameworks([Path(f) for f in files] or None, activate=activate)
        except FrameworkError as error:
            raise CommandError("\n".join(error.problems)) from error
        parts = [
            f"{label}: {', '.join(codes)}"
            for label, codes in (
                ("created", summary.created),
                ("updated", summary.updated),
                ("unchanged", summary.unchanged),
            )
            if codes
        ]
        self.stdout.write(f"Claim frameworks {'; '.join(parts)}. Active: {summary.active}.")
        if demo:
            from earlyhelp.claims.demo import seed_claims_demo

            result = seed_claims_demo(seed=seed)
            self.stdout.write(result)
