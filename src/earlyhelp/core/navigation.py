"""The service navigation: which links each role sees."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from earlyhelp.accounts.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[Role] | None = None  # None: everyone signed in
    permission: str | None = None

    def allowed(self, user) -> bool:
        if self.permission and not user.has_perm(self.permission):
            return False
        return self.roles is None or bool(self.roles & user.roles)


CASEWORK_ROLES = frozenset(
    {
        Role.KEY_WORKER,
        Role.SENIOR_PRACTITIONER,
        Role.OPERATIONS_DELIVERY_LEADER,
        Role.LOCALITY_MANAGER,
        Role.DSO,
        Role.BUSINESS_SUPPORT,
        Role.HEAD_OF_SERVICE,
    }
)

CASEWORKERS = frozenset(
    {Role.KEY_WORKER, Role.SENIOR_PRACTITIONER, Role.OPERATIONS_DELIVERY_LEADER}
)

NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Home", "core:home"),
    NavItem("Tasks", "tasks:list", roles=CASEWORK_ROLES),
    NavItem("Requests for Support", "referrals:queue", roles=CASEWORK_ROLES),
    NavItem("My caseload", "cases:caseload", roles=CASEWORKERS),
    NavItem(
        "My capacity", "workforce:me", roles=frozenset({Role.KEY_WORKER, Role.SENIOR_PRACTITIONER})
    ),
    NavItem(
        "Team capacity",
        "workforce:teams",
        roles=frozenset(
            {Role.OPERATIONS_DELIVERY_LEADER, Role.LOCALITY_MANAGER, Role.HEAD_OF_SERVICE}
        ),
    ),
    NavItem("Families", "people:family-list", roles=CASEWORK_ROLES),
    NavItem("Allocation", "allocation:index", permission="allocation.view_allocationproposal"),
    NavItem("Resource planning", "planning:list", permission="planning.view_planningscenario"),
    NavItem("Outreach", "outreach:session-list", permission="outreach.view_outreachsession"),
    NavItem("Talkzone", "talkzone:contact-log", permission="outreach.view_talkzonecontact"),
    NavItem("Centres", "centres:list", permission="centres.view_centre"),
    NavItem("Outcomes", "outcomes:index", permission="outcomes.view_cohort_figures"),
    NavItem("Family outcomes claims", "claims:index", permission="claims.view_claims"),
    NavItem("Performance", "reporting:dashboard", permission="reporting.view_dashboard"),
    NavItem("Audit log", "audit:search", permission="audit.view_auditevent"),
    NavItem("Data protection", "privacy:index", permission="privacy.handle_subject_access"),
    NavItem(
        "Two-factor sign-in", "accounts:two-factor-staff", permission="accounts.reset_two_factor"
    ),
    NavItem("Administration", "admin:index", roles=frozenset({Role.SYSTEM_ADMINISTRATOR})),
    NavItem("API", "api-docs"),
)


def navigation_for(user, current_path: str) -> list[dict[str, object]]:
    """The navigation items this user may use, marking the current one."""
    items = []
    for item in NAVIGATION:
        if not item.allowed(user):
            continue
        href = reverse(item.url_name)
        active = current_path == href if href == "/" else current_path.startswith(href)
        items.append({"label": item.label, "href": href, "active": active})
    return items
