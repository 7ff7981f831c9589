from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "earlyhelp.allocation"
    label = "allocation"
    verbose_name = "Allocation"
