"""Who may plan a centre's programme and who may record its registers.

Planning (the weekly timetable, its rota, group runs) is for managers with the
``centres.plan_programme`` permission, within their area: an operations and delivery
leader their team's district, a locality manager their locality, the head of service
the county. Recording (registers, delivered or cancelled sessions, enrolments) is for
centre staff with ``centres.record_register``, at any centre: workers cover each other.
"""

from __future__ import annotations

import rules

from earlyhelp.accounts.roles import Role


def centre_of(obj):
    """The centre an object of this app belongs to."""
    from earlyhelp.centres.models import Centre

    if isinstance(obj, Centre):
        return obj
    if hasattr(obj, "centre_id"):
        return obj.centre
    if hasattr(obj, "run_id"):
        return obj.run.centre
    return obj.session.centre


def plans_in_area(user, centre) -> bool:
    """Whether the centre is in the area the user manages."""
    if user.has_role(Role.HEAD_OF_SERVICE):
        return True
    staff = getattr(user, "staff", None)
    if staff is None:
        return False
    team_district = staff.team.district if staff.team_id else None
    if user.has_role(Role.LOCALITY_MANAGER):
        locality_id = staff.locality_id or (team_district.locality_id if team_district else None)
        if locality_id is not None and centre.district.locality_id == locality_id:
            return True
    return team_district is not None and team_district.pk == centre.district_id


@rules.predicate
def may_plan(user, obj) -> bool:
    if not (user.is_authenticated and user.has_perm("centres.plan_programme")):
        return False
    return obj is None or plans_in_area(user, centre_of(obj))


@rules.predicate
def may_record(user, obj) -> bool:
    return user.is_authenticated and user.has_perm("centres.record_register")


rules.add_perm("centres.plan_at_centre", may_plan)
rules.add_perm("centres.record_at_centre", may_record)


def plannable_centres(user):
    """The rule of ``may_plan`` as a filter on Centre, for the choices a form offers."""
    from django.db.models import Q

    if not (user.is_authenticated and user.has_perm("centres.plan_programme")):
        return Q(pk__in=[])
    if user.has_role(Role.HEAD_OF_SERVICE):
        return Q()
    staff = getattr(user, "staff", None)
    if staff is None:
        return Q(pk__in=[])
    area = Q(pk__in=[])
    if staff.team_id:
        area |= Q(district_id=staff.team.district_id)
    if user.has_role(Role.LOCALITY_MANAGER):
        locality_id = staff.locality_id or (
            staff.team.district.locality_id if staff.team_id else None
        )
        if locality_id is not None:
            area |= Q(district__locality_id=locality_id)
    return area
