from django.contrib import admin

from earlyhelp.audit.admin_mixins import AuditedModelAdmin
from earlyhelp.workforce.models import Absence, StaffMember, Team


@admin.register(Team)
class TeamAdmin(AuditedModelAdmin):
    list_display = ["name", "district", "manager"]
    list_filter = ["district__locality", "district"]
    search_fields = ["name", "manager__first_name", "manager__last_name", "manager__email"]
    list_select_related = ["district", "manager"]
    raw_id_fields = ["manager"]


@admin.register(StaffMember)
class StaffMemberAdmin(AuditedModelAdmin):
    list_display = [
        "user",
        "job_title",
        "grade",
        "fte",
        "team",
        "locality",
        "line_manager",
        "is_synthetic",
    ]
    list_filter = ["grade", "team__district", "locality", "is_synthetic"]
    search_fields = ["user__first_name", "user__last_name", "user__email", "job_title"]
    list_select_related = ["user", "team", "locality", "line_manager"]
    raw_id_fields = ["user", "line_manager"]
    readonly_fields = ["is_synthetic"]
    filter_horizontal = ["specialisms"]


@admin.register(Absence)
class AbsenceAdmin(AuditedModelAdmin):
    list_display = ["worker", "kind", "start_date", "end_date", "cancelled_at"]
    list_filter = ["kind", "worker__team__district"]
    search_fields = ["worker__user__first_name", "worker__user__last_name"]
    list_select_related = ["worker__user"]
    raw_id_fields = ["worker", "recorded_by", "cancelled_by"]
    date_hierarchy = "start_date"
