from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "earlyhelp.workforce"
    label = "workforce"
    verbose_name = "Workforce"
