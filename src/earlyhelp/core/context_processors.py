from django.conf import settings

from earlyhelp.core.navigation import navigation_for


def service(request):
    """The service name and, for a signed-in user, their navigation."""
    user = getattr(request, "user", None)
    nav = navigation_for(user, request.path) if user is not None and user.is_authenticated else []
    return {
        "service_name": settings.SERVICE_NAME,
        "navigation": nav,
        "demo_mode": settings.DEMO_MODE,
    }
