from django.urls import path

from earlyhelp.outreach import views

app_name = "outreach"

urlpatterns = [
    path("", views.session_list, name="session-list"),
    path("new/", views.record_session, name="record-session"),
    path("<int:session_id>/", views.session_detail, name="session-detail"),
    path("areas/", views.areas_served, name="areas-served"),
    path("reach/", views.reach, name="reach"),
]
