from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Programs")

    def ready(self):
        # The outbox and the personal-data registry know this app only through what it
        # registers: its e-mails, its sweeps, what it holds about a person.
        from accounts import privacy as registry
        from notifications.registry import register_sweep

        from . import emails, privacy, services

        emails.register()
        register_sweep(services.plan_line_manager_reminders)
        registry.register(privacy.HOLDER)
