from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "earlyhelp.planning"
    label = "planning"
    verbose_name = "Planning"
