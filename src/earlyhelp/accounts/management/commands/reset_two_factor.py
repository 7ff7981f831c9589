from django.core.management.base import BaseCommand, CommandError

from earlyhelp.accounts.models import User
from earlyhelp.accounts.services import reset_two_factor


class Command(BaseCommand):
    help = (
        "Break glass: reset a staff user's two-factor sign-in (authenticator app and "
        "recovery codes) when no system administrator can sign in to do it. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The staff user whose two-factor sign-in to reset")

    def handle(self, *args, email: str, **options):
        user = User.objects.filter(email=email.lower()).first()
        if user is None:
            raise CommandError(f"No staff account with the email address {email}")
        reset_two_factor(actor=None, user_id=user.pk, source="manage.py reset_two_factor")
        self.stdout.write(
            f"Two-factor sign-in reset for {user.email}. They will set up an authenticator "
            "app when they next sign in."
        )
