"""Response headers that Django's own settings do not cover."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from earlyhelp.core.errors import DomainError
from earlyhelp.core.problems import PROBLEM_CONTENT_TYPE, problem_response

API_PREFIX = "/api/v1/"
_API_DETAILS = {
    404: "There is nothing at this address in the API.",
    405: "This address does not accept that method: the Allow header lists those it does.",
}

# No inline script or style anywhere: everything is served from our own origin.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Adds a strict Content Security Policy and a restrictive Permissions-Policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Records about children must not be kept in shared browser caches.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


# How often a session's idle expiry is pushed on: saving it on every request (Django's
# SESSION_SAVE_EVERY_REQUEST) writes the session row for each htmx fragment too.
SESSION_REFRESH_SECONDS = 60
_REFRESHED_AT = "_refreshed_at"


class IdleSessionMiddleware:
    """Keeps the 30-minute idle expiry moving without a write on every request: a
    signed-in session is saved (and so given a new expiry) once a minute at most, so it
    ends between 29 and 30 idle minutes after the last request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or response.status_code >= 500:
            return response
        now = int(time.time())
        if now - int(session.get(_REFRESHED_AT, 0)) >= SESSION_REFRESH_SECONDS:
            session[_REFRESHED_AT] = now
        return response


class ApiProblemMiddleware:
    """Every error the API answers is a problem+json body, including those Django or
    django-ninja make before a view runs (405 for a method the path lacks, 404 for an
    unknown address under the API)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)
        ):
            return response
        problem = problem_response(
            response.status_code,
            _API_DETAILS.get(response.status_code, response.reason_phrase),
        )
        if response.has_header("Allow"):
            problem["Allow"] = response["Allow"]
        return problem


class DomainErrorPageMiddleware:
    """A service rule that refuses a page (rather than a form's field) is shown as a
    page saying why, with the rule's status, instead of a server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DomainError) or request.path.startswith(API_PREFIX):
            return None
        return render(
            request,
            "domain_error.html",
            {"title": exception.title, "message": exception.message},
            status=exception.status,
        )
