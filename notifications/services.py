"""The outbox: write a notification with the change that causes it, deliver it later.

notify() runs inside the caller's transaction, so an e-mail exists exactly when the change
that caused it was committed. Delivery is a separate step (a Celery task kicked after commit,
and a periodic sweep), so a broker that is down delays e-mail but never fails a request.
"""

from __future__ import annotations

import datetime
import logging
import smtplib

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import get_connection
from django.db import connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from .emails import preload, render_notification
from .models import Notification
from .registry import KINDS

logger = logging.getLogger(__name__)

# Errors worth another try later: the mail server or the network, not our data.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)


def notify(*, recipient, kind: str, key: str, program=None, context: dict | None = None) -> bool:
    """Queue one e-mail; a second call with the same (recipient, kind, key) does nothing.

    Returns whether a new notification was written.
    """
    _, created = Notification.objects.get_or_create(
        recipient=recipient,
        kind=kind,
        key=key,
        defaults={"program": program, "context": context or {}},
    )
    if created:
        transaction.on_commit(kick_delivery)
    return created


def notify_many(notifications: list[Notification]) -> int:
    """Queue many e-mails in one statement; rows whose (recipient, kind, key) exists already
    are skipped. Returns how many were new."""
    if not notifications:
        return 0
    existing = set(
        Notification.objects.filter(
            recipient__in={n.recipient_id for n in notifications},
            kind__in={n.kind for n in notifications},
            key__in={n.key for n in notifications},
        ).values_list("recipient_id", "kind", "key")
    )
    new = [n for n in notifications if (n.recipient_id, n.kind, n.key) not in existing]
    # ignore_conflicts: a concurrent request that wrote the same row first wins, quietly.
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        transaction.on_commit(kick_delivery)
    return len(new)


def kick_delivery() -> None:
    """Ask a worker to deliver now. If the broker is down, the periodic sweep will."""
    from .tasks import deliver_pending  # noqa: PLC0415 - tasks.py imports this module

    try:
        deliver_pending.delay()
    except OperationalError as exc:
        logger.warning("Broker unavailable, e-mail waits for the next sweep: %s", exc)


def backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=2**attempts)


def notifications_deliver(
    *, batch_size: int | None = None, now: datetime.datetime | None = None
) -> int:
    """Send due notifications in batches. Returns how many were sent.

    A batch is claimed first: locked with SKIP LOCKED (two workers never take the same rows)
    and leased for a few minutes, then committed. Each e-mail is then marked sent in its own
    statement right after the mail server took it, so a worker killed half-way leaves only
    its unsent rows, which the next sweep picks up when the lease runs out.
    """
    batch_size = batch_size or settings.NOTIFICATION_BATCH_SIZE
    fixed = now
    sent = 0
    while True:
        # Each batch is claimed, and its lease counted, from the moment it is claimed: in a
        # long run, a lease counted from the start would already have run out for later
        # batches, and another worker could take them again.
        now = fixed or timezone.now()
        with transaction.atomic():
            batch = list(
                Notification.objects.due(now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient", "program")
                .order_by("next_attempt_at", "pk")[:batch_size]
            )
            Notification.objects.filter(pk__in=[n.pk for n in batch]).update(
                next_attempt_at=now
                + datetime.timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)
            )
        if not batch:
            break
        cache = preload(batch)
        mail_connection = get_connection()
        try:
            mail_connection.open()
        except TRANSIENT_ERRORS as exc:
            # The mail server is not there at all: each e-mail of the batch counts an attempt
            # and waits its backoff, and the admin shows why (rather than the batch sitting out
            # its lease with no trace).
            logger.warning("Mail server unavailable: %s", exc)
            _postpone(batch, now, exc)
            break
        with mail_connection, connection.cursor() as cursor:
            for notification in batch:
                sent += _send_one(notification, mail_connection, now, cache)
                # One short statement per e-mail, committed at once (autocommit): the row says
                # "sent" within a millisecond of the mail server taking the message.
                cursor.execute(MARK, [
                    notification.status, notification.attempts, notification.last_error,
                    notification.next_attempt_at, notification.sent_at, notification.pk,
                ])  # fmt: skip
        # What works once (a confirmation link, a log-in code) is not kept once it is sent.
        once = [
            n.pk
            for n in batch
            if n.status == Notification.Status.SENT and getattr(KINDS.get(n.kind), "once", False)
        ]
        if once:
            Notification.objects.filter(pk__in=once).update(context={})
        if len(batch) < batch_size:
            break
    return sent


def _postpone(batch, now, exc) -> None:
    for notification in batch:
        notification.attempts += 1
        notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            notification.status = Notification.Status.FAILED
        else:
            notification.next_attempt_at = now + backoff(notification.attempts)
    Notification.objects.bulk_update(batch, ["attempts", "last_error", "status", "next_attempt_at"])


# The table name comes from our own model, never from input.
_COLUMNS = "status = %s, attempts = %s, last_error = %s, next_attempt_at = %s, sent_at = %s"
MARK = f"UPDATE {Notification._meta.db_table} SET {_COLUMNS} WHERE id = %s"  # noqa: S608


def _send_one(notification: Notification, connection, now, cache) -> int:
    notification.attempts += 1
    notification.next_attempt_at = now
    try:
        message = render_notification(notification, cache)
        message.connection = connection
        message.send()
    except ObjectDoesNotExist as exc:
        # What the e-mail was about is gone; trying again will not bring it back.
        notification.status = Notification.Status.FAILED
        notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        return 0
    except TRANSIENT_ERRORS as exc:
        notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            notification.status = Notification.Status.FAILED
        else:
            notification.next_attempt_at = now + backoff(notification.attempts)
        logger.warning("Sending notification %s failed: %s", notification.pk, exc)
        return 0
    notification.status = Notification.Status.SENT
    notification.sent_at = now
    notification.last_error = ""
    return 1


def notifications_retry(*, notifications) -> int:
    """Give failed notifications a fresh set of attempts (an admin action)."""
    updated = notifications.exclude(status=Notification.Status.SENT).update(
        status=Notification.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    if updated:
        transaction.on_commit(kick_delivery)
    return updated
