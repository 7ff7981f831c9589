from django.urls import path

from earlyhelp.people import views

app_name = "people"

urlpatterns = [
    path("", views.family_list, name="family-list"),
    path("<int:family_id>/", views.family_detail, name="family-detail"),
    path("<int:family_id>/address/", views.change_address, name="change-address"),
    path("people/search/", views.person_search, name="person-search"),
    path("people/<int:person_id>/merge/", views.merge_person, name="merge-person"),
]
