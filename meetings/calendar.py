"""iCalendar files: one meeting, or a person's feed of their pairs' meetings and milestones.

Only times, places and names go into a calendar: it is read by outside services (Outlook,
Google), so agendas and notes never do.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

PRODID = "-//Mentorship//Mentor programs//EN"


def _local(moment):
    return moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def meeting_event(meeting, url: str = "") -> Event:
    """The meeting as a calendar event; `url` is the page the reader may open (the pair's
    meeting page unless given: a line manager's is their own page)."""
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@mentorship")
    event.add("dtstamp", timezone.now())
    names = {
        "adept": meeting.match.adept.applicant.full_name,
        "mentor": meeting.match.mentor.applicant.full_name,
    }
    if meeting.kind == "planning":
        summary = _("Planning meeting: %(adept)s, %(mentor)s and the line manager") % names
    elif meeting.kind == "evaluation":
        summary = _("Evaluation meeting: %(adept)s, %(mentor)s and the line manager") % names
    else:
        summary = _("Mentor meeting: %(adept)s and %(mentor)s") % names
    event.add("summary", summary)
    event.add("dtstart", _local(meeting.starts_at))
    event.add("dtend", _local(meeting.ends_at))
    if meeting.location:
        event.add("location", meeting.location)
    event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
    event.add("url", url or f"{settings.SITE_URL}{reverse('meetings:meeting', args=[meeting.pk])}")
    return event


def milestone_event(milestone) -> Event:
    event = Event()
    event.add("uid", f"milestone-{milestone.pk}@mentorship")
    event.add("dtstamp", timezone.now())
    event.add("summary", f"{milestone.program.name}: {milestone.display_title}")
    event.add("dtstart", _local(milestone.starts_at))
    if milestone.ends_at:
        event.add("dtend", _local(milestone.ends_at))
    if milestone.location or milestone.online_url:
        event.add("location", milestone.location or milestone.online_url)
    if milestone.display_description:
        event.add("description", milestone.display_description)
    return event


def ics_response(calendar: Calendar, filename: str) -> HttpResponse:
    calendar.add_missing_timezones()
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def meeting_calendar(meeting, url: str = "", method: str = "") -> Calendar:
    calendar = _calendar(_("Mentor meeting"))
    if method:
        calendar.add("method", method)
    calendar.add_component(meeting_event(meeting, url))
    return calendar


def feed_calendar(meetings, milestones) -> Calendar:
    calendar = _calendar(_("Mentorship"))
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting))
    for milestone in milestones:
        calendar.add_component(milestone_event(milestone))
    return calendar
