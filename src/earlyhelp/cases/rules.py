"""Who may work on a case: whoever may open the family's record. Who may read and add
safeguarding notes, and read the text of safeguarding concerns and of escalation
discussions: fewer people (see ``can_read_safeguarding_notes``)."""

from __future__ import annotations

import rules

from earlyhelp.accounts.roles import Role


@rules.predicate
def works_on_case(user, case) -> bool:
    return user.has_perm("people.access_family", case.family)


@rules.predicate
def manages_case_worker(user, case) -> bool:
    """The worker's line manager (and up the line), the team's manager, head of service."""
    if user.has_role(Role.HEAD_OF_SERVICE):
        return True
    if case.team.manager_id == user.pk:
        return True
    staff = getattr(case.key_worker, "staff", None)
    seen: set[int] = set()
    while staff is not None and staff.line_manager_id and staff.line_manager_id not in seen:
        if staff.line_manager_id == user.pk:
            return True
        seen.add(staff.line_manager_id)
        staff = getattr(staff.line_manager, "staff", None)
    return False


@rules.predicate
def is_dso(user) -> bool:
    return user.is_authenticated and user.has_role(Role.DSO)


def _placement(user):
    return getattr(user, "staff", None)


@rules.predicate
def is_case_key_worker(user, case) -> bool:
    return case is not None and case.key_worker_id == user.pk


@rules.predicate
def is_locality_manager_of_case(user, case) -> bool:
    """A locality manager of the locality whose district holds the case."""
    if case is None or not user.has_role(Role.LOCALITY_MANAGER):
        return False
    staff = _placement(user)
    return (
        staff is not None
        and staff.locality_id is not None
        and staff.locality_id == case.team.district.locality_id
    )


@rules.predicate
def is_dso_for_case(user, case) -> bool:
    """A DSO placed in a team covers that team's district; one placed in a locality,
    that locality; one with no placement is the county's (the family access rule treats
    every DSO as county-wide, and this narrows only those the service has placed)."""
    if case is None or not user.has_role(Role.DSO):
        return False
    staff = _placement(user)
    if staff is None or (staff.team_id is None and staff.locality_id is None):
        return True
    if staff.team_id is not None:
        return staff.team.district_id == case.team.district_id
    return staff.locality_id == case.team.district.locality_id


# Safeguarding notes: the case's key worker, their line management (team manager, the
# worker's line manager chain, the locality manager of the case's locality, head of
# service) and the DSOs covering the case's district. Not the rest of the team, business
# support, Talkzone or outreach workers, quality review officers or other districts.
# Only among those who may open the case at all (the family access rule), so that
# nobody may add a note to a case they then cannot open. The cheap role tests come
# first: the family access rule is evaluated only for someone who passes them.
can_read_safeguarding_notes = rules.is_authenticated & (
    (is_case_key_worker | manages_case_worker | is_locality_manager_of_case | is_dso_for_case)
    & works_on_case
)


@rules.predicate
def reads_notes_of_concern_case(user, concern) -> bool:
    return concern is not None and can_read_safeguarding_notes.test(user, concern.case)


@rules.predicate
def raised_the_concern(user, concern) -> bool:
    return concern is not None and concern.raised_by_id == user.pk


@rules.predicate
def works_on_concern_case(user, concern) -> bool:
    return concern is not None and works_on_case.test(user, concern.case)


# The text of a safeguarding concern and of its DSO outcome: the readers of the case's
# safeguarding notes, and whoever raised the concern, while they may open the case.
# Everyone else who may open the case sees that a concern exists, its status and dates.
can_read_safeguarding_concern = rules.is_authenticated & (
    reads_notes_of_concern_case | (raised_the_concern & works_on_concern_case)
)

rules.add_perm("cases.work_on_case", rules.is_authenticated & works_on_case)
rules.add_perm("cases.manage_case", rules.is_authenticated & manages_case_worker)


@rules.predicate
def covers_concern(user, concern) -> bool:
    """Without a concern (menus, the model-level check) any DSO; with one, a DSO
    covering its case, who is alerted to it and may read it."""
    return concern is None or is_dso_for_case.test(user, concern.case)


rules.add_perm("cases.record_safeguarding_outcome", is_dso & covers_concern)
rules.add_perm("cases.read_safeguarding_notes", can_read_safeguarding_notes)
rules.add_perm("cases.add_safeguarding_note", can_read_safeguarding_notes)
# The escalation discussion (the talk about a referral to Children's Social Care).
rules.add_perm("cases.read_escalation_discussion", can_read_safeguarding_notes)
rules.add_perm("cases.read_safeguarding_concern", can_read_safeguarding_concern)
