from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import CoordinatorScopedQuerySet


class Exclusion(models.Model):
    """Two people who must never be matched: a conflict of interest, or a match that ended."""

    class Reason(models.TextChoices):
        CONFLICT = "conflict", _("Conflict of interest")
        ENDED = "ended", _("An earlier match ended")
        OTHER = "other", _("Other")

    adept = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("adept"), on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mentor"), on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("exclusion")
        verbose_name_plural = _("exclusions")
        constraints = [
            models.UniqueConstraint(fields=["adept", "mentor"], name="exclusion_once_per_pair")
        ]

    def __str__(self):
        return f"{self.adept} × {self.mentor}"


class MatchingRun(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    program = models.ForeignKey(
        "programs.Program", verbose_name=_("program"), on_delete=models.CASCADE,
        related_name="matching_runs",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("run by"), on_delete=models.SET_NULL,
        null=True, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    weights = models.JSONField(_("weights"), default=dict)
    min_score = models.FloatField(_("minimum score"), default=0)
    pairs = models.PositiveIntegerField(_("pairs"), default=0)
    total_score = models.FloatField(_("total score"), default=0)
    # [{"application": id, "reason": code}], in the order the engine gave them.
    unmatched_adepts = models.JSONField(_("unmatched adepts"), default=list)
    unmatched_mentors = models.JSONField(_("unmatched mentors"), default=list)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    solver = models.CharField(_("solver"), max_length=20, blank=True)
    # Where the program held a preference round: engine.preference_report's figures.
    preference_report = models.JSONField(_("how the run honours the preferences"), default=dict)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.program} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def average_score(self) -> float:
        return self.total_score / self.pairs if self.pairs else 0.0

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)


