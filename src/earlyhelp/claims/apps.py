from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    label = "claims"
    name = "earlyhelp.claims"
    verbose_name = "Family outcomes claims"

    def ready(self) -> None:
        from earlyhelp.claims import rules  # noqa: F401 - registers the permissions
