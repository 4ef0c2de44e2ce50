import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


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
    any coordinator page (the admin, the matching review) opens."""

    PROTECTED = ("/admin/", "/manage/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff
            and request.path.startswith(self.PROTECTED)
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            messages.warning(
                request,
                _(
                    "Coordinators protect many people's personal data: set up an authenticator "
                    "app as a second factor to continue. You confirm your password once more, "
                    "then scan the code with the app; after that the administration opens."
                ),
            )
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.get_full_path()}")
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
