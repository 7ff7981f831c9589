"""The JSON API at /api/v1/: authentication, problem+json errors, and the routers of
each app."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from earlyhelp.accounts.models import ApiToken
from earlyhelp.core.errors import DomainError
from earlyhelp.core.problems import PROBLEM_CONTENT_TYPE, problem_response
from earlyhelp.domain.casework import TransitionNotAllowed


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` for integrations."""

    def authenticate(self, request, token):
        api_token = ApiToken.find_active(token)
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The browser's signed-in session, with Django's CSRF check on unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = getattr(request, "_cached_user", None) or getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


PROBLEM_SCHEMA = {
    "type": "object",
    "title": "Problem",
    "description": "An error (RFC 9457). `errors` lists the invalid fields, if any.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}
_PROBLEM_RESPONSE = {
    "description": "A problem: invalid input, not signed in, refused, not found or conflict",
    "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


class EarlyHelpApi(NinjaAPI):
    """NinjaAPI whose schema documents the problem+json body every operation may answer
    with, as the `default` response, so clients (and the fuzz tests) can rely on it."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and "responses" in operation:
                    operation["responses"].setdefault("default", _PROBLEM_RESPONSE)
        return schema


api = EarlyHelpApi(
    title="EarlyHelp API",
    version="1",
    description=(
        "The JSON API of EarlyHelp. Every action in the web interface is also here. "
        "Errors are application/problem+json (RFC 9457)."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


_LOCATIONS = {"body", "query", "path", "form", "header", "cookie", "payload"}


def _field_name(loc: list) -> str:
    """The field a validation error is about: its location without the source and the
    body parameter's name (every body parameter in this API is called ``payload``)."""
    parts = [str(part) for part in loc if str(part) not in _LOCATIONS]
    return ".".join(parts) or "non_field"


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    errors = [
        {"field": _field_name(list(e.get("loc", []))), "message": e.get("msg", "")}
        for e in exc.errors
    ]
    return problem_response(422, "The request has invalid fields.", errors=errors)


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request, exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": "non_field", "message": m} for m in exc.messages]
    return problem_response(422, "The request has invalid fields.", errors=errors)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return problem_response(401, "Sign in, or send a valid API token as a Bearer token.")


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return problem_response(403, str(exc) or "You do not have permission to do this.")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return problem_response(404, str(exc) or "Not found.")


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return problem_response(
        exc.status,
        exc.message,
        title=exc.title,
        type_=exc.type_uri,
        rule=exc.rule,
        **({"field": exc.field} if exc.field else {}),
        **exc.extra(),
    )


@api.exception_handler(TransitionNotAllowed)
def on_transition_not_allowed(request, exc: TransitionNotAllowed):
    return problem_response(
        409,
        str(exc),
        title="Not allowed at this stage",
        type_=f"/api/v1/problems/{exc.rule}",
        rule=exc.rule,
    )


@api.exception_handler(RequestDataTooBig)
def on_request_too_big(request, exc):
    return problem_response(413, "The request body is too large.")


@api.exception_handler(SuspiciousOperation)
def on_suspicious_request(request, exc):
    return problem_response(400, "The request could not be read.")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return problem_response(exc.status_code, str(exc))


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    import logging

    logging.getLogger("earlyhelp.api").exception("Unhandled API error")
    return problem_response(500, "Something went wrong. The error has been logged.")


def register_routers() -> None:
    """Mount each app's router. Imported here so apps stay independent of each other."""
    from earlyhelp.accounts.api import router as accounts_router
    from earlyhelp.allocation.api import router as allocation_router
    from earlyhelp.approvals.api import router as approvals_router
    from earlyhelp.audit.api import router as audit_router
    from earlyhelp.cases.api import router as cases_router
    from earlyhelp.centres.api import router as centres_router
    from earlyhelp.claims.api import router as claims_router
    from earlyhelp.outcomes.api import router as outcomes_router
    from earlyhelp.outreach.api import router as outreach_router
    from earlyhelp.outreach.api import talkzone_router
    from earlyhelp.people.api import router as people_router
    from earlyhelp.planning.api import router as planning_router
    from earlyhelp.privacy.api import router as privacy_router
    from earlyhelp.referrals.api import router as referrals_router
    from earlyhelp.reporting.api import router as reporting_router
    from earlyhelp.tasks.api import router as tasks_router
    from earlyhelp.workforce.api import router as workforce_router

    api.add_router("/", accounts_router)
    api.add_router("/families", people_router)
    api.add_router("/audit", audit_router)
    api.add_router("/requests", referrals_router)
    api.add_router("/cases", cases_router)
    api.add_router("/claims", claims_router)
    api.add_router("/allocation", allocation_router)
    api.add_router("/tasks", tasks_router)
    api.add_router("/workforce", workforce_router)
    api.add_router("/approvals", approvals_router)
    api.add_router("/planning", planning_router)
    api.add_router("/centres", centres_router)
    api.add_router("/outreach", outreach_router)
    api.add_router("/talkzone", talkzone_router)
    api.add_router("/outcomes", outcomes_router)
    api.add_router("/reporting", reporting_router)
    api.add_router("/privacy", privacy_router)


register_routers()
