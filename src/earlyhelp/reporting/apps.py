from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "earlyhelp.reporting"
    label = "reporting"
    verbose_name = "Performance and governance reports"

    def ready(self) -> None:
        from earlyhelp.reporting import rules  # noqa: F401 - registers the permissions
