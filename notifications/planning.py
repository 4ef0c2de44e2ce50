"""The hourly planning: every sweep the apps registered (`notifications.registry`), each an
idempotent insert of the rows due now (the unique key makes a second run harmless)."""

from __future__ import annotations

from django.utils import timezone

from .registry import SWEEPS


def plan_all(*, now=None, programs=None) -> int:
    now = now or timezone.now()
    return sum(sweep(now=now, programs=programs) for sweep in SWEEPS)
