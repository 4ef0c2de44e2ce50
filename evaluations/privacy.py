"""What evaluations hold about a person: their survey responses. Scores stay in a program's
results, no longer tied to anyone; free text could say who wrote it, so it goes."""

from __future__ import annotations

from accounts.privacy import Holder

from .models import Answer, Response
from .services import answer_display, answers_of


def _responses(user) -> list[dict]:
    responses = (
        Response.objects.filter(respondent=user)
        .select_related("survey__program")
        .prefetch_related("survey__questions", "answers")
    )
    return [
        {
            "program": response.survey.program.name,
            "survey": str(response.survey.title),
            "role": response.role,
            "sent_at": response.submitted_at,
            "answers": [
                {
                    "question": question.text,
                    "answer": answer_display(question, answers[question.pk]),
                }
                for question in response.survey.questions.all()
                if question.pk in answers
            ],
        }
        for response in responses
        for answers in [answers_of(response)]
    ]


def _unlink(responses) -> int:
    texts, _ = Answer.objects.filter(response__in=responses).exclude(text="").delete()
    return texts + responses.filter(respondent__isnull=False).update(respondent=None)


HOLDER = Holder(
    app="evaluations",
    export={"survey_responses": _responses},
    erase=lambda user, now: _unlink(Response.objects.filter(respondent=user)),
    age_out=lambda program_ids, now: _unlink(
        Response.objects.filter(survey__program_id__in=program_ids)
    ),
    exported=frozenset({"evaluations.response"}),
)
