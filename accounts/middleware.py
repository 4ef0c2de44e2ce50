import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .decorators import second_factor_missing

# Where the admin is mounted (mentorship/urls.py).
ADMIN_PREFIX = "admin/"


class UserLanguageMiddleware:
    """A logged-in user's saved language wins over the browser's and the cookie's.

    Sits after AuthenticationMiddleware; LocaleMiddleware has already chosen a language for
    anonymous visitors (language cookie, then Accept-Language, then Swedish).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class StaffSecondFactorMiddleware:
    """A coordinator or superuser without an authenticator app is sent to set one up before
    the admin opens. The admin is a site of its own, so it is gated here by its prefix; our own
    coordinator pages carry `coordinator_required` (a test finds any that does not)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(f"/{ADMIN_PREFIX}"):
            missing = second_factor_missing(request)
            if missing is not None:
                return missing
        return self.get_response(request)


LOGIN_AT = "login_at"


class AbsoluteSessionTimeoutMiddleware:
    """However active, a session ends SESSION_ABSOLUTE_SECONDS after login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.setdefault(LOGIN_AT, time.time())
            if time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(
                    request, _("For your security you have been logged out. Please log in again.")
                )
                return redirect(f"{reverse('account_login')}?next={request.get_full_path()}")
        return self.get_response(request)
