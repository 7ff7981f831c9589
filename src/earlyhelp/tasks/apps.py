from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "earlyhelp.tasks"
    label = "tasks"
    verbose_name = "Tasks"
