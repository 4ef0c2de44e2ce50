"""What every page's template needs from the settings."""

from django.conf import settings


def site(request):
    idle = settings.SESSION_COOKIE_AGE
    return {
        "ACCESSIBILITY_WAS_URL": settings.ACCESSIBILITY_WAS_URL,
        # The idle-logout warning (static/js/session-timeout.js): shown this long before the
        # session ends, at least 20 s (WCAG 2.2.1) and at most 2 minutes.
        "SESSION_IDLE_SECONDS": idle,
        "SESSION_WARN_SECONDS": max(20, min(120, idle // 4)),
    }
