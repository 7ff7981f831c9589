from django.urls import path

from earlyhelp.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("", views.index, name="index"),
    path("star/", views.star, name="star"),
    path("cases/", views.cases, name="cases"),
    path("case/<int:case_id>/", views.case, name="case"),
]
