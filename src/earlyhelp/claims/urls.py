from django.urls import path

from earlyhelp.claims import views

app_name = "claims"

urlpatterns = [
    path("", views.index, name="index"),
    path("families/", views.families, name="families"),
    path("eligible/", views.eligible, name="eligible"),
    path("report/", views.report, name="report"),
    path("report.<str:fmt>", views.export, name="export"),
    path("cases/<int:case_id>/", views.for_case, name="for-case"),
    path("cases/<int:case_id>/attach/", views.attach, name="attach"),
    path("families/<int:attachment_id>/", views.attachment_detail, name="attachment"),
    path(
        "families/<int:attachment_id>/progress/",
        views.record_progress,
        name="record-progress",
    ),
    path(
        "families/<int:attachment_id>/employment/",
        views.record_employment,
        name="record-employment",
    ),
    path(
        "families/<int:attachment_id>/employment/<int:episode_id>/end/",
        views.end_employment,
        name="end-employment",
    ),
    path("families/<int:attachment_id>/claim/", views.make_claim, name="make-claim"),
]
