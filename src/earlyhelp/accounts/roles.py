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

# Model permissions each role's group holds (app_label.codename). Object-level rules
# (which family a user may open) are in accounts/rules.py; these are the coarse ones.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.KEY_WORKER: ("people.view_person", "people.view_family"),
    Role.SENIOR_PRACTITIONER: ("people.view_person", "people.view_family"),
    Role.OPERATIONS_DELIVERY_LEADER: ("people.view_person", "people.view_family"),
    Role.LOCALITY_MANAGER: ("people.view_person", "people.view_family"),
    Role.DSO: ("people.view_person", "people.view_family"),
    Role.BUSINESS_SUPPORT: ("people.view_person", "people.view_family"),
    Role.TALKZONE_WORKER: (),
    Role.OUTREACH_WORKER: (),
    Role.QUALITY_REVIEW_OFFICER: ("audit.view_auditevent",),
    Role.HEAD_OF_SERVICE: ("people.view_person", "people.view_family"),
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

# Roles that manage other staff: they see their reports' work.
MANAGER_ROLES = frozenset(
    {Role.OPERATIONS_DELIVERY_LEADER, Role.LOCALITY_MANAGER, Role.HEAD_OF_SERVICE}
)
