from django.urls import path

from earlyhelp.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("figure/", views.figure, name="figure"),
    path("governance/", views.reports, name="reports"),
    path("governance/<int:report_id>/", views.download, name="download"),
    path("extracts/<str:kind>.csv", views.extract, name="extract"),
]
