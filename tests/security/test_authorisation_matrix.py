"""Access control, proven route by route: every web page and every API operation, read
from the URL configuration, is requested by every subject of the matrix's world
(tests/security/world.py) and the answer compared with the rule in
tests/security/matrix.py. A route with no rule fails ``test_every_route_has_a_rule``.

How an answer is read:
- allowed: anything but 401, 403, 404 or a redirect to sign-in (a 200 page, a 200 form
  with errors, 409 "not at this stage", 422 "invalid fields" and 302 to another page are
  all answers a permitted user gets);
- denied: 403 (web pages render 403.html, the API answers problem+json), or 404 where
  the code hides that a record exists (the caseload-scoped lookups do);
- sign-in: signed out, a web page redirects to the sign-in page and the API answers 401.
  A signed-out subject must get this on every route that is not public.

Each route is tried with GET and POST on the web (a method the route does not offer,
405, is skipped) and with its own method in the API, the API with a body made from its
schema so that it passes validation and reaches the permission check. Every request runs
in a savepoint that is rolled back, so an allowed write changes nothing for the next
subject. A denied write must also change nothing: the row count of every table and the
audit log's count of changes must be the same after it (a refusal's "denied" audit event
is allowed).

Insecure direct object references: a route whose URL names a record is tried twice, with
the own record (held by the Preston team A) and with a foreign one (held by a team in
another district of another locality). Subjects allowed on the own record must be
refused the foreign one unless the rule's foreign set names them, and the foreign
record's own key worker must be let in (so the foreign URL is known to be valid).
Subjects allowed both (service-wide roles) are asked with the own record only.

Limits: a page that sends a refused user elsewhere with a 302 (not to sign-in) would
read as allowed; none does today (refusals raise PermissionDenied or Http404). Lists
(families, caseload, queues) are open to all staff here; what they list is scoped by
their selectors and tested with each app.

Writing a rule for a new route: run with SECURITY_MATRIX_DUMP=/tmp/matrix to have each
route's answers, by method, variant and subject, written to /tmp/matrix.<pid> instead of
checked; then state the intended rule in matrix.py and fix the code if they differ.
"""

from __future__ import annotations

import json
import os

import pytest

from earlyhelp.accounts.roles import Role
from earlyhelp.core.api import api  # noqa: F401  (routers registered before the schema is read)
from tests.security.matrix import EVERYONE, RULES, rule_for
from tests.security.routes import all_routes, api_resolver_paths, api_routes
from tests.security.runner import (
    ALLOWED,
    DENIED,
    ERROR,
    NOT_OFFERED,
    SIGN_IN,
    WRITE_METHODS,
    send,
)
from tests.security.world import SUBJECTS

ROUTES = all_routes()
DUMP = os.environ.get("SECURITY_MATRIX_DUMP")


def test_every_route_has_a_rule():
    missing = sorted(route.key for route in ROUTES if rule_for(route.key) is None)
    assert not missing, "Routes with no access rule in tests/security/matrix.py:\n" + "\n".join(
        missing
    )


def test_every_rule_names_a_route():
    keys = {route.key for route in ROUTES}
    stale = sorted(key for key in RULES if key.split(" @")[0] not in keys)
    assert not stale, "Rules for routes that no longer exist:\n" + "\n".join(stale)


def test_api_schema_lists_every_api_url():
    """The API's operations are read from its schema: it must list every URL it serves."""
    schema_paths = {route.path and "/" + route.path for route in api_routes()}
    assert api_resolver_paths() == schema_paths


@pytest.mark.django_db
def test_every_staff_role_is_held_by_a_subject(security_world):
    """A role no subject holds would have its access asserted by no rule."""
    held = {role for user in security_world.users.values() if user for role in user.roles}
    assert set(Role) - held == set()
    assert set(security_world.users) == set(SUBJECTS)


def _rule(route, method=None):
    rule = rule_for(route.key, method)
    if rule is None and DUMP:
        return EVERYONE
    return rule


def _expected(route, method: str, subject: str, variant: str) -> str:
    rule = _rule(route, method)
    allowed = rule.allowed(variant)
    if subject == "anonymous":
        return ALLOWED if "anonymous" in allowed else SIGN_IN
    return ALLOWED if subject in allowed else DENIED


def _subjects_for(rule, variant: str) -> tuple[str, ...]:
    """The subjects to try, those the rule lets in first (the first answer also tells
    whether a web route offers the method at all)."""
    allowed = rule.allowed(variant)
    # With the foreign record: whoever may open the own one but not this one (the direct
    # object references to refuse), and whoever may open this one but not the own one (the
    # foreign key worker: the URL is valid). Those let in to both, the service-wide roles,
    # were asked with the own record.
    wanted = set(SUBJECTS) if variant == "own" else rule.allowed("own") ^ allowed
    allowed = allowed - {"anonymous"}
    return tuple(sorted((s for s in SUBJECTS if s in wanted), key=lambda s: (s not in allowed,)))


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.key)
def test_route_answers_each_subject_as_its_rule_says(route, security_world):
    world = security_world
    if _rule(route) is None:
        pytest.fail(f"{route.key} has no rule (see test_every_route_has_a_rule)")
    variants = ("own", "foreign") if route.has_foreign_variant(world) else ("own",)
    failures, seen = [], {}
    for method in route.methods:
        rule = _rule(route, method)
        for variant in variants:
            url = route.url(world, variant)
            for position, subject in enumerate(_subjects_for(rule, variant)):
                expected = _expected(route, method, subject, variant)
                check_writes = method in WRITE_METHODS and expected != ALLOWED
                outcome = send(world.subjects.clients[subject], route, method, url,
                               world=world, check_writes=check_writes)  # fmt: skip
                if position == 0 and outcome.verdict == NOT_OFFERED and route.kind == "web":
                    break  # the page does not take this method: nothing to check
                seen[f"{method} {variant} {subject}"] = outcome.status
                problem = None
                if outcome.verdict == ERROR:
                    problem = "server error"
                elif outcome.verdict == NOT_OFFERED:
                    problem = "405 for this subject only"
                elif outcome.verdict != expected:
                    problem = f"expected {expected}, got {outcome.verdict}"
                elif outcome.changed:
                    problem = "refused, but the data changed"
                if problem:
                    failures.append(
                        f"  {method} {url} as {subject} ({variant} record): {problem} "
                        f"[{outcome.status}]"
                    )
    if DUMP:
        with open(f"{DUMP}.{os.getpid()}", "a") as dump:
            dump.write(json.dumps({"route": route.key, "seen": seen}) + "\n")
        return
    assert not failures, f"{route.key}: {len(failures)} answers break its rule\n" + "\n".join(
        failures
    )
