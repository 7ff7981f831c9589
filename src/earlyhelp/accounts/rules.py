"""Who may manage other staff members' sign-in."""

from __future__ import annotations

import rules

from earlyhelp.accounts.roles import Role


@rules.predicate
def is_system_administrator(user) -> bool:
    return user.is_authenticated and user.has_role(Role.SYSTEM_ADMINISTRATOR)


# Clearing someone's authenticator app and recovery codes, so they set them up again.
rules.add_perm("accounts.reset_two_factor", is_system_administrator)
