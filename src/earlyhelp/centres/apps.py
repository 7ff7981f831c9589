from django.apps import AppConfig


class CentresConfig(AppConfig):
    name = "earlyhelp.centres"
    label = "centres"
    verbose_name = "Neighbourhood centres and group programmes"
