from django.apps import AppConfig


class CountyConfig(AppConfig):
    name = "earlyhelp.county"
    label = "county"
    verbose_name = "County-scale synthetic data for speed tests"
