from django.contrib import admin

from earlyhelp.audit.admin_mixins import AuditedModelAdmin
from earlyhelp.people.models import Family, FamilyMember, Person


class FamilyMemberInline(admin.TabularInline):
    model = FamilyMember
    extra = 0
    raw_id_fields = ["person"]


@admin.register(Family)
class FamilyAdmin(AuditedModelAdmin):
    list_display = ["name", "postcode", "district", "team", "key_worker", "is_synthetic"]
    list_filter = ["district", "is_synthetic"]
    search_fields = ["name", "postcode"]
    raw_id_fields = ["key_worker", "team"]
    inlines = [FamilyMemberInline]


@admin.register(Person)
class PersonAdmin(AuditedModelAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "postcode", "is_synthetic"]
    search_fields = ["last_name", "first_name", "postcode"]
    list_filter = ["is_synthetic", "has_send"]
