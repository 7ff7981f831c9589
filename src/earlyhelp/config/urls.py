from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from earlyhelp.core.api import api

admin.site.site_header = "Early Help administration"
admin.site.site_title = "Early Help administration"

urlpatterns = [
    path("", include("earlyhelp.core.urls")),
    path("account/", include("earlyhelp.accounts.urls")),
    path("families/", include("earlyhelp.people.urls")),
    path("audit/", include("earlyhelp.audit.urls")),
    path("requests/", include("earlyhelp.referrals.urls")),
    path("cases/", include("earlyhelp.cases.urls")),
    path("workforce/", include("earlyhelp.workforce.urls")),
    path("allocation/", include("earlyhelp.allocation.urls")),
    path("tasks/", include("earlyhelp.tasks.urls")),
    path("approvals/", include("earlyhelp.approvals.urls")),
    path("centres/", include("earlyhelp.centres.urls")),
    path("outreach/", include("earlyhelp.outreach.urls")),
    path("talkzone/", include("earlyhelp.outreach.talkzone_urls")),
    path("planning/", include("earlyhelp.planning.urls")),
    path("claims/", include("earlyhelp.claims.urls")),
    path("outcomes/", include("earlyhelp.outcomes.urls")),
    path("reports/", include("earlyhelp.reporting.urls")),
    path("privacy/", include("earlyhelp.privacy.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path(
        "api/",
        TemplateView.as_view(template_name="core/api_index.html"),
        name="api-docs",
    ),
]

handler400 = "earlyhelp.core.views.bad_request"
handler403 = "earlyhelp.core.views.permission_denied"
handler404 = "earlyhelp.core.views.page_not_found"
handler500 = "earlyhelp.core.views.server_error"
