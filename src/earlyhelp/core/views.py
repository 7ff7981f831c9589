"""The shell: home page per role, and GOV.UK-style error pages (problem+json under /api/)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader

from earlyhelp.accounts.roles import Role
from earlyhelp.accounts.selectors import profile_for
from earlyhelp.core.problems import problem_response, wants_problem_json

# What each role's home page offers first, in the order a person in that role needs it.
HOME_SECTIONS: dict[Role, tuple[str, str]] = {
    Role.KEY_WORKER: ("Your families", "The families allocated to you and your team."),
    Role.SENIOR_PRACTITIONER: (
        "Your families and practice",
        "Families you hold, and people to check for duplicates.",
    ),
    Role.OPERATIONS_DELIVERY_LEADER: (
        "Your team",
        "Requests waiting for allocation and your team's families.",
    ),
    Role.LOCALITY_MANAGER: ("Your locality", "The teams and districts you manage."),
    Role.DSO: ("Safeguarding", "Families flagged for safeguarding across the service."),
    Role.BUSINESS_SUPPORT: (
        "Requests for support",
        "Requests to log, acknowledge and prepare for allocation.",
    ),
    Role.TALKZONE_WORKER: ("Talkzone", "Contacts with children, young people and families."),
    Role.OUTREACH_WORKER: ("Outreach and groups", "Sessions, registers and detached work."),
    Role.QUALITY_REVIEW_OFFICER: (
        "Quality review",
        "Search the audit log by person, member of staff and date.",
    ),
    Role.HEAD_OF_SERVICE: ("The service", "Families and performance across the county."),
    Role.SYSTEM_ADMINISTRATOR: (
        "Administration",
        "Staff accounts, API tokens and the service's configuration.",
    ),
}


@login_required
def home(request):
    profile = profile_for(request.user)
    sections = [
        {"role": role.label, "title": HOME_SECTIONS[role][0], "text": HOME_SECTIONS[role][1]}
        for role in sorted(request.user.roles, key=lambda r: list(Role).index(r))
    ]
    return render(request, "core/home.html", {"profile": profile, "sections": sections})


def accessibility(request):
    return render(request, "core/accessibility.html")


def _error_page(request, status: int, template: str, detail: str) -> HttpResponse:
    if wants_problem_json(request):
        return problem_response(status, detail)
    return HttpResponse(loader.render_to_string(template, {}, request), status=status)


def bad_request(request, exception=None):
    return _error_page(request, 400, "400.html", "The request could not be understood.")


def permission_denied(request, exception=None):
    detail = str(exception) if exception and str(exception) else "You do not have access."
    return _error_page(request, 403, "403.html", detail)


def page_not_found(request, exception=None):
    return _error_page(request, 404, "404.html", "There is nothing at this address.")


def server_error(request):
    if wants_problem_json(request):
        return problem_response(500, "Something went wrong. The error has been logged.")
    return HttpResponse(loader.render_to_string("500.html", {}), status=500)
