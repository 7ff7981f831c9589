"""Who handles data protection: subject access requests, retention reviews and erasure.

The head of service and system administrators, by role; and anyone whose group the
council has given the ``privacy.handle_subject_access`` or ``privacy.review_retention``
permission in the admin (an information governance officer, say: Django's model
backend answers for those). Erasure also needs a second person: whoever proposed an
erasure cannot approve it (services.py and a database constraint)."""

from __future__ import annotations

import rules

from earlyhelp.accounts.roles import Role

DATA_PROTECTION_ROLES = (Role.HEAD_OF_SERVICE, Role.SYSTEM_ADMINISTRATOR)

SUBJECT_ACCESS = "privacy.handle_subject_access"
REVIEW_RETENTION = "privacy.review_retention"


@rules.predicate
def handles_data_protection(user) -> bool:
    return user.is_authenticated and user.has_role(*DATA_PROTECTION_ROLES)


rules.add_perm(SUBJECT_ACCESS, handles_data_protection)
rules.add_perm(REVIEW_RETENTION, handles_data_protection)
