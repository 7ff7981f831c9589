"""A deployment check: two-factor sign-in is off only for development and the demo."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def two_factor_is_required(app_configs=None, **kwargs) -> list[CheckMessage]:
    """Warn when TWO_FACTOR_REQUIRED is off outside DEBUG or DEMO_MODE."""
    if settings.TWO_FACTOR_REQUIRED or settings.DEBUG or getattr(settings, "DEMO_MODE", False):
        return []
    return [
        Warning(
            "Two-factor sign-in is off (TWO_FACTOR_REQUIRED is false) in a deployment that "
            "is neither DEBUG nor DEMO_MODE.",
            hint="Unset TWO_FACTOR_REQUIRED (it defaults to true) or set it to 1.",
            id="accounts.W001",
        )
    ]
