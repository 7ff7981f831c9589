"""Staff accounts: roles as groups, staff creation, API tokens."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from earlyhelp.accounts.models import ApiToken, User
from earlyhelp.accounts.roles import ROLE_PERMISSIONS, Role
from earlyhelp.audit.services import record_write


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