class MatchQuerySet(CoordinatorScopedQuerySet):
    # An organisation's own coordinator follows the pairs its people are in, once published:
    # proposals are the lead coordinators' until they publish them.
    organization_paths = ("adept__organization", "mentor__organization")

    def organization_reach(self, user):
        reach = super().organization_reach(user)
        return None if reach is None else reach & ~Q(status=Match.Status.PROPOSED)

    def with_member(self, user):
        """The matches `user` is one of the two people of, as adept or as mentor."""
        return self.filter(Q(adept__applicant=user) | Q(mentor__applicant=user))

    def for_user(self, user):
        """A participant's own matches, once published (proposals are the coordinators')."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.exclude(status=Match.Status.PROPOSED).with_member(user)

    def live(self):
        return self.filter(status__in=Match.LIVE)


class Match(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        PUBLISHED = "published", _("Published")
        ENDED = "ended", _("Ended early")
        COMPLETED = "completed", _("Completed")

    # The groups of statuses the rules speak of, named once:
    # a match that holds its adept and a place of its mentor;
    LIVE = (Status.PROPOSED, Status.PUBLISHED)
    # a pair that met as a pair, running now or run to the end (evaluated, counted as meeting);
    RAN = (Status.PUBLISHED, Status.COMPLETED)
    # everyone who was ever in a published pair (matched in the funnel, told of the year);
    MATCHED = (Status.PUBLISHED, Status.ENDED, Status.COMPLETED)
    # pairs that are over.
    OVER = (Status.ENDED, Status.COMPLETED)

    program = models.ForeignKey(
        "programs.Program", verbose_name=_("program"), on_delete=models.CASCADE,
        related_name="matches",
    )  # fmt: skip
    run = models.ForeignKey(
        MatchingRun, verbose_name=_("matching run"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="matches",
    )  # fmt: skip
    adept = models.ForeignKey(
        "programs.Application", verbose_name=_("adept"), on_delete=models.CASCADE,
        related_name="adept_matches",
    )  # fmt: skip
    mentor = models.ForeignKey(
        "programs.Application", verbose_name=_("mentor"), on_delete=models.CASCADE,
        related_name="mentor_matches",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED,
        db_index=True,
    )  # fmt: skip
    score = models.FloatField(_("score"), default=0)
    # The engine's components, each 0-1; the explanation is written from them on display,
    # in the reader's language.
    components = models.JSONField(_("score components"), default=dict)
    locked = models.BooleanField(
        _("locked"), default=False, help_text=_("Kept as it is when matching runs again.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.TextField(_("why it ended"), blank=True)

    objects = MatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-score"]
        constraints = [
            # An adept has at most one live match (proposed or published). A mentor's
            # capacity is checked in the services, which lock the mentor's application.
            models.UniqueConstraint(
                fields=["adept"],
                condition=Q(status__in=["proposed", "published"]),
                name="one_live_match_per_adept",
            ),
        ]

    def __str__(self):
        # No related rows: __str__ is called for every match on admin delete confirmations.
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def people(self) -> tuple[int, int]:
        """The user ids of the two: adept, mentor."""
        return (self.adept.applicant_id, self.mentor.applicant_id)

    def has_member(self, user) -> bool:
        return user.pk in self.people


class RematchRequest(models.Model):
    """An adept or mentor asks for a new match; the reason is for coordinators only."""

    match = models.ForeignKey(
        Match, verbose_name=_("match"), on_delete=models.CASCADE, related_name="rematch_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    reason = models.TextField(_("reason"), max_length=2000)
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        verbose_name = _("request for a new match")
        verbose_name_plural = _("requests for a new match")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["match", "requested_by"],
                condition=Q(handled_at__isnull=True),
                name="one_open_rematch_request",
            )
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"


class MatchConsultation(models.Model):
    """An adept's line manager asked about the proposed mentor before the pairs are published
    (issue 18): they see the mentor's name, organisation and role, never a letter, and may
    raise a concern, which only the coordinators read. Silence by `answer_by` counts as
    agreement. A swap gives the pair another mentor: the answer is about `mentor`, so the
    new one is asked afresh."""

    class Answer(models.TextChoices):
        WAITING = "waiting", _("No answer yet")
        AGREED = "agreed", _("Agrees")
        CONCERN = "concern", _("Has a concern")

    match = models.ForeignKey(
        Match, verbose_name=_("match"), on_delete=models.CASCADE, related_name="consultations"
    )
    mentor = models.ForeignKey(
        "programs.Application", verbose_name=_("mentor"), on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("line manager"), on_delete=models.CASCADE,
        related_name="match_consultations",
    )  # fmt: skip
    answer = models.CharField(
        _("answer"), max_length=10, choices=Answer.choices, default=Answer.WAITING
    )
    concern = models.TextField(_("concern (for the coordinators)"), blank=True, max_length=2000)
    answer_by = models.DateField(_("answer by"))
    asked_at = models.DateTimeField(_("asked"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("line manager's view of a match")
        verbose_name_plural = _("line managers' views of matches")
        constraints = [
            models.UniqueConstraint(fields=["match", "mentor"], name="one_consultation_per_pair")
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"

    def silent(self, today) -> bool:
        """No answer, and the date has passed: it counts as agreement."""
        return self.answer == self.Answer.WAITING and today > self.answer_by


class Preference(models.Model):
    """One person's word on one candidate in the preference round (issue 19): a rank on
    their shortlist (1 is the first), a mentor the adept names themselves (counted as a first
    rank where the rules allow the pair), or "rather not" (a hard rule; no reason asked).
    Only coordinators see who ranked whom, and only in the review."""

    ranker = models.ForeignKey(
        "programs.Application", verbose_name=_("ranked by"), on_delete=models.CASCADE,
        related_name="preferences_given",
    )  # fmt: skip
    candidate = models.ForeignKey(
        "programs.Application", verbose_name=_("candidate"), on_delete=models.CASCADE,
        related_name="preferences_received",
    )  # fmt: skip
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    rather_not = models.BooleanField(_("rather not"), default=False)
    named = models.BooleanField(_("named by the adept"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")
        constraints = [
            models.UniqueConstraint(fields=["ranker", "candidate"], name="one_preference_per_pair"),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rather_not=False),
                name="preference_rank_or_rather_not",
            ),
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"


class Pulse(models.Model):
    """The match-quality check about 30 days in (issue 19): is the match working (1-5), and
    would they like to talk to the coordinators? One per person and match. A low answer or a
    wish to talk flags the pair for the coordinators, who see the answers, never a comment."""

    LOW = 2  # 1 or 2 of 5 flags the pair

    match = models.ForeignKey(
        Match, verbose_name=_("match"), on_delete=models.CASCADE, related_name="pulses"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    working = models.PositiveSmallIntegerField(_("is the match working? (1-5)"))
    talk = models.BooleanField(_("would like to talk to the coordinators"), default=False)
    answered_at = models.DateTimeField(_("answered"), auto_now=True)

    class Meta:
        verbose_name = _("match-quality check")
        verbose_name_plural = _("match-quality checks")
        constraints = [
            models.UniqueConstraint(fields=["match", "respondent"], name="one_pulse_per_person"),
            models.CheckConstraint(
                condition=Q(working__gte=1, working__lte=5), name="pulse_working_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def flagged(self) -> bool:
        return self.working <= self.LOW or self.talk
