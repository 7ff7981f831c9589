from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "earlyhelp.outreach"
    label = "outreach"
    verbose_name = "Outreach, detached work and Talkzone"
