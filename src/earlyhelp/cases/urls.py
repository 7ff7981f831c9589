from importlib.util import find_spec

from django.urls import include, path

from earlyhelp.cases import views

app_name = "cases"

# The caseload, the case page, contacts, assessment, Star and decision live in
# cases/views.py; the plan, reviews, closure, safeguarding and chronology in
# cases/plan_views.py (routes in cases/plan_urls.py).
urlpatterns: list = [
    path("", views.caseload, name="caseload"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/contacts/new/", views.record_contact, name="record-contact"),
    path("<int:case_id>/assessment/", views.assessment, name="assessment"),
    path("<int:case_id>/assessment/consent/", views.caf_consent, name="caf-consent"),
    path(
        "<int:case_id>/assessment/refusal-decision/",
        views.consent_refusal_decision,
        name="consent-refusal-decision",
    ),
    path(
        "<int:case_id>/assessment/employment-advisor/",
        views.employment_advisor,
        name="employment-advisor",
    ),
    path(
        "<int:case_id>/assessment/complete/",
        views.complete_assessment,
        name="complete-assessment",
    ),
    path("<int:case_id>/stars/new/", views.record_star, name="record-star"),
    path("<int:case_id>/decision/", views.decision, name="decision"),
]

# The plan pages are written alongside these; their routes join when the module exists.
if find_spec("earlyhelp.cases.plan_urls") is not None:
    urlpatterns.append(path("", include("earlyhelp.cases.plan_urls")))
