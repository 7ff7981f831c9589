from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs) -> None:
    from earlyhelp.accounts.services import sync_role_groups

    sync_role_groups()


class AccountsConfig(AppConfig):
    name = "earlyhelp.accounts"
    label = "accounts"
    verbose_name = "Staff accounts"

    def ready(self) -> None:
        from earlyhelp.accounts import checks, signals  # noqa: F401

        # After every migrate, including the test database's, the role groups match
        # ROLE_PERMISSIONS.
        post_migrate.connect(_sync_roles, dispatch_uid="earlyhelp.sync_role_groups")
