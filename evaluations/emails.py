"""The evaluations' e-mails: the invitation, the reminder, and the thanks at the program's
close (which links the final evaluation while it is open); registered in ready()."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.emails import absolute, loaded
from notifications.registry import register_email, register_loader
from programs.models import EmailText, program_paragraph

from .models import Survey
from .services import open_surveys_for


def _surveys(ids):
    return Survey.objects.select_related("program").in_bulk(ids)


def _evaluation(notification, cache):
    survey = loaded(cache, notification, "survey")
    return {
        "survey": survey,
        "program": survey.program,
        "closes_at": timezone.localtime(survey.closes_at),
        "url": absolute(reverse("evaluations:answer", args=[survey.pk])),
    }


def _program_closed(notification, cache):
    program = loaded(cache, notification, "program")
    surveys = open_surveys_for(notification.recipient).filter(program=program)
    return {
        "program": program,
        "paragraph": program_paragraph(program, EmailText.Kind.CLOSING),
        "until": program.personal_data_kept_until,
        "surveys": [
            {
                "survey": survey,
                "closes_at": timezone.localtime(survey.closes_at),
                "url": absolute(reverse("evaluations:answer", args=[survey.pk])),
            }
            for survey in surveys
        ],
        "mentorship_url": absolute(
            reverse("meetings:mentorship", args=[notification.context["match"]])
        ),
        "data_url": absolute(reverse("accounts:profile")),
    }


def register() -> None:
    register_loader("survey", _surveys)
    register_email(
        "evaluation_invitation", label=_("Invitation to an evaluation"), context=_evaluation
    )
    register_email(
        "evaluation_reminder", label=_("Reminder to answer an evaluation"), context=_evaluation
    )
    register_email(
        "program_closed", label=_("Thanks at the program's close"), context=_program_closed
    )
