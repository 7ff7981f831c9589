from django.urls import path

from earlyhelp.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.new_request, name="new"),
    path("match-people/", views.match_people, name="match-people"),
    path("<int:request_id>/", views.request_detail, name="detail"),
    path("<int:request_id>/allocate/", views.allocate, name="allocate"),
    path("<int:request_id>/resubmit/", views.resubmit, name="resubmit"),
    path("<int:request_id>/withdraw/", views.withdraw, name="withdraw"),
]
