"""Reads about staff accounts."""

from __future__ import annotations

from dataclasses import dataclass

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
