from django.urls import path

from earlyhelp.approvals import views

app_name = "approvals"

urlpatterns = [
    path("<int:approval_id>/", views.decide, name="decide"),
]
