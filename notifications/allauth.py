"""allauth's e-mails (address confirmation, log-in codes, password resets, "you already have
an account") through the outbox: written in the request's transaction and sent by a worker
after commit, so that a slow or absent mail server neither slows nor breaks the request and
both answers to a sign-up take as long. Settings name the adapter (ACCOUNT_ADAPTER).

What allauth renders (in the recipient's language, accounts.adapter) is kept in the row until
it is sent, then emptied: a link or code that works once is not kept.
"""

from __future__ import annotations

import uuid

from django.utils.translation import gettext_lazy as _

from accounts.adapter import AccountAdapter

from .registry import register_email
from .services import notify

KIND = "account_email"


class OutboxAccountAdapter(AccountAdapter):
    def deliver(self, message, user) -> None:
        if user is None:
            # An address with no account (a password reset for it): nobody to queue for.
            super().deliver(message, user)
            return
        alternatives = getattr(message, "alternatives", [])
        html = next((body for body, kind in alternatives if kind == "text/html"), "")
        notify(
            recipient=user,
            kind=KIND,
            key=uuid.uuid4().hex,
            context={
                "to": list(message.to),
                "subject": message.subject,
                "body": message.body,
                "html": html,
            },
        )


def _as_written(notification, cache) -> dict:
    return dict(notification.context)


def register() -> None:
    register_email(
        KIND,
        label=_("Account e-mail (address confirmation, log-in code, password)"),
        context=_as_written,
        once=True,
    )
