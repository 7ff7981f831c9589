from django.urls import path

from earlyhelp.centres import views

app_name = "centres"

urlpatterns = [
    path("", views.centre_list, name="list"),
    path("check/", views.specification_check, name="check"),
    path("<int:centre_id>/", views.centre_detail, name="detail"),
    path("<int:centre_id>/sessions/new/", views.session_new, name="session-new"),
    path("sessions/<int:session_id>/", views.session_detail, name="session"),
    path("sessions/<int:session_id>/rota/", views.rota_add, name="rota-add"),
    path(
        "sessions/<int:session_id>/rota/<int:staff_id>/remove/",
        views.rota_remove,
        name="rota-remove",
    ),
    path("sessions/<int:session_id>/withdraw/", views.session_withdraw, name="session-withdraw"),
    path("sessions/<int:session_id>/record/", views.occurrence_record, name="occurrence-record"),
    path("programmes/", views.programme_list, name="programmes"),
    path("programmes/<int:programme_id>/", views.programme_detail, name="programme"),
    path("programmes/<int:programme_id>/runs/new/", views.run_new, name="run-new"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/enrol/", views.run_enrol, name="run-enrol"),
    path("group-sessions/<int:session_id>/register/", views.register, name="register"),
]
