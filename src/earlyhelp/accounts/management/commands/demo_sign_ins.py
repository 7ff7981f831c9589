from django.core.management.base import BaseCommand

from earlyhelp.accounts.models import User
from earlyhelp.workforce.demo import DEMO_PASSWORD, demo_sign_in_emails

URL = "http://127.0.0.1:8000/"


class Command(BaseCommand):
    help = "List the demo sign-ins (one per role) made by seed_demo, with the demo password."

    def handle(self, *args, **options):
        emails = demo_sign_in_emails()
        existing = set(
            User.objects.filter(email__in=emails.values(), is_active=True).values_list(
                "email", flat=True
            )
        )
        rows = [(role.label, email) for role, email in emails.items() if email in existing]
        if not rows:
            self.stdout.write(
                "No demo sign-ins exist. Load the demo data first: "
                "manage.py seed_demo --families 120 --staff 160 --seed 2026"
            )
            return
        width = max(len("Role"), *(len(label) for label, _ in rows))
        self.stdout.write(f"Demo sign-ins at {URL}")
        self.stdout.write("")
        self.stdout.write(f"  {'Role':<{width}}  Email")
        self.stdout.write(f"  {'-' * width}  {'-' * max(len(email) for _, email in rows)}")
        for label, email in rows:
            self.stdout.write(f"  {label:<{width}}  {email}")
        self.stdout.write("")
        self.stdout.write(f"Password for every demo sign-in: {DEMO_PASSWORD}")
        self.stdout.write(
            "No two-factor code is asked for: `make run` serves the demo with "
            "TWO_FACTOR_REQUIRED=0. A live service leaves it on, and each person sets up "
            "an authenticator app at their first sign-in (see README.md, 'Signing in and "
            "two-factor authentication')."
        )
        self.stdout.write(
            "All people, families and staff in the demo data are synthetic (made up). "
            "Demo only: never use these sign-ins or this password in a live service."
        )
