from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Programs")

    def ready(self):
        # The outbox knows this app only through what it registers: its e-mails.
        from . import emails

        emails.register()
