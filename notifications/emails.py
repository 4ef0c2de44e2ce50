"""Rendering an outbox row into an e-mail, in the recipient's language, text and HTML."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _application(notification):
    from programs.models import Application

    application = Application.objects.select_related("program", "organization").get(
        pk=notification.context["application"]
    )
    return {
        "application": application,
        "program": application.program,
        "url": absolute(application.get_absolute_url()),
        "decision": notification.context.get("decision", ""),
    }


def _bank_invitation(notification):
    from programs.models import Program

    program = Program.objects.get(pk=notification.context["program"])
    apply = reverse("programs:apply", kwargs={"slug": program.slug, "role": "mentor"})
    return {
        "program": program,
        "url": absolute(f"{apply}?from_bank=1"),
        "bank_url": absolute(reverse("programs:mentor_bank")),
    }


def _introduction(notification):
    from matching.models import Match

    match = Match.objects.select_related(
        "program", "adept__applicant", "adept__organization", "mentor__applicant",
        "mentor__organization",
    ).get(pk=notification.context["match"])  # fmt: skip
    is_adept = notification.recipient_id == match.adept.applicant_id
    other = match.mentor if is_adept else match.adept
    return {
        "program": match.program,
        "recipient_is_adept": is_adept,
        "other": other.applicant,
        "other_organization": other.organization or "",
        "program_url": absolute(match.program.get_absolute_url()),
    }


# kind -> (template name under templates/email/, context builder)
TEMPLATES = {
    "application_received": ("application_received", _application),
    "decision": ("decision", _application),
    "bank_invitation": ("bank_invitation", _bank_invitation),
    "introduction": ("introduction", _introduction),
}


def render_notification(notification) -> EmailMultiAlternatives:
    name, build = TEMPLATES[notification.kind]
    recipient = notification.recipient
    with translation.override(recipient.language):
        context = {
            **build(notification),
            "recipient": recipient,
            "site_url": settings.SITE_URL,
            "settings_url": absolute(reverse("accounts:profile")),
        }
        subject = " ".join(render_to_string(f"email/{name}_subject.txt", context).split())
        text = render_to_string(f"email/{name}.txt", context)
        html = render_to_string(f"email/{name}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[recipient.email],
        headers={"Content-Language": recipient.language},
    )
    message.attach_alternative(html, "text/html")
    return message
