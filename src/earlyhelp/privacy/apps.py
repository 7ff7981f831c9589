from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "earlyhelp.privacy"
    label = "privacy"
    verbose_name = "Data protection: subject access, retention and erasure"
