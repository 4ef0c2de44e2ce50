"""The programs' e-mails: applications and decisions, the mentor bank, milestone notices and
the invitation to coordinate; registered with the outbox in ProgramsConfig.ready()."""

from __future__ import annotations

import datetime

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from icalendar import Calendar, Event

from mentorship.i18n import in_language, language_of
from notifications.emails import absolute, loaded
from notifications.registry import register_email, register_loader

from .models import (
    Application,
    BankOffer,
    LineManagerSupport,
    Milestone,
    ParticipantInvitation,
    Program,
    program_paragraph,
)
from .services import bank_leave_token, line_manager_token, unmet_rules


def _applications(ids):
    return (
        Application.objects.select_related("program", "organization", "applicant")
        .prefetch_related("program__email_texts")
        .in_bulk(ids)
    )


def _programs(ids):
    return Program.objects.select_related("owner").prefetch_related("email_texts").in_bulk(ids)


def _milestones(ids):
    return Milestone.objects.in_bulk(ids)


def _application(notification, cache):
    application = loaded(cache, notification, "application")
    not_eligible = application.rejection_reason == application.RejectionReason.NOT_ELIGIBLE
    return {
        "application": application,
        "program": application.program,
        "url": absolute(application.get_absolute_url()),
        "decision": notification.context.get("decision", ""),
        "paragraph": program_paragraph(application.program, notification.context.get("decision")),
        "unmet_rules": unmet_rules(application) if not_eligible else [],
    }


def _leave_url(notification, program) -> str:
    """The link out of the bank of the program's organisation, which works without logging
    in."""
    token = bank_leave_token(mentor_id=notification.recipient_id, owner_id=program.owner_id)
    return absolute(reverse("programs:mentor_bank_leave", kwargs={"token": token}))


def _password_url(user) -> str:
    """A link to choose a first password (made when the e-mail is sent, so that its validity
    starts then)."""
    key = default_token_generator.make_token(user)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
    )
    return absolute(path)


def _bank_invitation(notification, cache):
    program = loaded(cache, notification, "program")
    apply = reverse("programs:apply", kwargs={"slug": program.slug, "role": "mentor"})
    user = notification.recipient
    return {
        "program": program,
        "url": absolute(f"{apply}?from_bank=1"),
        # A mentor the coordinators added has no earlier application to fill the form in
        # from, and an account without a password until they choose one.
        "prefilled": bool(notification.context.get("application")),
        "password_url": "" if user.has_usable_password() else _password_url(user),
        "bank_url": _leave_url(notification, program),
    }


def _bank_added(notification, cache):
    """The notice to a mentor the coordinators put in their bank from their own list: who
    holds their name and address, why, and the way out (the information owed to a person
    whose data did not come from them)."""
    program = loaded(cache, notification, "program")
    return {
        "program": program,
        "owner": program.owner,
        "bank_url": _leave_url(notification, program),
        "privacy_url": absolute(reverse("programs:privacy", kwargs={"slug": program.slug})),
    }


def _offers(ids):
    return BankOffer.objects.select_related("program__owner").in_bulk(ids)


def _bank_offer(notification, cache):
    """An offer to the mentor bank, in the reader's language or the one it is written in."""
    offer = loaded(cache, notification, "offer")
    return {
        "offer": offer,
        "program": offer.program,
        "title": in_language(offer, "title"),
        "title_lang": language_of(offer, "title"),
        "text": in_language(offer, "text"),
        "text_lang": language_of(offer, "text"),
        "bank_url": _leave_url(notification, offer.program),
    }


def _edition_invitation(notification, cache):
    """The next edition's invitation to last time's waiting list and mentors; the link fills
    in the form from the application it names (the person's own)."""
    program = loaded(cache, notification, "program")
    role = notification.context["role"]
    source = loaded(cache, notification, "application", missing_ok=True)
    apply = reverse("programs:apply", kwargs={"slug": program.slug, "role": role})
    return {
        "program": program,
        "role": role,
        "previous": source.program if source else None,
        "waitlisted": source is not None and source.status == Application.Status.WAITLISTED,
        "url": absolute(f"{apply}?from={source.pk}" if source else apply),
    }


