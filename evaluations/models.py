"""Half-time and final evaluations: a survey on a program milestone, its questions in the
three languages, and each participant's one response.

Answers are personal data of the person who gave them. Coordinators see them only as
aggregates per role (and free text without names) once a group has enough answers; see
`results.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import CoordinatorScopedQuerySet
from matching.models import Match
from mentorship.i18n import in_language
from programs.models import Role

SCALE = range(1, 6)
TEXT_MAX = 2000
# Matches whose people are asked: the pairs that are running or have run to the end.
EVALUATED_MATCHES = Match.RAN


class SurveyQuerySet(CoordinatorScopedQuerySet):
    def for_user(self, user, now=None):
        """Surveys a participant may answer or look back at: opened, in a program where the
        user is in a pair."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        in_pair = Match.objects.filter(
            program=OuterRef("program"), status__in=EVALUATED_MATCHES
        ).with_member(user)
        return self.filter(Exists(in_pair), opens_at__lte=now or timezone.now())


class Survey(models.Model):
    class Phase(models.TextChoices):
        HALF_TIME = "half_time", _("Half-time evaluation")
        FINAL = "final", _("Final evaluation")
        OTHER = "other", _("Other evaluation")

    program = models.ForeignKey(
        "programs.Program", verbose_name=_("program"), on_delete=models.CASCADE,
        related_name="surveys", editable=False,
    )  # fmt: skip
    milestone = models.ForeignKey(
        "programs.Milestone", verbose_name=_("milestone"), on_delete=models.PROTECT,
        related_name="surveys",
        help_text=_("The seminar or meeting the evaluation belongs to."),
    )  # fmt: skip
    phase = models.CharField(_("evaluation"), max_length=12, choices=Phase.choices)
    intro_sv = models.TextField(_("introduction (Swedish)"), blank=True, max_length=2000)
    intro_en = models.TextField(_("introduction (English)"), blank=True, max_length=2000)
    intro_da = models.TextField(_("introduction (Danish)"), blank=True, max_length=2000)
    opens_at = models.DateTimeField(
        _("opens"), help_text=_("Participants are invited by e-mail when the survey opens.")
    )
    closes_at = models.DateTimeField(
        _("closes"), help_text=_("Answers can be given and changed until then.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["opens_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_it_opens",
                violation_error_message=_("The survey must close after it opens."),
            ),
            # The dashboard sets the half-time evaluation against the final one.
            models.UniqueConstraint(
                fields=["program", "phase"],
                condition=Q(phase__in=["half_time", "final"]),
                name="one_half_time_and_one_final_survey_per_program",
                violation_error_message=_("This program already has a survey for this evaluation."),
            ),
        ]

    def __str__(self):
        return f"{self.get_phase_display()} #{self.pk}"

    def save(self, *args, **kwargs):
        self.program_id = self.milestone.program_id
        super().save(*args, **kwargs)

    def validate_constraints(self, exclude=None):
        # The program comes from the milestone, which the form has set by now.
        if self.milestone_id:
            self.program_id = self.milestone.program_id
        super().validate_constraints(exclude=[name for name in exclude or [] if name != "program"])

    @property
    def intro(self) -> str:
        return in_language(self, "intro")

    @property
    def title(self) -> str:
        return str(self.get_phase_display())

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def has_closed(self, now=None) -> bool:
        return (now or timezone.now()) >= self.closes_at


class Question(models.Model):
    class Kind(models.TextChoices):
        SCALE = "scale", _("Scale from 1 to 5")
        CHOICE = "choice", _("Choice")
        TEXT = "text", _("Free text")

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SCALE)
    text_sv = models.CharField(_("question (Swedish)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    text_da = models.CharField(_("question (Danish)"), max_length=300, blank=True)
    choices_sv = models.TextField(
        _("choices (Swedish)"), blank=True, help_text=_("For a choice: one option per line.")
    )
    choices_en = models.TextField(_("choices (English)"), blank=True)
    choices_da = models.TextField(_("choices (Danish)"), blank=True)
    required = models.BooleanField(_("must be answered"), default=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def text(self) -> str:
        return in_language(self, "text")

    @property
    def choices(self) -> list[str]:
        return _lines(in_language(self, "choices"))

    def clean(self):
        counts = {
            code: len(_lines(getattr(self, f"choices_{code}")))
            for code in ("sv", "en", "da")
            if getattr(self, f"choices_{code}").strip()
        }
        if self.kind == self.Kind.CHOICE:
            if counts.get("sv", 0) < 2:
                raise ValidationError(
                    {"choices_sv": _("A choice needs at least two options, one per line.")}
                )
            if len(set(counts.values())) > 1:
                raise ValidationError(
                    _("Every language must list the same number of options, in the same order.")
                )
        elif counts:
            raise ValidationError(
                {"choices_sv": _("Only a choice question has options; leave them empty.")}
            )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ResponseQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(submitted_at__isnull=False)


class Response(models.Model):
    """One participant's answers to one survey; kept, without the person, if they erase their
    account, so the counts stay right."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("respondent"), on_delete=models.SET_NULL,
        null=True, related_name="survey_responses",
    )  # fmt: skip
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    submitted_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent"], name="one_response_per_participant"
            )
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    scale = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    choice = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, max_length=TEXT_MAX)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="one_answer_per_question"
            ),
            models.CheckConstraint(
                condition=Q(scale__isnull=True) | Q(scale__gte=1, scale__lte=5),
                name="answer_scale_1_to_5",
            ),
        ]

    def __str__(self):
        return f"#{self.pk}"
