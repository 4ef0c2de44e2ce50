"""The pairs' e-mails: the monthly reminder, the reminder before a meeting, and the
coordinators' weekly digest of pairs at risk; registered in MeetingsConfig.ready()."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.emails import pair_context
from matching.models import Match, RematchRequest
from notifications.emails import absolute, loaded
from notifications.models import Notification
from notifications.registry import register_email, register_loader

from .calendar import meeting_calendar
from .models import Meeting
from .planning import DIGEST_AHEAD
from .services import stalled_pairs


def _meetings(ids):
    return Meeting.objects.select_related(
        "match__program", "match__adept__applicant", "match__mentor__applicant"
    ).in_bulk(ids)


def _monthly_reminder(notification, cache):
    match = loaded(cache, notification, "match")
    return {
        **pair_context(notification, match),
        "plan_url": absolute(reverse("meetings:meeting_add", args=[match.pk])),
    }


def _meeting_reminder(notification, cache):
    meeting = loaded(cache, notification, "meeting")
    calendar = meeting_calendar(meeting)
    calendar.add_missing_timezones()
    return {
        "meeting": meeting,
        "program": meeting.match.program,
        "url": absolute(meeting.get_absolute_url()),
        "attachments": [("meeting.ics", calendar.to_ical(), "text/calendar")],
    }


def _line_manager_meeting(notification, cache):
    """The line manager invited to a planning or evaluation meeting (or told of its change
    or cancellation), with an .ics: the time and place, never the agenda or notes."""
    meeting = loaded(cache, notification, "meeting")
    page = absolute(reverse("meetings:line_manager_page"))
    cancelled = meeting.status == Meeting.Status.CANCELLED
    calendar = meeting_calendar(meeting, url=page, method="CANCEL" if cancelled else "PUBLISH")
    calendar.add_missing_timezones()
    return {
        "meeting": meeting,
        "program": meeting.match.program,
        "adept": meeting.match.adept.applicant,
        "mentor": meeting.match.mentor.applicant,
        "cancelled": cancelled,
        "url": page,
        "attachments": [("meeting.ics", calendar.to_ical(), "text/calendar")],
    }


def _digest(notification, cache):
    program = loaded(cache, notification, "program")
    now = timezone.now()
    stalled = stalled_pairs(program, now)
    failed = Notification.objects.filter(program=program, status="failed").aggregate(n=Count("pk"))
    return {
        "program": program,
        "stalled": list(stalled),
        "failed": failed["n"],
        "rematch_requests": RematchRequest.objects.filter(
            handled_at__isnull=True,
            match__program=program,
            match__status=Match.Status.PUBLISHED,
        ).count(),
        "matching_url": absolute(reverse("matching:review", args=[program.slug])),
        "milestones": list(
            program.milestones.filter(starts_at__gte=now, starts_at__lt=now + DIGEST_AHEAD)
        ),
        "pairs_url": absolute(reverse("admin:meetings_pairactivity_changelist"))
        + f"?program={program.pk}",
        "outbox_url": absolute(reverse("admin:notifications_notification_changelist"))
        + f"?program={program.pk}&status__exact=failed",
    }


def register() -> None:
    register_loader("meeting", _meetings)
    register_email(
        "monthly_reminder", label=_("Monthly meeting reminder"), context=_monthly_reminder
    )
    register_email(
        "meeting_reminder", label=_("Reminder before a meeting"), context=_meeting_reminder
    )
    register_email(
        "line_manager_meeting",
        label=_("A line manager invited to a meeting"),
        context=_line_manager_meeting,
    )
    register_email("digest", label=_("Weekly digest for coordinators"), context=_digest)
