"""The service's staff roles. Each role is a Django group of the same name."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    KEY_WORKER = "key_worker", "Key worker"
    SENIOR_PRACTITIONER = "senior_practitioner", "Senior practitioner"
    OPERATIONS_DELIVERY_LEADER = "operations_delivery_leader", "Operations and delivery leader"
    LOCALITY_MANAGER = "locality_manager", "Locality manager"
    DSO = "dso", "Designated safeguarding officer"
    BUSINESS_SUPPORT = "business_support", "Business support officer"
    TALKZONE_WORKER = "talkzone_worker", "Talkzone worker"
    OUTREACH_WORKER = "outreach_worker", "Neighbourhood outreach worker"
    QUALITY_REVIEW_OFFICER = "quality_review_officer", "Quality review officer"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"
    SYSTEM_ADMINISTRATOR = "system_administrator", "System administrator"


# The service's configuration, edited by system administrators in the admin.
CONFIGURATION_PERMISSIONS = tuple(
    f"configuration.{action}_{model}"
    for model in (
        "servicesettings",
        "locality",
        "district",
        "needlevel",
        "casetype",
        "targetgroup",
        "marmotobjective",
        "tfucriterion",
        "serviceoutcome",
        "closureday",
        "outcomesstar",
        "stararea",
        "specialism",
    )
    for action in ("view", "add", "change")
)

# Resource and budget planning scenarios (object rules in planning/rules.py).
PLANNING_PERMISSIONS = (
    "planning.view_planningscenario",
    "planning.add_planningscenario",
    "planning.change_planningscenario",
    "planning.delete_planningscenario",
)

# Model permissions each role's group holds (app_label.codename). Object-level rules
# (which family a user may open) are in accounts/rules.py; these are the coarse ones.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.KEY_WORKER: ("people.view_person", "people.view_family"),
    Role.SENIOR_PRACTITIONER: ("people.view_person", "people.view_family"),
    Role.OPERATIONS_DELIVERY_LEADER: ("people.view_person", "people.view_family"),
    Role.LOCALITY_MANAGER: ("people.view_person", "people.view_family", *PLANNING_PERMISSIONS),
    Role.DSO: ("people.view_person", "people.view_family"),
    Role.BUSINESS_SUPPORT: ("people.view_person", "people.view_family"),
    Role.TALKZONE_WORKER: (),
    Role.OUTREACH_WORKER: (),
    Role.QUALITY_REVIEW_OFFICER: ("audit.view_auditevent",),
    Role.HEAD_OF_SERVICE: ("people.view_person", "people.view_family", *PLANNING_PERMISSIONS),
    Role.SYSTEM_ADMINISTRATOR: (
        *CONFIGURATION_PERMISSIONS,
        "cases.view_agency",
        "cases.add_agency",
        "cases.change_agency",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_apitoken",
        "accounts.add_apitoken",
        "accounts.change_apitoken",
    ),
}

# Outreach and detached sessions, the Talkzone log and rota, and the reach report (object
# rules, such as which people a worker may name, are in outreach/rules.py).
_OUTREACH_SESSIONS = ("outreach.view_outreachsession", "outreach.add_outreachsession")
_TALKZONE_LOG = ("outreach.view_talkzonecontact", "outreach.add_talkzonecontact")
_TALKZONE_ROTA = (
    "outreach.view_talkzoneshift",
    "outreach.add_talkzoneshift",
    "outreach.delete_talkzoneshift",
)
_OUTREACH_MANAGEMENT = (*_OUTREACH_SESSIONS, *_TALKZONE_LOG, *_TALKZONE_ROTA, "outreach.view_reach")
_OUTREACH_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.OUTREACH_WORKER: _OUTREACH_SESSIONS,
    Role.SENIOR_PRACTITIONER: _OUTREACH_SESSIONS,
    Role.TALKZONE_WORKER: (*_TALKZONE_LOG, "outreach.view_talkzoneshift"),
    Role.OPERATIONS_DELIVERY_LEADER: _OUTREACH_MANAGEMENT,
    Role.LOCALITY_MANAGER: _OUTREACH_MANAGEMENT,
    Role.HEAD_OF_SERVICE: _OUTREACH_MANAGEMENT,
    Role.QUALITY_REVIEW_OFFICER: (
        "outreach.view_outreachsession",
        "outreach.view_talkzonecontact",
        "outreach.view_talkzoneshift",
        "outreach.view_reach",
    ),
    Role.SYSTEM_ADMINISTRATOR: tuple(
        f"outreach.{action}_{model}"
        for model in ("outreachissue", "talkzonetopic", "ageband", "openingwindow")
        for action in ("view", "add", "change")
    ),
}
for _role, _permissions in _OUTREACH_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = (*ROLE_PERMISSIONS[_role], *_permissions)

# Neighbourhood centres: everyone sees centres and the programme; centre staff record
# registers and delivered sessions; managers plan the weekly programme and group runs
# (within their area: centres/rules.py); system administrators keep the centres and
# the programme catalogue in the admin.
_CENTRE_VIEW = ("centres.view_centre",)
_CENTRE_RECORD = (*_CENTRE_VIEW, "centres.record_register")
_CENTRE_PLAN = (*_CENTRE_RECORD, "centres.plan_programme")
_CENTRE_ADMIN_MODELS = (
    "centre",
    "room",
    "openingtime",
    "colocatedpartner",
    "offer",
    "offerrequirement",
    "programmesettings",
    "ageband",
    "groupprogramme",
)
_CENTRE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.KEY_WORKER: _CENTRE_RECORD,
    Role.SENIOR_PRACTITIONER: _CENTRE_RECORD,
    Role.OPERATIONS_DELIVERY_LEADER: _CENTRE_PLAN,
    Role.LOCALITY_MANAGER: _CENTRE_PLAN,
    Role.DSO: _CENTRE_VIEW,
    Role.BUSINESS_SUPPORT: _CENTRE_RECORD,
    Role.TALKZONE_WORKER: _CENTRE_VIEW,
    Role.OUTREACH_WORKER: _CENTRE_RECORD,
    Role.QUALITY_REVIEW_OFFICER: _CENTRE_VIEW,
    Role.HEAD_OF_SERVICE: _CENTRE_PLAN,
    Role.SYSTEM_ADMINISTRATOR: tuple(
        f"centres.{action}_{model}"
        for model in _CENTRE_ADMIN_MODELS
        for action in ("view", "add", "change")
    ),
}
for _role, _permissions in _CENTRE_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = (*ROLE_PERMISSIONS[_role], *_permissions)

# Bulk allocation proposals: the managers who allocate (which queues: allocation/rules.py).
for _role in (Role.OPERATIONS_DELIVERY_LEADER, Role.LOCALITY_MANAGER, Role.HEAD_OF_SERVICE):
    ROLE_PERMISSIONS[_role] = (*ROLE_PERMISSIONS[_role], "allocation.view_allocationproposal")

# Claim frameworks' thresholds and periods, kept by system administrators in the admin
# (who attaches, records progress and claims is in claims/rules.py).
ROLE_PERMISSIONS[Role.SYSTEM_ADMINISTRATOR] = (
    *ROLE_PERMISSIONS[Role.SYSTEM_ADMINISTRATOR],
    *(
        f"claims.{action}_{model}"
        for model in ("claimframework", "frameworkneed")
        for action in ("view", "add", "change")
    ),
)

# Roles that manage other staff: they see their reports' work.
MANAGER_ROLES = frozenset(
    {Role.OPERATIONS_DELIVERY_LEADER, Role.LOCALITY_MANAGER, Role.HEAD_OF_SERVICE}
)
