"""Planning scenarios in the admin: for looking, not changing. A scenario's inputs are
checked by the resource model and versioned, so every change goes through the
planning pages or API (planning/services.py)."""

from __future__ import annotations

from django.contrib import admin

from earlyhelp.audit.admin_mixins import AuditedModelAdmin
from earlyhelp.planning.models import PlanningScenario


@admin.register(PlanningScenario)
class PlanningScenarioAdmin(AuditedModelAdmin):
    list_display = ("name", "owner", "is_default", "version", "updated_at", "simulated_at")
    list_filter = ("is_default",)
    search_fields = ("name", "description")
    list_select_related = ("owner",)
    readonly_fields = [field.name for field in PlanningScenario._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
