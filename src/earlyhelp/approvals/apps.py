from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "earlyhelp.approvals"
    label = "approvals"
    verbose_name = "Approvals"
