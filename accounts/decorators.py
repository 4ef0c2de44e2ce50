"""The coordinators' gate, written once: logged in, and a second factor set up. Which programs
a coordinator may see is the querysets' business (Program.objects.coordinated_by), so another
program's page is a 404 as everywhere."""

from __future__ import annotations

from functools import wraps

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


def second_factor_missing(request):
    """A redirect to set up an authenticator app for a staff user who has none, else None."""
    user = request.user
    if not (user.is_authenticated and user.is_staff):
        return None
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        return None
    messages.warning(
        request,
        _(
            "Coordinators protect many people's personal data: set up an authenticator "
            "app as a second factor to continue. You confirm your password once more, "
            "then scan the code with the app; after that the administration opens."
        ),
    )
    return redirect(f"{reverse('mfa_activate_totp')}?next={request.get_full_path()}")


def coordinator_required(view):
    """For every coordinator page outside the admin: log in, then the second factor."""

    @login_required
    @wraps(view)
    def gated(request, *args, **kwargs):
        return second_factor_missing(request) or view(request, *args, **kwargs)

    gated.coordinator_only = True
    return gated
