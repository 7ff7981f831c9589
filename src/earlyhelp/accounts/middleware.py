"""Two-factor sign-in is enforced here, for every page and API operation at once."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from earlyhelp.accounts.models import ApiToken
from earlyhelp.core.middleware import API_PREFIX
from earlyhelp.core.problems import problem_response

# The pages a signed-in user may open before confirming their second factor.
OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {"two-factor", "two-factor-set-up", "two-factor-verify", "sign-out"}
)
API_DETAIL = (
    "Finish signing in: enter the code from your authenticator app in the web service "
    "first. Systems send an API token as a Bearer token instead."
)


def second_factor_pending(user) -> bool:
    """A signed-in user who has not yet confirmed a second factor in this session
    (always false when ``TWO_FACTOR_REQUIRED`` is off)."""
    if not settings.TWO_FACTOR_REQUIRED or not user.is_authenticated:
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified is not None and is_verified())


def _bearer_token_is_valid(request: HttpRequest) -> bool:
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return False
    return ApiToken.find_active(key.strip()) is not None


class TwoFactorMiddleware:
    """Until a signed-in user confirms a second factor, the web pages send them to the
    two-factor step and the API refuses their session with a 401 problem.

    API tokens are issued by system administrators to other systems, which cannot
    answer a code, so a request with a valid Bearer token is not held here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not second_factor_pending(request.user):
            return None
        if request.path.startswith(API_PREFIX):
            if _bearer_token_is_valid(request):
                return None
            return problem_response(401, API_DETAIL, title="Two-factor sign-in needed")
        match = request.resolver_match
        if (
            match is not None
            and match.namespace == "accounts"
            and match.url_name in OPEN_BEFORE_SECOND_FACTOR
        ):
            return None
        target = reverse("accounts:two-factor")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            # htmx would follow a redirect and swap the page into a fragment.
            response = HttpResponse(status=200)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
