"""What the outbox holds about a person: the e-mails it sent or will send them (their kind and
status; the context is ids only)."""

from __future__ import annotations

from accounts.privacy import Holder, rows

from .models import Notification

HOLDER = Holder(
    app="notifications",
    export={
        "notifications": lambda user: rows(
            Notification.objects.filter(recipient=user), ["kind", "status", "created_at", "sent_at"]
        )
    },
    erase=lambda user, now: Notification.objects.filter(recipient=user).delete(),
    exported=frozenset({"notifications.notification"}),
)
