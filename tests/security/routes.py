"""Every route the service answers, read from the URL configuration: web pages from
Django's resolver, API operations (method and path) from the django-ninja API's OpenAPI
schema, and how to fill in each route's URL parameters from the matrix's world."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

API_PREFIX = "api/v1/"

# Left out of the matrix, each for a stated reason.
EXCLUDED_PREFIXES = {
    # Django's admin has its own staff/superuser and model-permission checks, tested by
    # Django; the service's configuration admin is tested in tests/configuration.
    "admin/": "Django admin",
}
# Served by the API itself (not an operation of it): the schema and its docs page are
# public on purpose, so integrators can read them before they hold a token. They are
# checked in the matrix as public web routes under these names.
API_NON_OPERATIONS = {"api:openapi-json", "api:openapi-view", "api:api-root"}
EXCLUDED_NAMES = {
    # django-ninja's placeholder at /api/v1/ itself: no view, it answers 404 to everyone.
    "api:api-root": "no page",
    # Signing out answers everyone, signed in or not, with a redirect to the sign-in
    # page: there is nothing to refuse (tests/accounts covers it).
    "accounts:sign-out": "open to all",
}

# Which record a URL parameter names, where its name alone does not say.
PARAM_RECORDS = {
    "case_id": "case",
    "family_id": "family",
    "request_id": "request",
    "person_id": "person",
    "concern_id": "concern",
    "team_id": "team",
    "district_id": "district",
    "staff_id": "staff",
    "user_id": "user",
    "review_id": "review",
    "absence_id": "absence",
    "proposal_id": "proposal",
    "approval_id": "approval",
    "centre_id": "centre",
    "programme_id": "programme",
    "run_id": "run",
    "scenario_id": "scenario",
    "attachment_id": "attachment",
    "episode_id": "episode",
    "report_id": "report",
    "contact_id": "contact",
    "shift_id": "shift",
}
# Parameters that are not records: a fixed value that names something that exists.
PARAM_VALUES = {"kind": "cases", "fmt": "csv", "uidb64": "MQ", "token": "set-password"}


@dataclass(frozen=True)
class Route:
    key: str  # web: the URL name; API: "METHOD /api/v1/path/{param}"
    kind: str  # "web" or "api"
    params: tuple[str, ...]
    methods: tuple[str, ...]
    path: str = ""  # API only: the path template

    def record_kind(self, param: str) -> str | None:
        """The world's record a parameter takes: by the route's area for the ambiguous."""
        where = self.key if self.kind == "web" else self.path
        if param == "session_id":
            if "register" in where or "group-sessions" in where:
                return "group_session"
            if "outreach" in where:
                return "outreach_session"
            return "centre_session"
        if param == "staff_id" and "rota" in where:
            return "rota_staff"
        return PARAM_RECORDS.get(param)

    def has_foreign_variant(self, world) -> bool:
        return any(
            (kind := self.record_kind(p)) is not None and "foreign" in world.records[kind]
            for p in self.params
        )

    def url(self, world, variant: str) -> str:
        values = {}
        for param in self.params:
            kind = self.record_kind(param)
            values[param] = world.record(kind, variant) if kind else PARAM_VALUES[param]
        if self.kind == "web":
            return reverse(self.key, kwargs=values)
        return "/" + re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), self.path)


def _walk(resolver: URLResolver, prefix: str, namespace: str | None):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, route, ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield route, name, tuple(pattern.pattern.converters) or _regex_params(pattern)


def _regex_params(pattern: URLPattern) -> tuple[str, ...]:
    return tuple(re.findall(r"<(\w+)(?::\w+)?>", str(pattern.pattern)))


def resolver_routes() -> list[tuple[str, str | None, tuple[str, ...]]]:
    """(path, URL name, parameters) of every pattern in the URL configuration."""
    return list(_walk(get_resolver(), "", None))


def web_routes() -> list[Route]:
    """Every web page outside the excluded areas and the API; GET and POST are tried."""
    routes = []
    for path, name, params in resolver_routes():
        if any(path.startswith(prefix) for prefix in EXCLUDED_PREFIXES):
            continue
        if path.startswith(API_PREFIX) and name not in API_NON_OPERATIONS:
            continue
        if name in EXCLUDED_NAMES:
            continue
        if name is None:
            raise AssertionError(f"The URL {path!r} has no name, so no rule can name it")
        routes.append(Route(key=name, kind="web", params=params, methods=("GET", "POST")))
    return routes


# The OpenAPI operation of each API route, and the schema's components (for bodies).
OPERATIONS: dict[str, dict] = {}
COMPONENTS: dict[str, dict] = {}


def api_routes() -> list[Route]:
    """Every operation of the JSON API, from its OpenAPI schema."""
    from earlyhelp.core.api import api

    schema = api.get_openapi_schema(path_prefix="/" + API_PREFIX)
    COMPONENTS.update(schema.get("components", {}).get("schemas", {}))
    routes = []
    for path, operations in schema["paths"].items():
        params = tuple(re.findall(r"\{(\w+)\}", path))
        for method in operations:
            if method.upper() not in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                continue
            key = f"{method.upper()} {path}"
            OPERATIONS[key] = operations[method]
            routes.append(
                Route(key=key, kind="api", params=params, methods=(method.upper(),), path=path[1:])
            )
    return routes


def api_resolver_paths() -> set[str]:
    """The API's paths as the resolver has them, with {param} placeholders."""
    paths = set()
    for path, name, _params in resolver_routes():
        if path.startswith(API_PREFIX) and name not in API_NON_OPERATIONS:
            paths.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path))
    return paths


def all_routes() -> list[Route]:
    return web_routes() + api_routes()
