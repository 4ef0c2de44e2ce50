"""Erasing an account: personal data goes, the counts behind the statistics stay."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorship.errors import ServiceError

from . import privacy


@transaction.atomic
def account_erase(*, user) -> None:
    """Remove or anonymise everything that identifies the person, app by app (each app's
    privacy.py says how).

    Applications and matches stay, stripped of what the person wrote, so that a program's
    numbers (applicants, pairs, meetings held) stay right; a live match ends.
    """
    if user.is_staff:
        raise ServiceError(
            _("Coordinators' accounts are closed by an administrator, who keeps the audit trail.")
        )
    privacy.erase(user, timezone.now())
