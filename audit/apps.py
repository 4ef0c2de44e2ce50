from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from accounts import privacy as registry

        from . import privacy

        registry.register(privacy.HOLDER)
