from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

# The admin login goes through allauth, so its rate limits (and later MFA) apply there too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("programs.urls")),
    path("", include("matching.urls")),
    path("", include("meetings.urls")),
    path("", include("evaluations.urls")),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path(
        "accessibility/",
        TemplateView.as_view(
            template_name="accessibility.html",
            extra_context={"contact": settings.ACCESSIBILITY_CONTACT},
        ),
        name="accessibility",
    ),
    path("admin/", admin.site.urls),
]
