from django.contrib import admin

from earlyhelp.audit.admin_mixins import AuditedModelAdmin
from earlyhelp.claims.models import ClaimFramework, FrameworkNeed


class FrameworkNeedInline(admin.TabularInline):
    model = FrameworkNeed
    extra = 0
    fields = [
        "code",
        "title",
        "headline_code",
        "headline_title",
        "tfu_criterion_number",
        "sort_order",
        "is_current",
    ]


@admin.register(ClaimFramework)
class ClaimFrameworkAdmin(AuditedModelAdmin):
    """The claim frameworks' rules (loaded by ``manage.py load_claim_frameworks``): a
    system administrator can change thresholds and periods, and which one is active."""

    list_display = ["name", "code", "version", "is_active", "min_needs", "sustain_months"]
    readonly_fields = ["code", "loaded_at"]
    inlines = [FrameworkNeedInline]
