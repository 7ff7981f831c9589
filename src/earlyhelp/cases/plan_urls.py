"""Routes of the Level 2 plan to closure, reviews, safeguarding and the chronology.

Included by cases/urls.py, so the names live in its "cases" namespace (no app_name here).
"""

from django.urls import path

from earlyhelp.cases import plan_views

urlpatterns = [
    path("<int:case_id>/plan/actions/new/", plan_views.add_action, name="add-action"),
    path("<int:case_id>/plan/taf/new/", plan_views.schedule_taf, name="schedule-taf"),
    path("<int:case_id>/plan/submit/", plan_views.submit_caf, name="submit-caf"),
    path("<int:case_id>/reviews/new/", plan_views.record_review, name="record-review"),
    path("<int:case_id>/closure/", plan_views.request_closure, name="request-closure"),
    path(
        "<int:case_id>/safeguarding/new/",
        plan_views.raise_safeguarding,
        name="raise-safeguarding",
    ),
    path(
        "safeguarding/<int:concern_id>/outcome/",
        plan_views.safeguarding_outcome,
        name="safeguarding-outcome",
    ),
    path(
        "<int:case_id>/safeguarding-notes/new/",
        plan_views.add_safeguarding_note,
        name="add-safeguarding-note",
    ),
    path("<int:case_id>/chronology/", plan_views.chronology, name="chronology"),
]
