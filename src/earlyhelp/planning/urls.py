from django.urls import path

from earlyhelp.planning import views

app_name = "planning"

urlpatterns = [
    path("", views.scenario_list, name="list"),
    path("new/", views.scenario_new, name="new"),
    path("compare/", views.compare, name="compare"),
    path("compare/export/", views.compare_export, name="compare-export"),
    path("<int:scenario_id>/", views.scenario_detail, name="detail"),
    path("<int:scenario_id>/inputs/", views.scenario_edit, name="edit"),
    path("<int:scenario_id>/file/", views.scenario_edit_file, name="edit-file"),
    path("<int:scenario_id>/copy/", views.scenario_copy, name="copy"),
    path("<int:scenario_id>/rename/", views.scenario_rename, name="rename"),
    path("<int:scenario_id>/delete/", views.scenario_delete, name="delete"),
    path("<int:scenario_id>/simulate/", views.scenario_simulate, name="simulate"),
    path("<int:scenario_id>/export/", views.scenario_export, name="export"),
]
