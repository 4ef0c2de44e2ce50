import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from mentorship.errors import ServiceError

from . import privacy
from .forms import ProfileForm
from .services import account_erase


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.language)
        messages.success(request, _("Your profile has been saved."))
        response = redirect("accounts:profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def delete_account(request):
    """Erase my account, after typing my e-mail address to confirm."""
    error = ""
    if request.method == "POST":
        if request.POST.get("email", "").strip().lower() != request.user.email.lower():
            error = _("Type your e-mail address exactly as shown to confirm.")
        else:
            try:
                account_erase(user=request.user)
            except ServiceError as exc:
                error = exc.message
            else:
                logout(request)
                messages.success(request, _("Your account and your personal data are deleted."))
                return redirect("programs:list")
    return render(request, "accounts/delete.html", {"error": error})


@login_required
def my_data(request):
    """Download everything the app holds about me, as JSON."""
    data = privacy.user_data(request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@require_POST
def set_language(request):
    """Django's set_language (cookie and redirect), and for a logged-in user also saved."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return django_set_language(request)


@require_POST
def keep_alive(request):
    """The idle-logout warning's "stay logged in": any request of a logged-in person renews the
    session (SESSION_SAVE_EVERY_REQUEST); this one answers how long it now lasts."""
    if not request.user.is_authenticated:
        return JsonResponse({"logged_in": False}, status=401)
    return JsonResponse({"logged_in": True, "seconds": settings.SESSION_COOKIE_AGE})
