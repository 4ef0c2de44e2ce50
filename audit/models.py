from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.scoping import CoordinatorScopedQuerySet


class AuditEntry(models.Model):
    """Who did what, when: written by the services and the admin, never changed or deleted
    from the app."""

    class Action(models.TextChoices):
        PROGRAM_CREATED = "program_created", _("Program created")
        PROGRAM_CHANGED = "program_changed", _("Program changed")
        PROGRAM_DELETED = "program_deleted", _("Program deleted")
        DECISION = "decision", _("Decision on an application")
        LETTER_VIEWED = "letter_viewed", _("Application and letter viewed")
        EXPORT = "export", _("Export")
        MATCHING_RUN = "matching_run", _("Matching run")
        MATCH_CHANGED = "match_changed", _("Pair changed")
        MATCHES_PUBLISHED = "matches_published", _("Pairs published")
        MATCH_ENDED = "match_ended", _("Match ended")
        UNITS_CHANGED = "units_changed", _("Units changed")
        INVITATIONS_SENT = "invitations_sent", _("Invitations to apply sent")
        BANK_OFFER_SENT = "bank_offer_sent", _("Offer sent to the mentor bank")
        BANK_CHANGED = "bank_changed", _("Mentor bank changed")

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.SET_NULL, null=True,
        related_name="+",
    )  # fmt: skip
    action = models.CharField(_("what"), max_length=30, choices=Action.choices)
    program = models.ForeignKey(
        "programs.Program", verbose_name=_("program"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    object_type = models.CharField(_("object"), max_length=50, blank=True)
    object_id = models.CharField(_("object id"), max_length=50, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    objects = CoordinatorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} #{self.pk}"

    def save(self, *args, **kwargs):
        # Append-only: an entry is written once.
        if self.pk is not None:
            raise PermissionError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries cannot be deleted.")
