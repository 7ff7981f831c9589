"""Staff accounts: roles as groups, staff creation, API tokens and two-factor sign-in."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from earlyhelp.accounts import events
from earlyhelp.accounts.models import ApiToken, User
from earlyhelp.accounts.roles import ROLE_PERMISSIONS, Role
from earlyhelp.audit.services import record_sign_in, record_write


def sync_role_groups() -> None:
    """Make one group per role holding exactly that role's permissions (idempotent)."""
    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    available = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in={name.split(".")[1] for name in wanted}
        )
    }
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set(
            [available[name] for name in ROLE_PERMISSIONS[role] if name in available]
        )


@transaction.atomic
def create_staff_user(
    *,
    actor,
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[Role],
    password: str | None = None,
    source: str = "",
) -> User:
    """Create a staff account holding the given roles."""
    user = User(email=email.lower(), first_name=first_name, last_name=last_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.is_staff = Role.SYSTEM_ADMINISTRATOR in set(roles)
    user.full_clean(exclude=["password"])
    user.save()
    role_list = sorted({Role(r) for r in roles})
    user.groups.set(Group.objects.filter(name__in=[r.value for r in role_list]))
    record_write(
        actor=actor,
        code="user.created",
        instance=user,
        changes={"email": [None, user.email], "roles": [[], [r.value for r in role_list]]},
        source=source,
    )
    return user


@transaction.atomic
def issue_api_token(*, actor, user: User, name: str, source: str = "") -> tuple[ApiToken, str]:
    """Issue an API token for a user. The key is returned once and never stored."""
    key = ApiToken.new_key()
    token = ApiToken(user=user, name=name)
    token.set_key(key)
    token.full_clean()
    token.save()
    record_write(
        actor=actor,
        code="api_token.issued",
        instance=token,
        details={"user": user.email, "name": name, "prefix": token.prefix},
        source=source,
    )
    return token, key


# Two-factor sign-in ------------------------------------------------------------------

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_APP = "Authenticator app"
RECOVERY_CODES = "Recovery codes"
_TOTP_CODE = re.compile(r"^[0-9]{6}$")

CODE_MISSING = "Enter the 6-digit code from your authenticator app, or a recovery code"
APP_CODE_MISSING = "Enter the 6-digit code from your authenticator app"
CODE_WRONG = "The code is not correct. Check your authenticator app and try again"
RECOVERY_CODE_WRONG = (
    "The recovery code is not correct, or it has been used. Check it and try again"
)


class TwoFactorAlreadySetUp(Exception):
    """The user already has a confirmed authenticator app: they verify, not enrol."""


def _normalise_code(code: str) -> str:
    """Codes as people type them: spaces and hyphens dropped, letters in lower case."""
    return re.sub(r"[\s-]", "", code or "").lower()


def _wait_message(locked_until) -> str:
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    if seconds < 120:
        wait = f"{seconds} second{'s' if seconds != 1 else ''}"
    else:
        wait = f"{math.ceil(seconds / 60)} minutes"
    return f"You have entered too many wrong codes. Wait {wait}, then try again"


def _record_failure(*, user: User, method: str, reason: str, source: str) -> None:
    record_sign_in(
        actor=user,
        code=events.TWO_FACTOR_FAILED,
        source=source,
        details={"method": method, "reason": reason},
    )


def _check_code(*, user: User, device: Device, code: str, method: str, source: str) -> None:
    """Verify a code with django-otp, which slows repeated failures down (each wrong
    code doubles the wait before the next); a refusal is audited, then raised."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        _record_failure(user=user, method=method, reason="too many attempts", source=source)
        raise ValidationError({"code": _wait_message(info["locked_until"])})
    if not device.verify_token(code):
        _record_failure(user=user, method=method, reason="wrong code", source=source)
        message = RECOVERY_CODE_WRONG if method == "recovery code" else CODE_WRONG
        raise ValidationError({"code": message})


def _replace_recovery_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_CODES, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    device.throttle_reset()
    return codes


@transaction.atomic
def start_totp_enrolment(*, user: User) -> TOTPDevice:
    """An authenticator-app device waiting to be confirmed: the same one each time the
    set-up page is shown, until the user confirms a code from it."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise TwoFactorAlreadySetUp
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice(user=user, name=AUTHENTICATOR_APP, confirmed=False)
        device.full_clean()
        device.save()
    return device


def confirm_totp_enrolment(
    *, user: User, code: str, source: str = ""
) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator app with a code from it; the user then gets ten new
    one-time recovery codes, returned here so the page can show them once."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        raise TwoFactorAlreadySetUp
    cleaned = _normalise_code(code)
    if not _TOTP_CODE.match(cleaned):
        raise ValidationError({"code": APP_CODE_MISSING})
    _check_code(user=user, device=device, code=cleaned, method="authenticator app", source=source)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = _replace_recovery_codes(user)
        record_write(
            actor=user,
            code=events.TWO_FACTOR_ENROLLED,
            instance=user,
            details={"device": AUTHENTICATOR_APP, "recovery_codes": len(codes)},
            source=source,
        )
    return device, codes


def verify_second_factor(*, user: User, code: str, source: str = "") -> Device:
    """Check a sign-in's second factor: six digits are an authenticator-app code,
    anything else a recovery code, which then cannot be used again."""
    cleaned = _normalise_code(code)
    if not cleaned:
        raise ValidationError({"code": CODE_MISSING})
    if _TOTP_CODE.match(cleaned):
        method = "authenticator app"
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    else:
        method = "recovery code"
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        _record_failure(user=user, method=method, reason="not set up", source=source)
        raise ValidationError(
            {"code": CODE_WRONG if method == "authenticator app" else RECOVERY_CODE_WRONG}
        )
    _check_code(user=user, device=device, code=cleaned, method=method, source=source)
    with transaction.atomic():
        record_sign_in(
            actor=user, code=events.TWO_FACTOR_VERIFIED, source=source, details={"method": method}
        )
        if method == "recovery code":
            record_sign_in(
                actor=user,
                code=events.RECOVERY_CODE_USED,
                source=source,
                details={"codes_left": device.token_set.count()},
            )
    return device


def recovery_codes_left(*, user: User) -> int:
    """How many unused recovery codes the user has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def regenerate_recovery_codes(*, user: User, code: str, source: str = "") -> list[str]:
    """New recovery codes replace all the old ones, once the user confirms a code from
    their authenticator app (so a stolen session alone cannot take them)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise ValidationError({"code": "Set up two-factor sign-in before making recovery codes"})
    cleaned = _normalise_code(code)
    if not _TOTP_CODE.match(cleaned):
        raise ValidationError({"code": APP_CODE_MISSING})
    _check_code(user=user, device=device, code=cleaned, method="authenticator app", source=source)
    with transaction.atomic():
        codes = _replace_recovery_codes(user)
        record_write(
            actor=user,
            code=events.RECOVERY_CODES_REGENERATED,
            instance=user,
            details={"recovery_codes": len(codes)},
            source=source,
        )
    return codes


@transaction.atomic
def reset_two_factor(*, actor: User | None, user_id: int, source: str = "") -> User:
    """A system administrator removes someone's authenticator app and recovery codes;
    they set up two-factor sign-in again when they next sign in. ``actor=None`` is the
    break-glass management command, run by whoever has the server."""
    if actor is not None:
        if not actor.has_perm("accounts.reset_two_factor"):
            raise PermissionDenied("Only a system administrator can reset two-factor sign-in.")
        if actor.pk == user_id:
            raise PermissionDenied(
                "You cannot reset your own two-factor sign-in. Ask another system administrator."
            )
    # Out-of-range numbers (from the API) cannot name an account; SQLite would overflow.
    user = User.objects.filter(pk=user_id).first() if 0 < user_id < 2**63 else None
    if user is None:
        raise Http404("No staff account with that number.")
    removed_app, _ = TOTPDevice.objects.filter(user=user).delete()
    static_devices = StaticDevice.objects.filter(user=user)
    had_recovery_codes = static_devices.exists()
    static_devices.delete()
    record_write(
        actor=actor,
        code=events.TWO_FACTOR_RESET,
        instance=user,
        details={
            "user": user.email,
            "had_authenticator_app": bool(removed_app),
            "had_recovery_codes": had_recovery_codes,
        },
        source=source,
    )
    return user
