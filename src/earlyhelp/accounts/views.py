"""Signing out, and the two-factor pages: set up an authenticator app, confirm a sign-in
with a code, make new recovery codes, and (system administrators) reset someone's."""

from __future__ import annotations

from urllib.parse import urlencode

import django_otp
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from earlyhelp.accounts import selectors, services
from earlyhelp.accounts.forms import AuthenticatorCodeForm, SecondFactorForm, StaffSearchForm
from earlyhelp.accounts.models import User

STAFF_PAGE_SIZE = 50


@require_POST
def sign_out(request):
    logout(request)
    return redirect("accounts:sign-in")


def _next_url(request: HttpRequest) -> str:
    """Where to go once the second factor is confirmed: ``next`` if it is on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("core:home")


def _with_next(name: str, next_url: str) -> str:
    return reverse(name) + "?" + urlencode({"next": next_url})


def _is_verified(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def _confirm_session(request: HttpRequest, device) -> None:
    # A new session key once the second factor is confirmed, as Django does at sign-in.
    request.session.cycle_key()
    django_otp.login(request, device)


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: confirm a code, or set up an app if there is none."""
    next_url = _next_url(request)
    if _is_verified(request):
        return redirect(next_url)
    if selectors.has_authenticator_app(user=request.user):
        return redirect(_with_next("accounts:two-factor-verify", next_url))
    return redirect(_with_next("accounts:two-factor-set-up", next_url))


@login_required
def set_up(request: HttpRequest) -> HttpResponse:
    """Scan a QR code (or type the key), confirm with a code, then see recovery codes."""
    next_url = _next_url(request)
    try:
        device = services.start_totp_enrolment(user=request.user)
    except services.TwoFactorAlreadySetUp:
        return redirect(_with_next("accounts:two-factor", next_url))
    form = AuthenticatorCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.confirm_totp_enrolment(
                user=request.user, code=form.cleaned_data["code"], source=request.path
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _confirm_session(request, device)
            return render(
                request,
                "accounts/two_factor_recovery_codes.html",
                {"codes": codes, "next": next_url, "just_set_up": True},
            )
    return render(
        request,
        "accounts/two_factor_set_up.html",
        {"form": form, "set_up": selectors.authenticator_set_up(device), "next": next_url},
    )


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Enter the code from the authenticator app, or a recovery code."""
    next_url = _next_url(request)
    if _is_verified(request):
        return redirect(next_url)
    if not selectors.has_authenticator_app(user=request.user):
        return redirect(_with_next("accounts:two-factor-set-up", next_url))
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify_second_factor(
                user=request.user, code=form.cleaned_data["code"], source=request.path
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _confirm_session(request, device)
            if device.name == services.RECOVERY_CODES:
                left = services.recovery_codes_left(user=request.user)
                messages.warning(
                    request,
                    f"You used a recovery code. You have {left} left: make new ones from "
                    "the recovery codes page if you are running out.",
                )
            return redirect(next_url)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Make a new set of recovery codes, after confirming a code from the app."""
    if not selectors.has_authenticator_app(user=request.user):
        return redirect("accounts:two-factor-set-up")
    form = AuthenticatorCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.regenerate_recovery_codes(
                user=request.user, code=form.cleaned_data["code"], source=request.path
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(
                request,
                "accounts/two_factor_recovery_codes.html",
                {"codes": codes, "next": reverse("core:home"), "just_set_up": False},
            )
    return render(
        request,
        "accounts/two_factor_new_codes.html",
        {"form": form, "codes_left": services.recovery_codes_left(user=request.user)},
    )


@login_required
def staff(request: HttpRequest) -> HttpResponse:
    """System administrators: each active account's two-factor sign-in, to reset one."""
    form = StaffSearchForm(request.GET)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    users = selectors.staff_two_factor_status(actor=request.user, search=search)
    page = Paginator(users, STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({"q": search}) if search else ""
    return render(
        request,
        "accounts/two_factor_staff.html",
        {"form": form, "page": page, "search": search, "query": query},
    )


@login_required
def reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """Confirm, then reset, someone's two-factor sign-in."""
    target = User.objects.filter(pk=user_id, is_active=True).first()
    if target is None:
        raise Http404("No staff account with that number.")
    if request.method == "POST":
        services.reset_two_factor(actor=request.user, user_id=target.pk, source=request.path)
        messages.success(
            request,
            f"Two-factor sign-in reset for {target.get_full_name() or target.email}. They "
            "will set up an authenticator app when they next sign in.",
        )
        return redirect("accounts:two-factor-staff")
    if not request.user.has_perm("accounts.reset_two_factor"):
        raise PermissionDenied("Only a system administrator can reset two-factor sign-in.")
    return render(
        request,
        "accounts/two_factor_reset.html",
        {"target": target, "is_self": target.pk == request.user.pk},
    )
