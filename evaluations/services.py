"""Evaluation rules: who is asked, creating a survey from a ready set or an earlier one, and
saving a participant's answers until the survey closes."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from audit.services import audit
from matching.models import Match
from mentorship.errors import ServiceError
from programs.models import Role

from .defaults import default_questions
from .models import EVALUATED_MATCHES, SCALE, TEXT_MAX, Answer, Question, Response, Survey

START_DEFAULT, START_EMPTY = "default", "empty"
# Those who have not sent their answers are reminded once, this long after the invitation.
REMIND_AFTER = datetime.timedelta(days=7)


def participants(program_ids) -> dict[int, dict[int, str]]:
    """{program: {user: role}} for the people in pairs that are running or have run to the
    end. Someone who is both adept and mentor in one program (rare) answers as adept."""
    people: dict[int, dict[int, str]] = {}
    rows = Match.objects.filter(
        program_id__in=program_ids, status__in=EVALUATED_MATCHES
    ).values_list("program_id", "adept__applicant_id", "mentor__applicant_id")
    for program, adept, mentor in rows:
        program_people = people.setdefault(program, {})
        if mentor is not None and program_people.get(mentor) != Role.ADEPT:
            program_people[mentor] = Role.MENTOR
        if adept is not None:
            program_people[adept] = Role.ADEPT
    return people


def role_of(survey: Survey, user) -> str | None:
    return participants([survey.program_id]).get(survey.program_id, {}).get(user.pk)


@transaction.atomic
def survey_create(
    *, milestone, phase: str, opens_at, closes_at, start_with=START_DEFAULT, intro=None
) -> Survey:
    """A survey on a milestone, with the ready questions for its phase, a copy of an earlier
    survey's questions (`start_with` a Survey), or none."""
    survey = Survey(
        milestone=milestone, phase=phase, opens_at=opens_at, closes_at=closes_at, **(intro or {})
    )
    survey.full_clean()
    survey.save()
    questions_copy(survey=survey, start_with=start_with)
    return survey


@transaction.atomic
def survey_save(*, survey: Survey, by, start_with=None) -> Survey:
    """Save a survey a coordinator set up or changed in the admin (the admin's form has
    validated it); a new one starts with `start_with`'s questions. Audited."""
    created = survey.pk is None
    survey.save()
    if created:
        questions_copy(survey=survey, start_with=start_with)
    audit(
        actor=by,
        action=AuditEntry.Action.PROGRAM_CHANGED,
        program=survey.program,
        obj=survey,
        detail=("survey added: " if created else "survey changed: ") + survey.phase,
    )
    return survey


def questions_copy(*, survey: Survey, start_with) -> int:
    if start_with == START_EMPTY or start_with is None:
        return 0
    if isinstance(start_with, Survey):
        fields = [f.name for f in Question._meta.concrete_fields if f.name not in ("id", "survey")]
        values = [{name: getattr(q, name) for name in fields} for q in start_with.questions.all()]
    else:
        values = default_questions(survey.phase)
    Question.objects.bulk_create(Question(survey=survey, **value) for value in values)
    return len(values)


def when(moment) -> str:
    """A date and time as the pages write it, in the active language."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def closed_message(survey: Survey) -> str:
    return _("This survey closed on %(when)s; answers can no longer be changed.") % {
        "when": when(survey.closes_at)
    }


def _clean_value(question: Question, value):
    """A posted value as stored, or None when empty; anything out of range is refused."""
    if value in (None, ""):
        return None
    if question.kind == Question.Kind.TEXT:
        text = str(value).strip()
        if len(text) > TEXT_MAX:
            raise ServiceError(
                _("An answer can be at most %(max)d characters.") % {"max": TEXT_MAX}
            )
        return text or None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ServiceError(_("Choose one of the options.")) from None
    valid = SCALE if question.kind == Question.Kind.SCALE else range(len(question.choices))
    if number not in valid:
        raise ServiceError(_("Choose one of the options."))
    return number


@transaction.atomic
def response_save(
    *, survey: Survey, user, answers: dict[int, object], submit: bool, now=None
) -> Response:
    """Save a participant's answers. Saving keeps a draft; sending makes the response count
    and needs every required question answered. A sent response can be changed (and stays
    sent) until the survey closes; nothing can be changed after."""
    now = now or timezone.now()
    role = role_of(survey, user)
    if role is None:
        raise ServiceError(_("Only the program's adepts and mentors answer this survey."))
    if now < survey.opens_at:
        raise ServiceError(_("This survey has not opened yet."))
    if survey.has_closed(now):
        raise ServiceError(closed_message(survey))
    # One row per participant, even for two tabs saving at once.
    response, _created = Response.objects.select_for_update().get_or_create(
        survey=survey, respondent=user, defaults={"role": role}
    )
    questions = list(survey.questions.all())
    cleaned = {q.pk: _clean_value(q, answers.get(q.pk)) for q in questions}
    if submit or response.submitted_at:
        missing = [q for q in questions if q.required and cleaned[q.pk] is None]
        if missing:
            raise ServiceError(
                _("Answer the questions marked as required before you send your answers.")
            )
    Answer.objects.filter(response=response).delete()
    Answer.objects.bulk_create(
        # An answer's column is named after its question's kind: scale, choice or text.
        Answer(response=response, question=q, **{q.kind: cleaned[q.pk]})
        for q in questions
        if cleaned[q.pk] is not None
    )
    response.role = role
    if submit and response.submitted_at is None:
        response.submitted_at = now
    response.save()
    return response


def answers_of(response: Response | None) -> dict[int, object]:
    if response is None:
        return {}
    return {
        a.question_id: a.text if a.text else (a.scale if a.scale is not None else a.choice)
        for a in response.answers.all()
    }


def answer_display(question: Question, value):
    """An answer as a person reads it: the option's words for a choice."""
    if question.kind == Question.Kind.CHOICE and value is not None:
        choices = question.choices
        return choices[value] if 0 <= value < len(choices) else value
    return value


def open_surveys_for(user, now=None):
    """Surveys open now that the user has not sent, for the reminders on their pages."""
    now = now or timezone.now()
    return (
        Survey.objects.for_user(user, now)
        .filter(closes_at__gt=now)
        .exclude(Q(responses__respondent=user) & Q(responses__submitted_at__isnull=False))
    )
