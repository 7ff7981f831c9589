from django.urls import path

from earlyhelp.tasks import views

app_name = "tasks"

urlpatterns = [
    path("", views.task_list, name="list"),
]
