"""Centres and the offer model in the admin, for system administrators. Every change is
audited (AuditedModelAdmin)."""

from __future__ import annotations

from django.contrib import admin

from earlyhelp.audit.admin_mixins import AuditedModelAdmin
from earlyhelp.centres.models import (
    AgeBand,
    Centre,
    CoLocatedPartner,
    GroupProgramme,
    Offer,
    OfferRequirement,
    OpeningTime,
    ProgrammeSettings,
    Room,
)


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


class OpeningTimeInline(admin.TabularInline):
    model = OpeningTime
    extra = 0


class PartnerInline(admin.TabularInline):
    model = CoLocatedPartner
    extra = 0


@admin.register(Centre)
class CentreAdmin(AuditedModelAdmin):
    list_display = ("name", "district", "offer", "shares_offer_of", "is_active")
    list_filter = ("offer", "district", "is_active")
    search_fields = ("name", "code", "town", "postcode")
    list_select_related = ("district", "offer", "shares_offer_of")
    inlines = [RoomInline, OpeningTimeInline, PartnerInline]


class OfferRequirementInline(admin.TabularInline):
    model = OfferRequirement
    extra = 0


@admin.register(Offer)
class OfferAdmin(AuditedModelAdmin):
    list_display = ("name", "code", "sort_order")
    inlines = [OfferRequirementInline]


@admin.register(ProgrammeSettings)
class ProgrammeSettingsAdmin(AuditedModelAdmin):
    list_display = ("__str__", "twilight_starts_at", "evening_starts_at")


@admin.register(AgeBand)
class AgeBandAdmin(AuditedModelAdmin):
    list_display = ("name", "code", "min_age", "max_age", "sort_order")


@admin.register(GroupProgramme)
class GroupProgrammeAdmin(AuditedModelAdmin):
    list_display = ("name", "kind", "theme", "number_of_sessions", "completion_sessions")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code", "theme")
    filter_horizontal = ("outcomes", "target_groups")
