from django.urls import path

from earlyhelp.workforce import views

app_name = "workforce"

urlpatterns = [
    path("", views.team_index, name="teams"),
    path("me/", views.my_capacity, name="me"),
    path("teams/<int:team_id>/", views.team, name="team"),
    path("workers/<int:staff_id>/", views.worker, name="worker"),
    path("workers/<int:staff_id>/absences/new/", views.record_absence, name="record-absence"),
    path("workers/<int:staff_id>/capacity/", views.edit_capacity, name="edit-capacity"),
    path("workers/<int:staff_id>/reassign/", views.reassign, name="reassign"),
    path("absences/<int:absence_id>/cancel/", views.cancel_absence, name="cancel-absence"),
]