def _invitations(ids):
    return ParticipantInvitation.objects.select_related("organization", "unit__parent").in_bulk(ids)


def _participant_invitation(notification, cache):
    """The invitation to someone on the coordinators' own list: what the list says of them
    (which fills in their form) and, for a person new to the app, a first password."""
    program = loaded(cache, notification, "program")
    invitation = loaded(cache, notification, "invitation", missing_ok=True)
    role = notification.context["role"]
    user = notification.recipient
    apply = reverse("programs:apply", kwargs={"slug": program.slug, "role": role})
    return {
        "program": program,
        "role": role,
        "invitation": invitation,
        "action": program.words[role],
        "url": absolute(apply),
        "password_url": "" if user.has_usable_password() else _password_url(user),
        "privacy_url": absolute(reverse("programs:privacy", kwargs={"slug": program.slug})),
    }


def _supports(ids):
    return LineManagerSupport.objects.in_bulk(ids)


def _line_manager_request(notification, cache):
    """The adept's line manager asked for their support (or, where the program only informs
    them, told), with the link that answers without a login."""
    application = loaded(cache, notification, "application")
    support = loaded(cache, notification, "support")
    token = line_manager_token(support)
    return {
        "application": application,
        "program": application.program,
        "adept": application.applicant,
        "support_required": application.program.line_managers == Program.LineManagers.SUPPORT,
        "url": absolute(reverse("programs:line_manager", kwargs={"token": token})),
        "privacy_url": absolute(
            reverse("programs:privacy", kwargs={"slug": application.program.slug})
        ),
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
    program = loaded(cache, notification, "program")
    cancelled = notification.kind == "milestone_cancelled"
    # A milestone removed since is gone: the notice then tells what people were told.
    milestone = None if cancelled else loaded(cache, notification, "milestone", missing_ok=True)
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


def _coordinator_invitation(notification, cache):
    program = loaded(cache, notification, "program")
    user = notification.recipient
    organization = notification.context.get("organization", "")
    if organization:
        # They coordinate one organisation's people: their page is the applications list.
        admin_url = f"{reverse('admin:programs_application_changelist')}?program={program.pk}"
    else:
        admin_url = reverse("admin:programs_program_change", args=[program.pk])
    context = {
        "program": program,
        "organization": organization,
        "has_password": user.has_usable_password(),
        "has_second_factor": Authenticator.objects.filter(user=user).exists(),
        "admin_url": absolute(admin_url),
    }
    if not context["has_password"]:
        context["password_url"] = _password_url(user)
    return context


def register() -> None:
    register_loader("application", _applications)
    register_loader("program", _programs)
    register_loader("milestone", _milestones)
    register_loader("offer", _offers)
    register_loader("invitation", _invitations)
    register_loader("support", _supports)
    register_email("bank_offer", label=_("Offer to the mentor bank"), context=_bank_offer)
    register_email("bank_added", label=_("Added to the mentor bank"), context=_bank_added)
    register_email("application_received", label=_("Application received"), context=_application)
    register_email("decision", label=_("Decision on an application"), context=_application)
    register_email(
        "bank_invitation", label=_("Invitation from the mentor bank"), context=_bank_invitation
    )
    register_email(
        "edition_invitation",
        label=_("Invitation to a new edition"),
        context=_edition_invitation,
    )
    register_email(
        "participant_invitation",
        label=_("Invitation from the coordinators' list"),
        context=_participant_invitation,
    )
    register_email(
        "line_manager_request",
        label=_("A line manager asked for support"),
        context=_line_manager_request,
    )
    register_email(
        "line_manager_reminder",
        label=_("A line manager reminded to answer"),
        context=lambda notification, cache: {
            **_line_manager_request(notification, cache),
            "reminder": True,
        },
        template="line_manager_request",
    )
    register_email("milestone", label=_("Milestone notice"), context=_milestone)
    register_email("milestone_changed", label=_("Milestone changed"), context=_milestone)
    register_email("milestone_cancelled", label=_("Milestone cancelled"), context=_milestone)
    register_email("goal_review", label=_("Reminder to review goals"), context=_milestone)
    register_email(
        "coordinator_invitation",
        label=_("Invitation to coordinate"),
        context=_coordinator_invitation,
    )
