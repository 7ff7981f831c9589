"""Errors as ``application/problem+json`` (RFC 9457), for the API and any JSON client."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.http import JsonResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
}


def problem_response(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    type_: str = "about:blank",
    errors: Iterable[Mapping[str, Any]] | None = None,
    instance: str | None = None,
    **extra: Any,
) -> JsonResponse:
    """A problem+json response; ``errors`` lists ``{"field": ..., "message": ...}``."""
    body: dict[str, Any] = {
        "type": type_,
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = list(errors)
    body.update(extra)
    response = JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="earlyhelp"'
    return response


def wants_problem_json(request) -> bool:
    """Whether an error for this request should be problem+json rather than a page."""
    return request.path.startswith("/api/")
