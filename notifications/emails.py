"""Rendering outbox rows into e-mails, in the recipient's language, text and HTML.

Delivery renders a batch at a time: `preload` fetches what the batch's e-mails are about with
one query per kind, so rendering costs no query per e-mail.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import EmailMultiAlternatives
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar, Event


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# --------------------------------------------------------------------------------------------
# Loading what the e-mails are about, a batch at a time
# --------------------------------------------------------------------------------------------


def _applications(ids):
    from programs.models import Application

    return Application.objects.select_related("program", "organization").in_bulk(ids)


def _programs(ids):
    from programs.models import Program

    return Program.objects.in_bulk(ids)


def _matches(ids):
    from matching.models import Match

    return Match.objects.select_related(
        "program", "adept__applicant", "adept__organization", "mentor__applicant",
        "mentor__organization",
    ).in_bulk(ids)  # fmt: skip


def _meetings(ids):
    from meetings.models import Meeting

    return Meeting.objects.select_related(
        "match__program", "match__adept__applicant", "match__mentor__applicant"
    ).in_bulk(ids)


def _milestones(ids):
    from programs.models import Milestone

    return Milestone.objects.in_bulk(ids)


def _surveys(ids):
    from evaluations.models import Survey

    return Survey.objects.select_related("program").in_bulk(ids)


# context key -> loader
LOADERS = {
    "milestone": _milestones,
    "survey": _surveys,
    "application": _applications,
    "program": _programs,
    "match": _matches,
    "meeting": _meetings,
}


def preload(notifications) -> dict[str, dict]:
    wanted: dict[str, set] = {}
    for notification in notifications:
        for key in LOADERS:
            if key in notification.context:
                wanted.setdefault(key, set()).add(notification.context[key])
    return {key: LOADERS[key](ids) for key, ids in wanted.items()}


def _get(cache, notification, key):
    if key not in cache:  # rendering a single e-mail (tests, the admin)
        cache[key] = LOADERS[key]([notification.context[key]])
    obj = cache[key].get(notification.context[key])
    if obj is None:
        raise ObjectDoesNotExist(f"{key} {notification.context[key]} is gone")
    return obj


# --------------------------------------------------------------------------------------------
# Context for each kind
# --------------------------------------------------------------------------------------------


def _application(notification, cache):
    from programs.services import unmet_rules

    application = _get(cache, notification, "application")
    not_eligible = application.rejection_reason == application.RejectionReason.NOT_ELIGIBLE
    return {
        "application": application,
        "program": application.program,
        "url": absolute(application.get_absolute_url()),
        "decision": notification.context.get("decision", ""),
        "unmet_rules": unmet_rules(application) if not_eligible else [],
    }


def _bank_invitation(notification, cache):
    program = _get(cache, notification, "program")
    apply = reverse("programs:apply", kwargs={"slug": program.slug, "role": "mentor"})
    return {
        "program": program,
        "url": absolute(f"{apply}?from_bank=1"),
        "bank_url": absolute(reverse("programs:mentor_bank")),
    }


def _pair(notification, match):
    is_adept = notification.recipient_id == match.adept.applicant_id
    other = match.mentor if is_adept else match.adept
    return {
        "program": match.program,
        "recipient_is_adept": is_adept,
        "other": other.applicant,
        "other_organization": other.organization or "",
        "program_url": absolute(match.program.get_absolute_url()),
        "mentorship_url": absolute(reverse("meetings:mentorship", args=[match.pk])),
    }


def _introduction(notification, cache):
    return _pair(notification, _get(cache, notification, "match"))


def _monthly_reminder(notification, cache):
    match = _get(cache, notification, "match")
    return {
        **_pair(notification, match),
        "plan_url": absolute(reverse("meetings:meeting_add", args=[match.pk])),
    }


def _meeting_reminder(notification, cache):
    from meetings.calendar import meeting_calendar

    meeting = _get(cache, notification, "meeting")
    calendar = meeting_calendar(meeting)
    calendar.add_missing_timezones()
    return {
        "meeting": meeting,
        "program": meeting.match.program,
        "url": absolute(meeting.get_absolute_url()),
        "attachments": [("meeting.ics", calendar.to_ical(), "text/calendar")],
    }


def _milestone_ics(context, milestone, *, cancelled=False) -> bytes:
    """The event as the notice tells it (time and place from the notice), with the end and
    the description of the milestone where it still exists, in the reader's language."""
    calendar = Calendar()
    calendar.add("prodid", "-//Mentorship//Mentor programs//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"milestone-{context['milestone']}@mentorship")
    event.add("dtstamp", timezone.now())
    event.add("summary", milestone.display_title if milestone else context["title"])
    starts_at = timezone.localtime(datetime.datetime.fromisoformat(context["starts_at"]))
    event.add("dtstart", starts_at)
    if milestone and milestone.ends_at and milestone.ends_at > starts_at:
        event.add("dtend", timezone.localtime(milestone.ends_at))
    if milestone and milestone.display_description:
        event.add("description", milestone.display_description)
    if context.get("location"):
        event.add("location", context["location"])
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _milestone(notification, cache):
    context = notification.context
    program = _get(cache, notification, "program")
    cancelled = notification.kind == "milestone_cancelled"
    # A milestone removed since is gone: the notice then tells what people were told.
    if "milestone" not in cache:
        cache["milestone"] = _milestones([context["milestone"]])
    milestone = None if cancelled else cache["milestone"].get(context["milestone"])
    # Everyone invited to an event in one language gets the same file: built once per batch.
    key = (
        context["milestone"], context["starts_at"], context.get("location"), cancelled,
        translation.get_language(),
    )  # fmt: skip
    files = cache.setdefault("ics", {})
    if key not in files:
        files[key] = _milestone_ics(context, milestone, cancelled=cancelled)
    return {
        "program": program,
        "title": milestone.display_title if milestone else context["title"],
        "description": milestone.display_description if milestone else "",
        "starts_at": datetime.datetime.fromisoformat(context["starts_at"]),
        "ends_at": milestone.ends_at if milestone else None,
        "was": datetime.datetime.fromisoformat(context["was"]) if context.get("was") else None,
        "location": context.get("location", ""),
        "program_url": absolute(program.get_absolute_url()),
        "mentorship_url": absolute(reverse("meetings:mentorships")),
        "attachments": [("event.ics", files[key], "text/calendar")],
    }


def _digest(notification, cache):
    from matching.models import Match, RematchRequest
    from meetings.services import stalled_pairs

    from .models import Notification
    from .planning import DIGEST_AHEAD

    program = _get(cache, notification, "program")
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


def _evaluation(notification, cache):
    survey = _get(cache, notification, "survey")
    return {
        "survey": survey,
        "program": survey.program,
        "closes_at": timezone.localtime(survey.closes_at),
        "url": absolute(reverse("evaluations:answer", args=[survey.pk])),
    }


def _program_closed(notification, cache):
    from evaluations.services import open_surveys_for

    program = _get(cache, notification, "program")
    surveys = open_surveys_for(notification.recipient).filter(program=program)
    return {
        "program": program,
        "until": program.personal_data_kept_until,
        "surveys": [
            {
                "survey": survey,
                "closes_at": timezone.localtime(survey.closes_at),
                "url": absolute(reverse("evaluations:answer", args=[survey.pk])),
            }
            for survey in surveys
        ],
        "mentorship_url": absolute(
            reverse("meetings:mentorship", args=[notification.context["match"]])
        ),
        "data_url": absolute(reverse("accounts:profile")),
    }


def _rematch_requested(notification, cache):
    match = _get(cache, notification, "match")
    requester = (
        match.adept if match.adept.applicant_id == notification.context["by"] else match.mentor
    )
    return {
        "program": match.program,
        "requester": requester.applicant,
        "requester_role": requester.get_role_display().lower(),
        "url": absolute(reverse("matching:review", args=[match.program.slug])),
    }


def _match_ended(notification, cache):
    match = _get(cache, notification, "match")
    is_adept = notification.recipient_id == match.adept.applicant_id
    return {
        "program": match.program,
        "other": (match.mentor if is_adept else match.adept).applicant,
        "mentorship_url": absolute(reverse("meetings:mentorships")),
    }


def _coordinator_invitation(notification, cache):
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    program = _get(cache, notification, "program")
    user = notification.recipient
    context = {
        "program": program,
        "has_password": user.has_usable_password(),
        "admin_url": absolute(reverse("admin:programs_program_change", args=[program.pk])),
    }
    if not context["has_password"]:
        # Made when the e-mail is sent, so the link's validity starts then.
        key = default_token_generator.make_token(user)
        path = reverse(
            "account_reset_password_from_key",
            kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
        )
        context["password_url"] = absolute(path)
    return context


# kind -> (template name under templates/email/, context builder)
TEMPLATES = {
    "application_received": ("application_received", _application),
    "decision": ("decision", _application),
    "bank_invitation": ("bank_invitation", _bank_invitation),
    "introduction": ("introduction", _introduction),
    "monthly_reminder": ("monthly_reminder", _monthly_reminder),
    "meeting_reminder": ("meeting_reminder", _meeting_reminder),
    "milestone": ("milestone", _milestone),
    "milestone_changed": ("milestone_changed", _milestone),
    "milestone_cancelled": ("milestone_cancelled", _milestone),
    "goal_review": ("goal_review", _milestone),
    "digest": ("digest", _digest),
    "evaluation_invitation": ("evaluation_invitation", _evaluation),
    "evaluation_reminder": ("evaluation_reminder", _evaluation),
    "program_closed": ("program_closed", _program_closed),
    "rematch_requested": ("rematch_requested", _rematch_requested),
    "match_ended": ("match_ended", _match_ended),
    "coordinator_invitation": ("coordinator_invitation", _coordinator_invitation),
}


def render_notification(notification, cache: dict | None = None) -> EmailMultiAlternatives:
    name, build = TEMPLATES[notification.kind]
    recipient = notification.recipient
    cache = {} if cache is None else cache
    with translation.override(recipient.language):
        context = {
            **build(notification, cache),
            "recipient": recipient,
            "site_url": settings.SITE_URL,
            "site_name": settings.SITE_NAME,
            "settings_url": absolute(reverse("accounts:profile")),
        }
        subject = " ".join(render_to_string(f"email/{name}_subject.txt", context).split())
        context["subject"] = subject
        text = render_to_string(f"email/{name}.txt", context)
        html = render_to_string(f"email/{name}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[recipient.email],
        headers={"Content-Language": recipient.language},
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in context.get("attachments", []):
        message.attach(filename, content, mimetype)
    return message
