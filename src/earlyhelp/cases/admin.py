from django.contrib import admin

from earlyhelp.audit.admin_mixins import AuditedModelAdmin
from earlyhelp.cases.models import Agency


@admin.register(Agency)
class AgencyAdmin(AuditedModelAdmin):
    """The directory of agencies invited to TAF meetings."""

    list_display = ["name", "kind", "email"]
    search_fields = ["name", "kind", "email"]
