from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy

from mentorship import accessibility

# The admin login goes through allauth, so its rate limits (and later MFA) apply there too.
admin.site.login = secure_admin_login(admin.site.login)
# The coordinators' back office in their language, not "Django administration"; without the
# side menu, whose width cut off the review lists' key columns at 1280 px.
admin.site.site_header = lazy(
    lambda: gettext("%(site)s administration") % {"site": settings.SITE_NAME}, str
)()
admin.site.site_title = admin.site.site_header
admin.site.index_title = gettext_lazy("Programs, applications and pairs")
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", include("programs.urls")),
    path("", include("matching.urls")),
    path("", include("meetings.urls")),
    path("", include("evaluations.urls")),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("accessibility/", accessibility.statement_page, name="accessibility"),
    path("was", accessibility.was, name="was"),
    path("admin/", admin.site.urls),
]
