from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from earlyhelp.accounts.models import ApiToken, User
from earlyhelp.accounts.services import issue_api_token, reset_two_factor
from earlyhelp.audit.admin_mixins import AuditedModelAdmin
from earlyhelp.audit.services import record_write

# Roles are groups managed from code (accounts/roles.py): assigned on the user form,
# never edited by hand.
admin.site.unregister(Group)
# Two-factor devices change only through accounts/services.py (set up by the person,
# reset by a system administrator with the action below), which audits each change;
# django-otp's own admin pages would let them be edited with no record.
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    ordering = ["last_name", "first_name"]
    list_display = ["email", "first_name", "last_name", "is_active", "last_login"]
    list_filter = ["is_active", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Roles", {"fields": ("groups", "is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ["groups"]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["issue_token", "reset_second_factor"]

    @admin.action(description="Issue an API token to the selected staff")
    def issue_token(self, request, queryset):
        for user in queryset.filter(is_active=True):
            _, key = issue_api_token(
                actor=request.user, user=user, name="Issued in the admin", source=request.path
            )
            self.message_user(
                request,
                f"New token for {user.email}: {key} (copy it now: it is not shown again)",
                messages.WARNING,
            )

    @admin.action(description="Reset two-factor sign-in of the selected staff")
    def reset_second_factor(self, request, queryset):
        # The same service as the staff two-factor page: system administrators only.
        for user in queryset.exclude(pk=request.user.pk):
            reset_two_factor(actor=request.user, user_id=user.pk, source=request.path)
            self.message_user(
                request,
                f"Two-factor sign-in reset for {user.email}: they set it up again at next sign-in.",
                messages.SUCCESS,
            )


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    """Tokens are issued with the action below, which shows the key once."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__email"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    actions = ["issue_replacement", "revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Issue a new token for the same user and purpose")
    def issue_replacement(self, request, queryset):
        for token in queryset.select_related("user"):
            _, key = issue_api_token(
                actor=request.user, user=token.user, name=token.name, source=request.path
            )
            self.message_user(
                request,
                f"New token for {token.user.email}: {key} (copy it now: it is not shown again)",
                messages.WARNING,
            )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record_write(
                actor=request.user,
                code="api_token.revoked",
                instance=token,
                changes={"revoked_at": [None, token.revoked_at.isoformat()]},
                source=request.path,
            )
