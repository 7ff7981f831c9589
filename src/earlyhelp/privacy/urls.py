from django.urls import path

from earlyhelp.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.index, name="index"),
    path("subject-access/", views.subject_access_search, name="subject-access-search"),
    path("subject-access/<int:person_id>/", views.subject_access, name="subject-access"),
    path("retention/", views.review_list, name="review-list"),
    path("retention/families/<int:family_id>/", views.family_decision, name="family-decision"),
    path("retention/reviews/<int:review_id>/", views.review, name="review"),
    path("retention/reviews/<int:review_id>/erase/", views.erase, name="erase"),
]
