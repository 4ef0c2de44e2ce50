from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Evaluations")

    def ready(self):
        # The outbox and the personal-data registry know this app only through what it
        # registers: its e-mails, its sweeps, what it holds about a person.
        from accounts import privacy as registry

        from . import emails, planning, privacy

        emails.register()
        planning.register()
        registry.register(privacy.HOLDER)
