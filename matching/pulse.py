"""The match-quality check about 30 days after a pair is published (issue 19): two questions
through the outbox ("is the match working?" 1-5, "would you like to talk to the coordinators?").
A low answer, or a wish to talk, flags the pair on the dashboard, and the person is offered a
new match at once."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorship.errors import ServiceError
from notifications.models import Notification
from notifications.services import notify_many

from .models import Match, Pulse

PULSE_AFTER = datetime.timedelta(days=30)
# A pair published longer ago than this is past the check (a sweep that was off catches up
# only on recent pairs, not on a year's).
PULSE_UNTIL = datetime.timedelta(days=60)


def plan_pulse(*, now=None, programs=None) -> int:
    """One check to each of the two people of every pair published 30 days ago (and less
    than 60), once per person and pair."""
    now = now or timezone.now()
    due = Match.objects.filter(
        status=Match.Status.PUBLISHED,
        published_at__lte=now - PULSE_AFTER,
        published_at__gt=now - PULSE_UNTIL,
    ).select_related("adept", "mentor")
    if programs is not None:
        due = due.filter(program__in=programs)
    return notify_many(
        [
            Notification(
                recipient_id=person,
                kind=Notification.Kind.MATCH_PULSE,
                key=f"pulse:{match.pk}",
                program_id=match.program_id,
                context={"match": match.pk},
            )
            for match in due
            for person in match.people
        ]
    )


def pulse_answer(*, match: Match, user, working: int, talk: bool) -> Pulse:
    if not match.has_member(user):
        raise ServiceError(_("This mentorship is not yours."))
    if match.status != Match.Status.PUBLISHED:
        raise ServiceError(_("This mentorship has ended; there is nothing to answer."))
    if not 1 <= working <= 5:
        raise ServiceError(_("Choose from 1 to 5."))
    pulse, _created = Pulse.objects.update_or_create(
        match=match, respondent=user, defaults={"working": working, "talk": talk}
    )
    return pulse


def flagged(program):
    """The answers of running pairs that came back low or asked to talk."""
    return Pulse.objects.filter(
        Q(working__lte=Pulse.LOW) | Q(talk=True),
        match__program=program,
        match__status=Match.Status.PUBLISHED,
    )
