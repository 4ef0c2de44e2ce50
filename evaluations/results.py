"""Aggregated results: per question, counts and averages for everyone and per role.

Anonymity: a group with fewer than MIN_GROUP answers is not shown. When one role is too small,
the split by role is left out altogether (otherwise the small group could be worked out by
subtracting the other role from the total). Free text is listed without names, sorted by its
text rather than by when it was given. Only sent responses count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Avg, Count
from django.utils.translation import gettext_lazy as _

from programs.models import Role

from .models import SCALE, Answer, Question, Response, Survey

MIN_GROUP = 3
ALL = "all"
GROUPS = [(ALL, _("Everyone")), (Role.ADEPT, _("Adepts")), (Role.MENTOR, _("Mentors"))]


@dataclass
class Group:
    key: str
    label: str
    count: int = 0
    shown: bool = False
    average: float | None = None
    # (label, count, percent) per option, for scale and choice questions
    distribution: list[tuple[str, int, int]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


@dataclass
class QuestionResult:
    question: Question
    groups: list[Group]
    split_hidden: bool  # the split by role is left out for anonymity

    @property
    def shown_groups(self):
        return [g for g in self.groups if g.shown]

    @property
    def text_groups(self):
        """Where to list free text, each text once: by role when the split is shown."""
        roles = [g for g in self.groups[1:] if g.shown]
        return roles or [g for g in self.groups[:1] if g.shown]


def visible(counts: dict[str, int]) -> dict[str, bool]:
    """Which groups may be shown, given the number of answers per role."""
    roles = [counts.get(role, 0) for role in (Role.ADEPT, Role.MENTOR)]
    split = all(n == 0 or n >= MIN_GROUP for n in roles)
    total = sum(roles)
    return {
        ALL: total >= MIN_GROUP,
        Role.ADEPT: split and roles[0] >= MIN_GROUP,
        Role.MENTOR: split and roles[1] >= MIN_GROUP,
    }


def survey_results(survey: Survey) -> list[QuestionResult]:
    """Three queries whatever the number of answers: questions, counts per value, texts."""
    questions = list(survey.questions.all())
    answers = Answer.objects.filter(response__survey=survey, response__submitted_at__isnull=False)
    tallies: dict[int, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for question, role, scale, choice, n in (
        answers.filter(text="")
        .values_list("question_id", "response__role", "scale", "choice")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        value = scale if scale is not None else choice
        tallies[question][role][value] = n
    texts: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for question, role, text in (
        answers.exclude(text="").values_list("question_id", "response__role", "text").order_by()
    ):
        texts[question][role].append(text)

    results = []
    for question in questions:
        if question.kind == Question.Kind.TEXT:
            per_role = {role: len(texts[question.pk][role]) for role in (Role.ADEPT, Role.MENTOR)}
        else:
            per_role = {
                role: sum(tallies[question.pk][role].values()) for role in (Role.ADEPT, Role.MENTOR)
            }
        shown = visible(per_role)
        groups = []
        for key, label in GROUPS:
            roles = (Role.ADEPT, Role.MENTOR) if key == ALL else (key,)
            group = Group(key=key, label=str(label), count=sum(per_role[r] for r in roles))
            group.shown = shown[key]
            if group.shown:
                _fill(group, question, roles, tallies[question.pk], texts[question.pk])
            groups.append(group)
        split_hidden = any(per_role.values()) and not (shown[Role.ADEPT] or shown[Role.MENTOR])
        results.append(QuestionResult(question, groups, split_hidden and shown[ALL]))
    return results


def _fill(group, question, roles, tally, texts):
    if question.kind == Question.Kind.TEXT:
        group.texts = sorted((t for r in roles for t in texts[r]), key=str.casefold)
        return
    counts: dict[int, int] = defaultdict(int)
    for role in roles:
        for value, n in tally[role].items():
            counts[value] += n
    total = sum(counts.values())
    if question.kind == Question.Kind.SCALE:
        options = [(n, str(n)) for n in SCALE]
        group.average = sum(v * n for v, n in counts.items()) / total if total else None
    else:
        options = list(enumerate(question.choices))
    group.distribution = [
        (label, counts[value], round(100 * counts[value] / total) if total else 0)
        for value, label in options
    ]


def response_counts(survey_ids) -> dict[int, dict[str, int]]:
    """Sent responses per survey and role, in one query."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for survey, role, n in (
        Response.objects.submitted()
        .filter(survey_id__in=survey_ids)
        .values_list("survey_id", "role")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[survey][role] = n
    return counts


def headline_scores(survey_ids) -> dict[int, dict[str, float | None]]:
    """The average of all 1-5 answers per survey, for everyone and per role, with the same
    anonymity rule counted in respondents. One query."""
    rows = (
        Answer.objects.filter(
            response__survey_id__in=survey_ids,
            response__submitted_at__isnull=False,
            question__kind=Question.Kind.SCALE,
            scale__isnull=False,
        )
        .values_list("response__survey_id", "response__role")
        .annotate(total=Avg("scale"), answers=Count("pk"), people=Count("response", distinct=True))
        .order_by()
    )
    found: dict[int, dict[str, tuple[float, int, int]]] = defaultdict(dict)
    for survey, role, average, answers, people in rows:
        found[survey][role] = (average, answers, people)
    scores: dict[int, dict[str, float | None]] = {}
    for survey in survey_ids:
        by_role = found.get(survey, {})
        shown = visible({role: value[2] for role, value in by_role.items()})
        answers = sum(v[1] for v in by_role.values())
        overall = sum(v[0] * v[1] for v in by_role.values()) / answers if answers else None
        scores[survey] = {
            ALL: overall if shown[ALL] else None,
            Role.ADEPT: by_role[Role.ADEPT][0] if shown[Role.ADEPT] else None,
            Role.MENTOR: by_role[Role.MENTOR][0] if shown[Role.MENTOR] else None,
        }
    return scores
