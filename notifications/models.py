from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import CoordinatorScopedQuerySet

from .registry import Kinds, label


class NotificationQuerySet(CoordinatorScopedQuerySet):
    def due(self, now=None):
        return self.filter(
            status=Notification.Status.PENDING, next_attempt_at__lte=now or timezone.now()
        )


class Notification(models.Model):
    """The transactional outbox: one row per e-mail, written with the change that causes it.

    The unique (recipient, kind, key) is what makes every e-mail go out once: a double click,
    a retried request or a repeated admin action finds the row already there.
    """

    # The kinds are the apps' (notifications.registry): no database choices, so a new e-mail
    # needs no migration here. Notification.Kind.INTRODUCTION reads as "introduction".
    Kind = Kinds()

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    program = models.ForeignKey(
        "programs.Program",
        verbose_name=_("program"),
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(_("dedupe key"), max_length=200)
    # Ids and codes only, never letters or notes: the text is rendered at sending time, in
    # the recipient's language.
    context = models.JSONField(_("context"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "key"], name="notification_once_per_key"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="notification_due_idx",
            ),
        ]

    def __str__(self):
        return f"{self.kind_label} → {self.recipient}"

    @property
    def kind_label(self) -> str:
        return label(self.kind)
