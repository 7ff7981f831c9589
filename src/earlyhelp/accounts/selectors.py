"""Reads about staff accounts."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import qrcode
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathFillImage

from earlyhelp.accounts.models import User


@dataclass(frozen=True)
class Profile:
    """Who a signed-in user is in the service."""

    name: str
    email: str
    roles: list[str]
    role_names: list[str]
    job_title: str | None
    grade: str | None
    fte: str | None
    team: str | None
    district: str | None
    locality: str | None


def profile_for(user: User) -> Profile:
    """The signed-in user's name, roles, team, district and locality."""
    loaded = User.objects.select_related("staff__team__district__locality", "staff__locality").get(
        pk=user.pk
    )
    staff = getattr(loaded, "staff", None)
    team = staff.team if staff is not None else None
    district = team.district if team is not None else None
    locality = district.locality if district is not None else (staff.locality if staff else None)
    roles = sorted(user.roles, key=lambda role: role.label)
    return Profile(
        name=user.get_full_name() or user.email,
        email=user.email,
        roles=[role.value for role in roles],
        role_names=[role.label for role in roles],
        job_title=staff.job_title if staff else None,
        grade=staff.get_grade_display() if staff else None,
        fte=str(staff.fte) if staff else None,
        team=team.name if team else None,
        district=district.name if district else None,
        locality=locality.name if locality else None,
    )


# Two-factor sign-in -------------------------------------------------------------------


@dataclass(frozen=True)
class AuthenticatorSetUp:
    """What a user needs to add the service to their authenticator app."""

    qr_code: str  # an SVG image as a data: URI (the CSP allows data: images)
    secret: str  # the key in base32, in groups of four, to type in by hand
    issuer: str
    account: str


def authenticator_set_up(device: TOTPDevice) -> AuthenticatorSetUp:
    """The QR code and the typed-in key for an authenticator-app device."""
    image = qrcode.make(device.config_url, image_factory=SvgPathFillImage, box_size=10, border=4)
    buffer = io.BytesIO()
    image.save(buffer)
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return AuthenticatorSetUp(
        qr_code="data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"),
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        issuer=str(settings.OTP_TOTP_ISSUER),
        account=device.user.get_username(),
    )


def has_authenticator_app(*, user: User) -> bool:
    """Whether the user has confirmed an authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def staff_two_factor_status(*, actor: User, search: str = "") -> QuerySet[User]:
    """Active staff accounts with whether each has two-factor sign-in set up and how
    many recovery codes are left; for system administrators only."""
    if not actor.has_perm("accounts.reset_two_factor"):
        raise PermissionDenied("Only a system administrator can see staff two-factor sign-in.")
    codes_left = (
        StaticToken.objects.filter(device__user=OuterRef("pk"), device__confirmed=True)
        .order_by()
        .values("device__user")
        .annotate(total=Count("pk"))
        .values("total")
    )
    users = User.objects.filter(is_active=True).annotate(
        has_authenticator_app=Exists(
            TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        ),
        recovery_codes_left=Coalesce(Subquery(codes_left), 0),
    )
    # PostgreSQL refuses NUL characters in a query; nobody types them in a name.
    if search := search.replace("\x00", "").strip():
        users = users.filter(
            Q(email__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
        )
    return users.order_by("last_name", "first_name", "email")
