"""The service's configuration in the admin, for a system administrator to adjust after
loading the file. Every change, inline rows included, is audited (AuditedModelAdmin)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Sum
from django.http import HttpResponseRedirect
from django.urls import reverse

from earlyhelp.audit.admin_mixins import AuditedModelAdmin
from earlyhelp.configuration.loader import SHARE_TOLERANCE
from earlyhelp.configuration.models import (
    CaseType,
    ClosureDay,
    District,
    Locality,
    MarmotObjective,
    NeedLevel,
    OutcomesStar,
    ServiceOutcome,
    ServiceSettings,
    Specialism,
    StarArea,
    TargetGroup,
    TfuCriterion,
)


@admin.register(ServiceSettings)
class ServiceSettingsAdmin(AuditedModelAdmin):
    """The one row of settings: it can be changed, never added twice or deleted."""

    list_display = ["council_name", "configuration_version", "caf_mailbox", "loaded_at"]
    readonly_fields = ["loaded_at"]
    fieldsets = (
        (None, {"fields": ("council_name", "configuration_version", "loaded_at")}),
        ("CAF", {"fields": ("caf_mailbox", "urn_prefix", "urn_format", "plan_needs_approval")}),
        (
            "Timescales",
            {
                "fields": (
                    "allocation_working_days",
                    "initial_visit_working_days",
                    "review_interval_weeks",
                    "review_overdue_weeks",
                    "outcomes_star_review_weeks",
                )
            },
        ),
        (
            "FTE capacity",
            {"fields": ("working_weeks_per_year", "slots_per_week", "caseload_per_fte")},
        ),
    )

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not ServiceSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        # One row: go straight to it.
        row = ServiceSettings.objects.order_by("pk").first()
        if row is not None and self.has_view_or_change_permission(request, row):
            return HttpResponseRedirect(
                reverse("admin:configuration_servicesettings_change", args=[row.pk])
            )
        return super().changelist_view(request, extra_context)


@admin.register(Locality)
class LocalityAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "district_count"]
    search_fields = ["name", "code"]
    readonly_fields = ["district_names"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(district_total=Count("districts"))

    @admin.display(description="districts", ordering="district_total")
    def district_count(self, obj: Locality) -> int:
        return obj.district_total

    @admin.display(description="districts (change a district to move it)")
    def district_names(self, obj: Locality) -> str:
        return ", ".join(obj.districts.values_list("name", flat=True)) or "None"


@admin.register(District)
class DistrictAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "locality", "postcodes"]
    list_filter = ["locality"]
    search_fields = ["name", "code"]
    list_select_related = ["locality"]

    @admin.display(description="postcode districts")
    def postcodes(self, obj: District) -> str:
        return ", ".join(obj.postcode_districts)


@admin.register(NeedLevel)
class NeedLevelAdmin(AuditedModelAdmin):
    list_display = ["level", "name"]


@admin.register(CaseType)
class CaseTypeAdmin(AuditedModelAdmin):
    list_display = [
        "code",
        "name",
        "visit_every_weeks",
        "weeks_of_support",
        "slots_per_cycle",
        "cycles_per_year",
        "demand_share",
        "sort_order",
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        total = CaseType.objects.aggregate(total=Sum("demand_share"))["total"] or Decimal(0)
        if abs(total - 1) > SHARE_TOLERANCE:
            # Saved all the same: the administrator may be part-way through moving shares.
            self.message_user(
                request,
                f"The demand shares of the case types now add up to {total.normalize():f}, "
                "not 1: adjust the others so the resource model covers all demand.",
                messages.WARNING,
            )


@admin.register(TargetGroup)
class TargetGroupAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "sort_order"]
    search_fields = ["name", "code"]


@admin.register(Specialism)
class SpecialismAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "min_age", "max_age", "matches_send", "sort_order"]
    search_fields = ["name", "code"]
    filter_horizontal = ["target_groups"]


@admin.register(MarmotObjective)
class MarmotObjectiveAdmin(AuditedModelAdmin):
    list_display = ["letter", "title"]


@admin.register(TfuCriterion)
class TfuCriterionAdmin(AuditedModelAdmin):
    list_display = ["number", "title"]


@admin.register(ServiceOutcome)
class ServiceOutcomeAdmin(AuditedModelAdmin):
    list_display = ["number", "title", "marmot_letters", "tfu_numbers"]
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("marmot_objectives", "tfu_criteria")

    @admin.display(description="Marmot objectives")
    def marmot_letters(self, obj: ServiceOutcome) -> str:
        return ", ".join(o.letter for o in obj.marmot_objectives.all())

    @admin.display(description="TFU criteria")
    def tfu_numbers(self, obj: ServiceOutcome) -> str:
        return ", ".join(str(c.number) for c in obj.tfu_criteria.all())


@admin.register(ClosureDay)
class ClosureDayAdmin(AuditedModelAdmin):
    list_display = ["date", "weekday", "reason"]
    date_hierarchy = "date"
    search_fields = ["reason"]

    @admin.display(description="day")
    def weekday(self, obj: ClosureDay) -> str:
        return f"{obj.date:%A}"


class StarAreaInline(admin.TabularInline):
    model = StarArea
    extra = 0
    fields = ["sort_order", "code", "name", "outcome"]


@admin.register(OutcomesStar)
class OutcomesStarAdmin(AuditedModelAdmin):
    """A Star and its areas (edited here, in order)."""

    list_display = ["name", "code", "scale_min", "scale_max", "is_default"]
    inlines = [StarAreaInline]
