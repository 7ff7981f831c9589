from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "earlyhelp.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # Registers what happens when each kind of approval is decided.
        from earlyhelp.cases import services  # noqa: F401
