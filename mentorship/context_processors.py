"""What every page's template needs from the settings."""

from django.conf import settings

from accounts.middleware import LOGIN_AT


def site(request):
    idle = settings.SESSION_COOKIE_AGE
    user = getattr(request, "user", None)
    session = getattr(request, "session", {})
    login_at = session.get(LOGIN_AT) if user and user.is_authenticated else None
    return {
        # However active, a session ends this long after the log-in (milliseconds since the
        # epoch, for the warning's script): AbsoluteSessionTimeoutMiddleware.
        "SESSION_ENDS_AT": (
            int((login_at + settings.SESSION_ABSOLUTE_SECONDS) * 1000) if login_at else 0
        ),
        "ACCESSIBILITY_WAS_URL": settings.ACCESSIBILITY_WAS_URL,
        # The idle-logout warning (static/js/session-timeout.js): shown this long before the
        # session ends, at least 20 s (WCAG 2.2.1) and at most 2 minutes.
        "SESSION_IDLE_SECONDS": idle,
        "SESSION_ABSOLUTE_HOURS": round(settings.SESSION_ABSOLUTE_SECONDS / 3600),
        "SESSION_WARN_SECONDS": max(20, min(120, idle // 4)),
    }
