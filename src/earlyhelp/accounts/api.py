from __future__ import annotations

from ninja import Router, Schema

from earlyhelp.accounts.selectors import profile_for

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
