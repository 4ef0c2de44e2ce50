"""The words every app shares, as choices: a leaf that imports nothing of ours. Models store
the values; `programs.models` re-exports them where its fields use them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADEPT = "adept", _("Adept")
    MENTOR = "mentor", _("Mentor")


class MeetingFormat(models.TextChoices):
    PHYSICAL = "physical", _("In person")
    DIGITAL = "digital", _("Digital")
    EITHER = "either", _("Either")


class Language(models.TextChoices):
    SWEDISH = "sv", _("Swedish")
    ENGLISH = "en", _("English")
    DANISH = "da", _("Danish")
    NORWEGIAN = "no", _("Norwegian")
    FINNISH = "fi", _("Finnish")
