"""Everything the app holds about a person, as JSON: the right of access and portability.

Every model with a relation to the user is either exported here or listed in EXCLUDED with
the reason; a test fails when a new relation is neither.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.forms.models import model_to_dict

# label of a model related to the user -> why it is not in the export
EXCLUDED = {
    "admin.logentry": "The admin's own history of staff edits; the audit trail covers it.",
    "account.emailconfirmation": "A one-time token, not data about the person.",
    "mfa.authenticator": "Secrets of the second factor: exporting them would weaken it.",
    "usersessions.usersession": "Shown on the sessions page; IP addresses of the past days.",
    "matching.matchingrun": "Who ran matching: coordinators' work, not about participants.",
    "matching.exclusion": "Coordinators' conflict-of-interest notes about pairs.",
    "audit.auditentry": "Coordinators' actions, readable by the program's coordinators.",
    "programs.program": "Programs a coordinator runs; their content is public.",
    "meetings.calendarfeed": "A secret address; the person sees it on the calendar page.",
}


def _rows(queryset, fields=None, exclude=()):
    return [
        {k: v for k, v in model_to_dict(obj, fields=fields).items() if k not in exclude}
        for obj in queryset
    ]


def user_data(user) -> dict:
    from allauth.account.models import EmailAddress

    from evaluations.models import Response
    from evaluations.services import answer_display, answers_of
    from matching.models import Match, RematchRequest
    from meetings.models import Goal, GoalComment, Meeting
    from notifications.models import Notification
    from programs.models import Application, MentorBankEntry

    applications = Application.objects.filter(applicant=user).prefetch_related("focus_areas")
    matches = Match.objects.for_user(user)
    return {
        "profile": {
            "email": user.email,
            "full_name": user.full_name,
            "language": user.language,
            "monthly_reminders": user.monthly_reminders,
            "meeting_reminders": user.meeting_reminders,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "email_addresses": _rows(EmailAddress.objects.filter(user=user), ["email", "verified"]),
        # Internal notes are the coordinators' own working notes, not data from the person.
        "applications": _rows(applications, exclude=("internal_note", "decided_by")),
        "mentor_bank": _rows(MentorBankEntry.objects.filter(mentor=user)),
        "matches": [
            {
                "program": match.program.name,
                "adept": match.adept.applicant.full_name,
                "mentor": match.mentor.applicant.full_name,
                "status": match.status,
                "published_at": match.published_at,
                "ended_at": match.ended_at,
            }
            for match in matches.select_related("program", "adept__applicant", "mentor__applicant")
        ],
        "rematch_requests": _rows(RematchRequest.objects.filter(requested_by=user)),
        "goals": _rows(Goal.objects.filter(match__in=matches)),
        "goal_comments": _rows(GoalComment.objects.filter(goal__match__in=matches)),
        "meetings": _rows(Meeting.objects.filter(match__in=matches)),
        "survey_responses": [
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
            for response in Response.objects.filter(respondent=user)
            .select_related("survey__program")
            .prefetch_related("survey__questions", "answers")
            for answers in [answers_of(response)]
        ],
        "notifications": _rows(
            Notification.objects.filter(recipient=user),
            ["kind", "status", "created_at", "sent_at"],
        ),
    }


EXPORTED = {
    "accounts.user",
    "account.emailaddress",
    "programs.application",
    "programs.mentorbankentry",
    "matching.rematchrequest",
    "meetings.goal",
    "meetings.goalcomment",
    "meetings.meeting",
    "notifications.notification",
    "evaluations.response",
}

ENCODER = DjangoJSONEncoder
