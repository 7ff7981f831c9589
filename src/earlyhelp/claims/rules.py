"""Who may do what with programme attachments and claims.

The case's key worker and the managers over it (line managers up the chain, the team's
manager, head of service) attach a family and record its progress and employment;
managers and the head of service see the claims pages and make claims, for the
families they may see; anyone who may open a family's record sees its attachment."""

from __future__ import annotations

import rules

from earlyhelp.accounts.roles import MANAGER_ROLES
from earlyhelp.cases.rules import manages_case_worker


def _case_of(target):
    """The case of an attachment, or the case itself."""
    return getattr(target, "case", None) if hasattr(target, "framework_id") else target


@rules.predicate
def is_case_key_worker(user, target) -> bool:
    case = _case_of(target)
    return case is not None and case.key_worker_id == user.pk


@rules.predicate
def manages_the_case(user, target) -> bool:
    case = _case_of(target)
    return case is not None and manages_case_worker.test(user, case)


@rules.predicate
def is_manager(user) -> bool:
    return user.is_authenticated and user.has_role(*MANAGER_ROLES)


@rules.predicate
def may_open_family(user, attachment) -> bool:
    return attachment is not None and user.has_perm("people.access_family", attachment.family)


# Object: the case through which the family is (or is being) attached, or the attachment.
rules.add_perm(
    "claims.record_progress",
    rules.is_authenticated & (is_case_key_worker | manages_the_case),
)
# No object: the claims pages, lists and reports.
rules.add_perm("claims.view_claims", is_manager)
# Object: the attachment claimed for.
rules.add_perm("claims.make_claim", is_manager & may_open_family)
# Object: the attachment.
rules.add_perm("claims.view_attachment", rules.is_authenticated & may_open_family)
