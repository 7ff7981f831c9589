from django.contrib import admin

from earlyhelp.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log can be looked at, never edited."""

    list_display = ["occurred_at", "actor_label", "kind", "code", "object_type", "object_id"]
    list_filter = ["kind", "code"]
    search_fields = ["actor_label", "object_repr", "code"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
