from django.urls import path

from earlyhelp.allocation import views

app_name = "allocation"

urlpatterns = [
    path("", views.index, name="index"),
    path("teams/<int:team_id>/", views.team_queue, name="team"),
    path("districts/<int:district_id>/", views.district_queue, name="district"),
    path("proposals/<int:proposal_id>/", views.proposal, name="proposal"),
]
