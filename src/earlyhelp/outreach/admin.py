from django.contrib import admin

from earlyhelp.audit.admin_mixins import AuditedModelAdmin
from earlyhelp.outreach.models import (
    AgeBand,
    OpeningWindow,
    OutreachIssue,
    OutreachSession,
    TalkzoneContact,
    TalkzoneShift,
    TalkzoneTopic,
)


@admin.register(OutreachIssue, TalkzoneTopic)
class ConfiguredItemAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "sort_order", "active"]
    list_filter = ["active"]
    search_fields = ["name", "code"]


@admin.register(AgeBand)
class AgeBandAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "min_age", "max_age", "sort_order", "active"]
    list_filter = ["active"]


@admin.register(OpeningWindow)
class OpeningWindowAdmin(AuditedModelAdmin):
    list_display = ["__str__", "weekday", "opens_at", "closes_at"]


class RecordsAdmin(AuditedModelAdmin):
    """Sessions, contacts and shifts are made through the service pages, which apply the
    rules (double booking, in or out of hours); the admin only shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutreachSession)
class OutreachSessionAdmin(RecordsAdmin):
    list_display = ["__str__", "kind", "district", "venue_type", "starts_at", "recorded_by"]
    list_filter = ["kind", "venue_type", "district", "priority_neighbourhood"]
    raw_id_fields = ["workers", "people_met", "requests_for_support", "recorded_by"]
    date_hierarchy = "starts_at"


@admin.register(TalkzoneContact)
class TalkzoneContactAdmin(RecordsAdmin):
    list_display = ["__str__", "channel", "occurred_at", "in_hours", "topic", "outcome"]
    list_filter = ["channel", "in_hours", "outcome", "topic"]
    raw_id_fields = ["person", "request_for_support", "recorded_by"]
    date_hierarchy = "occurred_at"


@admin.register(TalkzoneShift)
class TalkzoneShiftAdmin(RecordsAdmin):
    list_display = ["__str__", "worker", "starts_at", "ends_at"]
    raw_id_fields = ["worker", "created_by"]
    date_hierarchy = "starts_at"
