"""Who may use each route: the intended access policy, one entry per web page (by URL
name) and per API operation ("METHOD /api/v1/path"). A web entry covers GET and POST;
"name @POST" overrides it for POST. Subjects are described in tests/security/world.py.

An entry is an ``Allow``: the subjects let in with the own record (held by Preston team
A) and with the foreign record (held by a Lancaster team, another locality). Routes that
name no record only use ``own``. The policies below restate the services' rules
(src/earlyhelp/*/rules.py) in terms of the world's subjects.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.security.world import SUBJECTS

KW, TW, SP, BS, OW, DW, LW, OL, TM, LM, DSO, QRO, TZ, HD, SA, ANON = SUBJECTS


@dataclass(frozen=True)
class Allow:
    own: frozenset[str]
    foreign: frozenset[str] | None = None  # None: as own (the record is not scoped)

    def allowed(self, variant: str) -> frozenset[str]:
        if variant == "foreign" and self.foreign is not None:
            return self.foreign
        return self.own


def allow(own, foreign=None) -> Allow:
    return Allow(frozenset(own), None if foreign is None else frozenset(foreign))


EVERYONE = allow(SUBJECTS)
STAFF = allow(set(SUBJECTS) - {ANON})
SYSADMIN = allow({SA})

# people/rules.py can_access_family: the allocated worker and everyone placed in their
# team (the senior practitioner, business support and the outreach worker too: the rule
# goes by team, not by role, and outreach workers name the young people of their team's
# families on sessions), the team's manager, managers up the worker's line, DSOs and the
# head of service. Not quality review officers or Talkzone workers (in no team).
FAMILY = allow({KW, TW, SP, BS, OW, TM, LM, DSO, HD}, {OL, DSO, HD})
# cases/rules.py manage_case: the worker's line managers, the team's manager, head.
CASE_MANAGERS = allow({TM, LM, HD}, {HD})
# Restricted safeguarding notes: the key worker, the line up, DSOs, head of service (not
# the rest of the team: another key worker, the senior practitioner, business support,
# the outreach worker).
SAFEGUARDING_NOTES = allow({KW, TM, LM, DSO, HD}, {OL, DSO, HD})
DSO_ONLY = allow({DSO})
# people/rules.py: two records of one person are merged by a senior practitioner, any
# person in the county (duplicates cross districts; possible matches are county-wide).
MERGERS = allow({SP}, {SP})
# Searching the audit log: quality review officers (audit.view_auditevent).
AUDITORS = allow({QRO})
# referrals/rules.py INTAKE_ROLES: whoever takes requests (Talkzone workers too, from a
# contact; not outreach workers, DSOs, quality review officers or administrators), and
# on a request they may open (in its team, or its family's record).
INTAKE = allow(set(SUBJECTS) - {ANON, OW, DSO, QRO, SA})
REQUEST_INTAKE = allow({KW, TW, SP, BS, TM, LM, HD}, {OL, HD})
# Allocation: the team's manager, the locality manager over it, head of service.
ALLOCATORS = allow({TM, LM, HD}, {HD})
DISTRICT_ALLOCATORS = allow({LM, HD}, {HD})
MANAGERS = allow({TM, LM, HD})
# workforce/rules.py: a worker's own capacity, and the managers over them.
WORKER = allow({KW, TM, LM, HD}, {OL, HD})
WORKER_MANAGERS = allow({TM, LM, HD}, {HD})
# planning/rules.py: locality managers and the head of service (the scenario is the
# locality manager's own, so they may change it too).
PLANNERS = allow({LM, HD})
# centres/rules.py: everyone sees centres; planning within the manager's area;
# recording registers at any centre by centre staff (centres.record_register: not DSOs,
# quality review officers, Talkzone workers or administrators).
CENTRE_PLANNERS = allow({TM, LM, HD}, {HD})
CENTRE_STAFF = allow(set(SUBJECTS) - {ANON, DSO, QRO, TZ, SA})
# claims/rules.py: key worker and managers over the case attach and record progress;
# managers (who may open the family) make claims and see the claims pages.
CLAIM_WORKERS = allow({KW, TM, LM, HD}, {OL, HD})
CLAIM_MAKERS = allow({TM, LM, HD}, {HD})
# outcomes/rules.py OUTCOMES_ROLES: casework roles and reviewers; business support,
# outreach and Talkzone workers and administrators do not see the outcomes framework.
OUTCOMES = allow(set(SUBJECTS) - {ANON, BS, OW, TZ, SA})
# reporting/rules.py: managers, the head of service and quality review officers.
REPORTING = allow({TM, LM, HD, QRO})
# Outreach and Talkzone (accounts/roles.py _OUTREACH_PERMISSIONS), across the service:
# sessions are seen and recorded by outreach workers, senior practitioners and the
# managers, and seen by quality review officers; the reach report is for managers and
# quality review officers. The Talkzone log is kept by Talkzone workers and managers and
# read by quality review officers; the rota is seen by them all and changed by managers.
OUTREACH_SESSIONS = allow({SP, OW, TM, LM, QRO, HD})
OUTREACH_RECORDERS = allow({SP, OW, TM, LM, HD})
OUTREACH_REACH = allow({TM, LM, QRO, HD})
TALKZONE_LOG = allow({TZ, TM, LM, QRO, HD})
# Recording a contact; turning one into a request also takes referrals.submit_request,
# which the same people hold.
TALKZONE_RECORDERS = allow({TZ, TM, LM, HD})
TALKZONE_ROTA = allow({TZ, TM, LM, QRO, HD})

RULES: dict[str, Allow] = {
    # --- core and accounts
    "core:home": STAFF,
    "core:accessibility": EVERYONE,
    "accounts:sign-in": EVERYONE,
    "accounts:two-factor": STAFF,
    "accounts:two-factor-set-up": STAFF,
    "accounts:two-factor-verify": STAFF,
    "accounts:two-factor-recovery-codes": STAFF,
    "accounts:two-factor-staff": SYSADMIN,
    "accounts:two-factor-reset": allow({SA}, {SA}),
    "accounts:password-reset": EVERYONE,
    "accounts:password-reset-sent": EVERYONE,
    "accounts:password-reset-confirm": EVERYONE,
    "accounts:password-reset-complete": EVERYONE,
    "api:openapi-json": EVERYONE,
    "api:openapi-view": EVERYONE,
    "api-docs": EVERYONE,
    "GET /api/v1/me": STAFF,
    "GET /api/v1/users/two-factor": SYSADMIN,
    "POST /api/v1/users/{user_id}/two-factor/reset": allow({SA}, {SA}),
    # --- families and people
    "people:family-list": STAFF,
    "people:family-detail": FAMILY,
    "people:change-address": FAMILY,
    "people:person-search": STAFF,
    "people:merge-person": MERGERS,
    "GET /api/v1/families": STAFF,
    "GET /api/v1/families/{family_id}": FAMILY,
    "PUT /api/v1/families/{family_id}/address": FAMILY,
    "GET /api/v1/families/people/search": STAFF,
    "POST /api/v1/families/people/merge": MERGERS,
    # --- audit log: quality review officers only.
    "audit:search": AUDITORS,
    "GET /api/v1/audit/events": AUDITORS,
    # --- requests for support
    "referrals:queue": STAFF,
    "referrals:new": INTAKE,
    "referrals:match-people": INTAKE,
    "referrals:detail": FAMILY,
    "referrals:allocate": ALLOCATORS,
    "referrals:resubmit": REQUEST_INTAKE,
    "referrals:withdraw": REQUEST_INTAKE,
    "POST /api/v1/requests": INTAKE,
    "GET /api/v1/requests": STAFF,
    "POST /api/v1/requests/matches": INTAKE,
    "GET /api/v1/requests/{request_id}": FAMILY,
    "POST /api/v1/requests/{request_id}/resubmit": REQUEST_INTAKE,
    "POST /api/v1/requests/{request_id}/withdraw": REQUEST_INTAKE,
    "GET /api/v1/requests/{request_id}/workers": FAMILY,
    "POST /api/v1/requests/{request_id}/allocate": ALLOCATORS,
    # --- cases
    "cases:caseload": STAFF,
    "cases:detail": FAMILY,
    "cases:record-contact": FAMILY,
    "cases:assessment": FAMILY,
    "cases:caf-consent": FAMILY,
    "cases:consent-refusal-decision": CASE_MANAGERS,
    "cases:employment-advisor": FAMILY,
    "cases:complete-assessment": FAMILY,
    "cases:record-star": FAMILY,
    "cases:decision": FAMILY,
    "cases:add-action": FAMILY,
    "cases:schedule-taf": FAMILY,
    "cases:submit-caf": FAMILY,
    "cases:record-review": FAMILY,
    "cases:request-closure": FAMILY,
    "cases:raise-safeguarding": FAMILY,
    "cases:safeguarding-outcome": DSO_ONLY,
    "cases:add-safeguarding-note": SAFEGUARDING_NOTES,
    "cases:chronology": FAMILY,
    "GET /api/v1/cases": STAFF,
    "GET /api/v1/cases/{case_id}": FAMILY,
    "GET /api/v1/cases/{case_id}/chronology": FAMILY,
    "POST /api/v1/cases/{case_id}/contacts": FAMILY,
    "PATCH /api/v1/cases/{case_id}/assessment": FAMILY,
    "POST /api/v1/cases/{case_id}/assessment/consent": FAMILY,
    "POST /api/v1/cases/{case_id}/assessment/consent-refusal-decision": CASE_MANAGERS,
    "POST /api/v1/cases/{case_id}/assessment/employment-advisor": FAMILY,
    "POST /api/v1/cases/{case_id}/assessment/complete": FAMILY,
    "POST /api/v1/cases/{case_id}/stars": FAMILY,
    "POST /api/v1/cases/{case_id}/decision": FAMILY,
    "POST /api/v1/cases/{case_id}/actions": FAMILY,
    "POST /api/v1/cases/{case_id}/taf-meetings": FAMILY,
    "POST /api/v1/cases/{case_id}/submit-caf": FAMILY,
    "POST /api/v1/cases/{case_id}/reviews": FAMILY,
    "POST /api/v1/cases/{case_id}/closure": FAMILY,
    "POST /api/v1/cases/{case_id}/safeguarding": FAMILY,
    "POST /api/v1/cases/safeguarding/{concern_id}/outcome": DSO_ONLY,
    "GET /api/v1/cases/{case_id}/safeguarding-notes": SAFEGUARDING_NOTES,
    "POST /api/v1/cases/{case_id}/safeguarding-notes": SAFEGUARDING_NOTES,
    # --- workforce
    "workforce:teams": STAFF,
    "workforce:me": STAFF,
    "workforce:team": WORKER_MANAGERS,
    "workforce:worker": WORKER,
    "workforce:record-absence": WORKER_MANAGERS,
    "workforce:edit-capacity": WORKER_MANAGERS,
    "workforce:reassign": WORKER_MANAGERS,
    "workforce:cancel-absence": WORKER_MANAGERS,
    "GET /api/v1/workforce/workers/{staff_id}/load": WORKER,
    "GET /api/v1/workforce/teams/{team_id}/capacity": WORKER_MANAGERS,
    "GET /api/v1/workforce/workers/{staff_id}/absences": WORKER,
    "POST /api/v1/workforce/workers/{staff_id}/absences": WORKER_MANAGERS,
    "POST /api/v1/workforce/absences/{absence_id}/cancel": WORKER_MANAGERS,
    "PUT /api/v1/workforce/workers/{staff_id}/capacity": WORKER_MANAGERS,
    "POST /api/v1/workforce/workers/{staff_id}/reassignments": WORKER_MANAGERS,
    # --- allocation
    "allocation:index": MANAGERS,
    "allocation:team": ALLOCATORS,
    "allocation:district": DISTRICT_ALLOCATORS,
    "allocation:proposal": ALLOCATORS,
    "GET /api/v1/allocation/requests/{request_id}/recommendations": ALLOCATORS,
    "POST /api/v1/allocation/proposals": MANAGERS,
    "GET /api/v1/allocation/proposals/{proposal_id}": ALLOCATORS,
    "POST /api/v1/allocation/proposals/{proposal_id}/decisions": ALLOCATORS,
    "GET /api/v1/allocation/teams/{team_id}/forecast": ALLOCATORS,
    "GET /api/v1/allocation/districts/{district_id}/forecast": DISTRICT_ALLOCATORS,
    # --- tasks and approvals (the approver: the team manager, the line up, head)
    "tasks:list": STAFF,
    "GET /api/v1/tasks": STAFF,
    "approvals:decide": CASE_MANAGERS,
    "POST /api/v1/approvals/{approval_id}/decision": CASE_MANAGERS,
    # --- centres
    "centres:list": STAFF,
    "centres:check": STAFF,
    "centres:detail": STAFF,
    "centres:session-new": CENTRE_PLANNERS,
    "centres:session": STAFF,
    "centres:rota-add": CENTRE_PLANNERS,
    "centres:rota-remove": CENTRE_PLANNERS,
    "centres:session-withdraw": CENTRE_PLANNERS,
    "centres:occurrence-record": CENTRE_STAFF,
    "centres:programmes": STAFF,
    "centres:programme": STAFF,
    "centres:run-new": MANAGERS,
    "centres:run": STAFF,
    "centres:run-enrol": CENTRE_STAFF,
    "centres:register": CENTRE_STAFF,
    "GET /api/v1/centres": STAFF,
    "GET /api/v1/centres/check": STAFF,
    "GET /api/v1/centres/{centre_id}": STAFF,
    "POST /api/v1/centres/{centre_id}/sessions": CENTRE_PLANNERS,
    "GET /api/v1/centres/sessions/{session_id}": STAFF,
    "POST /api/v1/centres/sessions/{session_id}/withdraw": CENTRE_PLANNERS,
    "POST /api/v1/centres/sessions/{session_id}/rota": CENTRE_PLANNERS,
    "DELETE /api/v1/centres/sessions/{session_id}/rota/{staff_id}": CENTRE_PLANNERS,
    "POST /api/v1/centres/sessions/{session_id}/occurrences": CENTRE_STAFF,
    "GET /api/v1/centres/programmes": STAFF,
    "GET /api/v1/centres/programmes/{programme_id}": STAFF,
    "POST /api/v1/centres/programmes/{programme_id}/runs": MANAGERS,
    "GET /api/v1/centres/runs/{run_id}": STAFF,
    "POST /api/v1/centres/runs/{run_id}/participants": CENTRE_STAFF,
    "PUT /api/v1/centres/group-sessions/{session_id}/register": CENTRE_STAFF,
    # --- outreach and Talkzone (see the groups above)
    "outreach:session-list": OUTREACH_SESSIONS,
    "outreach:record-session": OUTREACH_RECORDERS,
    "outreach:session-detail": OUTREACH_SESSIONS,
    "outreach:areas-served": OUTREACH_SESSIONS,
    "outreach:reach": OUTREACH_REACH,
    "talkzone:contact-log": TALKZONE_LOG,
    "talkzone:record-contact": TALKZONE_RECORDERS,
    "talkzone:contact-detail": TALKZONE_LOG,
    "talkzone:rota": TALKZONE_ROTA,
    # The rota page's form adds a shift: managers only.
    "talkzone:rota @POST": MANAGERS,
    "talkzone:remove-shift": MANAGERS,
    "GET /api/v1/outreach/sessions": OUTREACH_SESSIONS,
    "POST /api/v1/outreach/sessions": OUTREACH_RECORDERS,
    "GET /api/v1/outreach/sessions/{session_id}": OUTREACH_SESSIONS,
    "GET /api/v1/outreach/areas": OUTREACH_SESSIONS,
    "GET /api/v1/outreach/reach": OUTREACH_REACH,
    "GET /api/v1/talkzone/contacts": TALKZONE_LOG,
    "POST /api/v1/talkzone/contacts": TALKZONE_RECORDERS,
    "GET /api/v1/talkzone/contacts/{contact_id}": TALKZONE_LOG,
    "GET /api/v1/talkzone/contacts/{contact_id}/request-draft": TALKZONE_RECORDERS,
    "POST /api/v1/talkzone/contacts/{contact_id}/request": TALKZONE_RECORDERS,
    "GET /api/v1/talkzone/rota": TALKZONE_ROTA,
    "POST /api/v1/talkzone/rota": MANAGERS,
    "DELETE /api/v1/talkzone/rota/{shift_id}": MANAGERS,
    # --- planning
    "planning:list": PLANNERS,
    "planning:new": PLANNERS,
    "planning:compare": PLANNERS,
    "planning:compare-export": PLANNERS,
    "planning:detail": PLANNERS,
    "planning:edit": PLANNERS,
    "planning:edit-file": PLANNERS,
    "planning:copy": PLANNERS,
    "planning:rename": PLANNERS,
    "planning:delete": PLANNERS,
    "planning:simulate": PLANNERS,
    "planning:export": PLANNERS,
    "GET /api/v1/planning/scenarios": PLANNERS,
    "POST /api/v1/planning/scenarios": PLANNERS,
    "GET /api/v1/planning/scenarios/compare": PLANNERS,
    "GET /api/v1/planning/scenarios/compare/export": PLANNERS,
    "GET /api/v1/planning/scenarios/{scenario_id}": PLANNERS,
    "PATCH /api/v1/planning/scenarios/{scenario_id}": PLANNERS,
    "DELETE /api/v1/planning/scenarios/{scenario_id}": PLANNERS,
    "GET /api/v1/planning/scenarios/{scenario_id}/results": PLANNERS,
    "PUT /api/v1/planning/scenarios/{scenario_id}/inputs": PLANNERS,
    "POST /api/v1/planning/scenarios/{scenario_id}/copy": PLANNERS,
    "POST /api/v1/planning/scenarios/{scenario_id}/simulate": PLANNERS,
    "GET /api/v1/planning/scenarios/{scenario_id}/export": PLANNERS,
    # --- claims
    "claims:index": MANAGERS,
    "claims:families": MANAGERS,
    "claims:eligible": MANAGERS,
    "claims:report": MANAGERS,
    "claims:export": MANAGERS,
    "claims:for-case": FAMILY,
    "claims:attach": CLAIM_WORKERS,
    "claims:attachment": FAMILY,
    "claims:record-progress": CLAIM_WORKERS,
    "claims:record-employment": CLAIM_WORKERS,
    "claims:end-employment": CLAIM_WORKERS,
    "claims:make-claim": CLAIM_MAKERS,
    "GET /api/v1/claims/frameworks": STAFF,
    "GET /api/v1/claims/attachments": MANAGERS,
    "POST /api/v1/claims/attachments": CLAIM_WORKERS,
    "GET /api/v1/claims/attachments/{attachment_id}": FAMILY,
    "POST /api/v1/claims/attachments/{attachment_id}/progress": CLAIM_WORKERS,
    "POST /api/v1/claims/attachments/{attachment_id}/employment": CLAIM_WORKERS,
    "POST /api/v1/claims/attachments/{attachment_id}/employment/{episode_id}/end": (CLAIM_WORKERS),
    "POST /api/v1/claims/attachments/{attachment_id}/claim": CLAIM_MAKERS,
    "GET /api/v1/claims/eligible": MANAGERS,
    "GET /api/v1/claims/report": MANAGERS,
    "GET /api/v1/claims/report/export": MANAGERS,
    "GET /api/v1/claims/progress": MANAGERS,
    # --- outcomes
    "outcomes:index": OUTCOMES,
    "outcomes:star": OUTCOMES,
    "outcomes:cases": OUTCOMES,
    "outcomes:case": FAMILY,
    "GET /api/v1/outcomes/framework": OUTCOMES,
    "GET /api/v1/outcomes/cases/{case_id}": FAMILY,
    "GET /api/v1/outcomes/cases/{case_id}/star": FAMILY,
    "GET /api/v1/outcomes/cohort": OUTCOMES,
    "GET /api/v1/outcomes/cohort/star": OUTCOMES,
    "GET /api/v1/outcomes/cohort/star/breakdown": OUTCOMES,
    "GET /api/v1/outcomes/cohort/cases": OUTCOMES,
    # --- reporting
    "reporting:dashboard": REPORTING,
    "reporting:figure": REPORTING,
    "reporting:reports": REPORTING,
    "reporting:download": REPORTING,
    "reporting:extract": REPORTING,
    "GET /api/v1/reporting/dashboard": REPORTING,
    "GET /api/v1/reporting/records": REPORTING,
    "GET /api/v1/reporting/reports": REPORTING,
    "POST /api/v1/reporting/reports": REPORTING,
    "GET /api/v1/reporting/reports/{report_id}/file": REPORTING,
    "GET /api/v1/reporting/extracts/{kind}": REPORTING,
    # --- data protection (privacy/rules.py): head of service and system administrators,
    # across the service.
    "privacy:index": allow({HD, SA}),
    "privacy:subject-access-search": allow({HD, SA}),
    "privacy:subject-access": allow({HD, SA}, {HD, SA}),
    "privacy:review-list": allow({HD, SA}),
    "privacy:family-decision": allow({HD, SA}, {HD, SA}),
    "privacy:review": allow({HD, SA}),
    "privacy:erase": allow({HD, SA}),
    "GET /api/v1/privacy/subject-access/{person_id}": allow({HD, SA}, {HD, SA}),
    "POST /api/v1/privacy/subject-access/{person_id}/export": allow({HD, SA}, {HD, SA}),
    "GET /api/v1/privacy/retention/due": allow({HD, SA}),
    "POST /api/v1/privacy/retention/families/{family_id}/decision": allow({HD, SA}, {HD, SA}),
    "GET /api/v1/privacy/retention/reviews/{review_id}": allow({HD, SA}),
    "POST /api/v1/privacy/retention/reviews/{review_id}/approval": allow({HD, SA}),
    "POST /api/v1/privacy/retention/reviews/{review_id}/erasure": allow({HD, SA}),
}


def _scenarios(world) -> dict:
    return {"ids": [world.record("scenario", "own"), world.record("second_scenario", "own")]}


# Query strings a route needs to reach its permission check with something to show.
QUERIES = {
    "planning:compare": _scenarios,
    "planning:compare-export": _scenarios,
    "GET /api/v1/planning/scenarios/compare": _scenarios,
    "GET /api/v1/planning/scenarios/compare/export": _scenarios,
    "reporting:figure": lambda world: {"figure": "open"},
    "GET /api/v1/reporting/records": lambda world: {"figure": "open"},
}

# Bodies for operations whose published schema does not describe what they take (several
# request schemas share a class name with another app's, and the OpenAPI document keeps
# only one of them: reported), or whose fields depend on each other.
BODIES = {
    "PUT /api/v1/families/{family_id}/address": lambda world: {
        "address_line_1": "2 New Street", "town": "Preston", "postcode": "PR1 3AB",
    },
    "POST /api/v1/approvals/{approval_id}/decision": lambda world: {
        "approve": True, "comments": "Agreed",
    },
    "POST /api/v1/cases/{case_id}/contacts": lambda world: {
        "contact_type": "home_visit",
        "occurred_at": "2026-01-05T10:00:00+00:00",
        "duration_minutes": 60,
        "notes": "Visit",
    },
    "POST /api/v1/cases/{case_id}/decision": lambda world: {
        "level": "2", "case_type_code": "L2A", "rationale": "Needs met at level 2",
    },
    "POST /api/v1/allocation/proposals": lambda world: {"team_id": world.record("team", "own")},
    "POST /api/v1/centres/{centre_id}/sessions": lambda world: {
        "weekday": 1,
        "starts_at": "13:00",
        "ends_at": "15:00",
        "session_type": "weekday_daytime",
        "title": "Messy play",
    },
    "POST /api/v1/reporting/reports": lambda world: {"quarter": "2026Q1", "format": "xlsx"},
}  # fmt: skip


def rule_for(key: str, method: str | None = None) -> Allow | None:
    """The route's rule, with a per-method override ("name @POST") if there is one."""
    if method is not None and f"{key} @{method}" in RULES:
        return RULES[f"{key} @{method}"]
    return RULES.get(key)
