from django.apps import AppConfig


class ConfigurationConfig(AppConfig):
    name = "earlyhelp.configuration"
    label = "configuration"
    verbose_name = "Service configuration"
