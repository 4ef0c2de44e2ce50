"""State changes of programs that carry a business rule."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from .models import Program

logger = logging.getLogger(__name__)


def program_close_applications(*, now: datetime.datetime | None = None) -> int:
    """Move every open program whose deadline has passed on to selection.

    A sweep, safe to run twice or from two beats at once: the UPDATE only touches rows still
    open, so a second run finds nothing to do. Returns how many programs were closed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        closed = Program.objects.filter(
            status=Program.Status.OPEN, applications_close_at__lte=now
        ).update(status=Program.Status.SELECTION, updated_at=now)
    if closed:
        logger.info("Closed the application window of %d program(s).", closed)
    return closed
