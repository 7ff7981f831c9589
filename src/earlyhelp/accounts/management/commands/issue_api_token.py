from django.core.management.base import BaseCommand, CommandError

from earlyhelp.accounts.models import User
from earlyhelp.accounts.services import issue_api_token


class Command(BaseCommand):
    help = "Issue an API token for a staff user and print it once."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The staff user the integration acts as")
        parser.add_argument("name", help="What the token is for, e.g. 'MASH integration'")

    def handle(self, *args, email: str, name: str, **options):
        user = User.objects.filter(email=email.lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active staff account with the email address {email}")
        token, key = issue_api_token(actor=None, user=user, name=name, source="manage.py")
        self.stdout.write(f"Token {token.prefix}… for {user.email} ({name}):")
        self.stdout.write(key)
        self.stdout.write("Copy it now: it is stored only as a hash and cannot be shown again.")
