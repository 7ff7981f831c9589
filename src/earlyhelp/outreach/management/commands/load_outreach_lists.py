from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from earlyhelp.outreach.services import LISTS_PATH, ListsError, load_outreach_lists


class Command(BaseCommand):
    help = (
        "Load the configured lists of outreach and Talkzone (issues raised, topics, age "
        "bands, Talkzone's opening hours). With --demo-seed, also make a few weeks of "
        "synthetic outreach sessions, Talkzone contacts and rota once demo staff exist."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(LISTS_PATH))
        parser.add_argument(
            "--demo-seed",
            type=int,
            default=None,
            help="Seed of the synthetic outreach demo data (made once, after seed_demo)",
        )

    def handle(self, *args, path: str, demo_seed: int | None, **options):
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
            summary = load_outreach_lists(data=data, source="manage.py load_outreach_lists")
        except (OSError, yaml.YAMLError, ListsError) as error:
            raise CommandError(f"{path}: {error}") from error
        self.stdout.write(
            f"Outreach lists loaded: {summary['issues']} issues, {summary['talkzone_topics']} "
            f"Talkzone topics, {summary['age_bands']} age bands, "
            f"{summary['talkzone_opening']} opening window(s)."
        )
        if demo_seed is not None:
            from earlyhelp.outreach.demo import seed_outreach_demo

            made = seed_outreach_demo(seed=demo_seed)
            if made is None:
                self.stdout.write("Outreach demo data: already loaded, or no demo staff yet.")
            else:
                self.stdout.write(
                    f"Outreach demo data: {made.sessions} sessions, {made.contacts} Talkzone "
                    f"contacts, {made.shifts} rota shifts."
                )
