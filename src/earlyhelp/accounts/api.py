from __future__ import annotations

from ninja import Router, Schema

from earlyhelp.accounts import services
from earlyhelp.accounts.selectors import (
    has_authenticator_app,
    profile_for,
    staff_two_factor_status,
)
from earlyhelp.core.pagination import Page, paginate

router = Router(tags=["Me"])


class MeOut(Schema):
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


@router.get("/me", response=MeOut, summary="The signed-in user")
def me(request):
    """The signed-in user's name, roles, team, district and locality."""
    return profile_for(request.auth)


class StaffTwoFactorOut(Schema):
    user_id: int
    name: str
    email: str
    two_factor_set_up: bool
    recovery_codes_left: int


def _staff_two_factor(user) -> dict:
    return {
        "user_id": user.pk,
        "name": user.get_full_name(),
        "email": user.email,
        "two_factor_set_up": user.has_authenticator_app,
        "recovery_codes_left": user.recovery_codes_left,
    }


@router.get(
    "/users/two-factor",
    response=Page[StaffTwoFactorOut],
    summary="Staff two-factor sign-in",
    tags=["Two-factor sign-in"],
)
def list_staff_two_factor(request, search: str = "", page: int = 1):
    """System administrators: each active account, whether it has an authenticator app
    and how many recovery codes are left, 50 a page (search by name or email). 403 for
    anyone else."""
    users = staff_two_factor_status(actor=request.auth, search=search[:100])
    return paginate(users, page, _staff_two_factor)


class TwoFactorResetOut(Schema):
    user_id: int
    email: str
    two_factor_set_up: bool


@router.post(
    "/users/{user_id}/two-factor/reset",
    response=TwoFactorResetOut,
    summary="Reset a user's two-factor sign-in",
    tags=["Two-factor sign-in"],
)
def reset_two_factor(request, user_id: int):
    """System administrators: remove a user's authenticator app and recovery codes, so
    they set up two-factor sign-in again when they next sign in. Anyone else gets 403;
    resetting your own is refused (403); an unknown user is 404."""
    user = services.reset_two_factor(
        actor=request.auth, user_id=user_id, source=f"API {request.method} {request.path}"
    )
    return {
        "user_id": user.pk,
        "email": user.email,
        "two_factor_set_up": has_authenticator_app(user=user),
    }
