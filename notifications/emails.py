"""Rendering outbox rows into e-mails, in the recipient's language, text and HTML.

The apps register their kinds of e-mail and the loaders for the objects the e-mails are about
(`notifications.registry`). Delivery renders a batch at a time: `preload` fetches what the
batch's e-mails are about with one query per kind of object, so rendering costs no query per
e-mail.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .registry import KINDS, LOADERS


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def preload(notifications) -> dict[str, dict]:
    wanted: dict[str, set] = {}
    for notification in notifications:
        for key in LOADERS:
            if key in notification.context:
                wanted.setdefault(key, set()).add(notification.context[key])
    return {key: LOADERS[key](ids) for key, ids in wanted.items()}


def loaded(cache, notification, key, *, missing_ok: bool = False):
    """The object the notification's context names under `key`, from the batch's cache. One
    that is gone raises, or is None with `missing_ok` (an e-mail that can do without it)."""
    if key not in cache:  # rendering a single e-mail (tests, the admin)
        cache[key] = LOADERS[key]([notification.context[key]])
    obj = cache[key].get(notification.context[key])
    if obj is None and not missing_ok:
        raise ObjectDoesNotExist(f"{key} {notification.context[key]} is gone")
    return obj


def render_notification(notification, cache: dict | None = None) -> EmailMultiAlternatives:
    kind = KINDS[notification.kind]
    name, build = kind.template, kind.context
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
        # An e-mail may name its address (allauth's confirmation of a new one).
        to=context.get("to") or [recipient.email],
        headers={"Content-Language": recipient.language},
    )
    if html.strip():
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in context.get("attachments", []):
        message.attach(filename, content, mimetype)
    return message
