"""The evaluation sweep, run with the other planning sweeps: an invitation to every
participant when a survey opens, and one reminder a week after the invitation to those who
have not sent their answers. Both go through the outbox, keyed so each goes out once."""

from __future__ import annotations

from django.utils import timezone

from notifications.models import Notification
from notifications.registry import register_sweep
from notifications.services import notify_many
from programs.models import Program

from .models import Response, Survey
from .services import REMIND_AFTER, participants


def plan_evaluation_emails(*, now=None, programs=None) -> int:
    now = now or timezone.now()
    surveys = Survey.objects.filter(opens_at__lte=now, closes_at__gt=now).exclude(
        program__status=Program.Status.DRAFT
    )
    if programs is not None:
        surveys = surveys.filter(program__in=programs)
    surveys = list(surveys.values_list("pk", "program_id"))
    if not surveys:
        return 0
    ids = [pk for pk, _program in surveys]
    people = participants({program for _pk, program in surveys})
    answered = set(
        Response.objects.submitted()
        .filter(survey_id__in=ids)
        .values_list("survey_id", "respondent_id")
    )
    invited = dict(
        Notification.objects.filter(
            kind=Notification.Kind.EVALUATION_INVITATION,
            program_id__in={program for _pk, program in surveys},
        ).values_list("key", "created_at")
    )
    rows = []
    for survey, program in surveys:
        for user in sorted(people.get(program, {})):
            if (survey, user) in answered:
                continue
            key = f"evaluation:{survey}:{user}"
            kind = Notification.Kind.EVALUATION_INVITATION
            if key in invited:
                if invited[key] > now - REMIND_AFTER:
                    continue
                kind = Notification.Kind.EVALUATION_REMINDER
                key = f"evaluation_reminder:{survey}:{user}"
            rows.append(
                Notification(
                    recipient_id=user,
                    program_id=program,
                    kind=kind,
                    key=key,
                    context={"survey": survey},
                )
            )
    return notify_many(rows)


def register() -> None:
    register_sweep(plan_evaluation_emails)
