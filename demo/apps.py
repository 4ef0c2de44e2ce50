from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data (`manage.py seed_demo`): the top of the house, since it fills every app."""

    name = "demo"
    verbose_name = _("Demo data")
