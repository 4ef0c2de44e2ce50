from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching")

    def ready(self):
        # The outbox and the personal-data registry know this app only through what it
        # registers: its e-mails, its sweeps, what it holds about a person, what it does
        # when a program closes.
        from accounts import privacy as registry
        from notifications.registry import register_sweep
        from programs.signals import program_closed

        from . import emails, preferences, privacy, pulse, services

        emails.register()
        register_sweep(preferences.plan_preference_round)
        register_sweep(pulse.plan_pulse)
        registry.register(privacy.HOLDER)
        program_closed.connect(services.on_program_closed, dispatch_uid="matching")
