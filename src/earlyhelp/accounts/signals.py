"""Sign-ins, sign-outs and failed sign-ins go on the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from earlyhelp.audit.services import record_sign_in


def _source(request) -> str:
    return request.path if request is not None else ""


@receiver(user_logged_in)
def on_signed_in(sender, request, user, **kwargs):
    record_sign_in(actor=user, code="user.signed_in", source=_source(request))


@receiver(user_logged_out)
def on_signed_out(sender, request, user, **kwargs):
    if user is not None:
        record_sign_in(actor=user, code="user.signed_out", source=_source(request))


@receiver(user_login_failed)
def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    record_sign_in(
        actor=None,
        code="user.sign_in_failed",
        source=_source(request),
        details={"username": str(credentials.get("username", ""))[:254]},
    )
