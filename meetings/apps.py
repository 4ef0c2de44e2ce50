from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        # The outbox knows this app only through what it registers: its e-mails and its
        # planning sweeps.
        from . import emails, planning

        emails.register()
        planning.register()
