from django.urls import path

from earlyhelp.outreach import views

app_name = "talkzone"

urlpatterns = [
    path("", views.contact_log, name="contact-log"),
    path("new/", views.record_contact, name="record-contact"),
    path("<int:contact_id>/", views.contact_detail, name="contact-detail"),
    path("rota/", views.rota, name="rota"),
    path("rota/<int:shift_id>/remove/", views.remove_shift, name="remove-shift"),
]
