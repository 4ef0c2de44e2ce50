"""The pair's own space: goals and the meeting log.

What a pair writes here (goal texts, comments, agendas, notes) is readable by the two people in
the pair only. None of these models is registered in the admin; coordinators see counts and
dates through PairActivity, a proxy of Match.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.models import Match
from programs.models import LineManagerMeeting

MIN_MINUTES, MAX_MINUTES = 15, 8 * 60


class Goal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        REACHED = "reached", _("Reached")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal"), max_length=200)
    description = models.TextField(
        _("how you will know you are there"), blank=True, max_length=2000
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["position", "pk"]

    def __str__(self):
        # Never the text: __str__ reaches admin pages (delete confirmations, history).
        return f"#{self.pk}"


class GoalComment(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"#{self.pk}"


class MeetingQuerySet(models.QuerySet):
    def for_user(self, user):
        """Meetings of the pairs the user is in; nothing else."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(
            Q(match__adept__applicant=user) | Q(match__mentor__applicant=user)
        ).exclude(match__status=Match.Status.PROPOSED)


class Meeting(models.Model):
    class Format(models.TextChoices):
        PHYSICAL = "physical", _("In person")
        DIGITAL = "digital", _("Digital")
        PHONE = "phone", _("Phone")

    class Kind(models.TextChoices):
        PAIR = "pair", _("Mentor meeting")
        PLANNING = LineManagerMeeting.PLANNING.value, LineManagerMeeting.PLANNING.label
        EVALUATION = LineManagerMeeting.EVALUATION.value, LineManagerMeeting.EVALUATION.label

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="meetings")
    # The line manager sees a planning or evaluation meeting's time and place, and is
    # invited to it; never its agenda or notes.
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PAIR)
    starts_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("length in minutes"),
        default=90,
        validators=[MinValueValidator(MIN_MINUTES), MaxValueValidator(MAX_MINUTES)],
    )
    meeting_format = models.CharField(
        _("how"), max_length=10, choices=Format.choices, default=Format.PHYSICAL
    )
    location = models.CharField(_("place or link"), max_length=300, blank=True)
    agenda = models.TextField(
        _("agenda"),
        blank=True,
        max_length=4000,
        help_text=_("The adept's questions and dilemmas for this meeting."),
    )
    notes = models.TextField(_("notes"), blank=True, max_length=8000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=MIN_MINUTES, duration_minutes__lte=MAX_MINUTES),
                name="meeting_duration_15_minutes_to_8_hours",
            )
        ]

    def __str__(self):
        # Dates only: __str__ reaches admin pages such as delete confirmations.
        return f"#{self.pk} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("meetings:meeting", kwargs={"meeting_id": self.pk})

    @property
    def ends_at(self):
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A personal, secret calendar address; revoking it makes the old address a 404."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.user)

    def get_absolute_url(self):
        return reverse("meetings:feed", kwargs={"token": self.token})


class PairActivity(Match):
    """A coordinator's view of a pair: counts and dates, never what was written."""

    class Meta:
        proxy = True
        verbose_name = _("pair activity")
        verbose_name_plural = _("pair activity")
