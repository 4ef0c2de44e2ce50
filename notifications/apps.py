from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from accounts import privacy as registry

        from . import allauth, checks, privacy  # noqa: F401 - checks registers the system check

        registry.register(privacy.HOLDER)
        allauth.register()
