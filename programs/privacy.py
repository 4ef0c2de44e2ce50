"""What programs hold about a person: applications (with the letter), the mentor bank, the
roles of organisations' coordinators and invitations from the coordinators' lists."""

from __future__ import annotations

from django.db.models import Q

from accounts.privacy import Holder, rows
from mentorship.months import add_months

from .models import (
    Application,
    ApplicationAnswer,
    LineManagerSupport,
    MentorBankEntry,
    OrganizationCoordinator,
    ParticipantInvitation,
    Program,
    Unit,
)

# What an application says about its person, and its value once anonymised: the one list
# that erasure and the retention sweep both empty (the data export gives the whole row).
PERSONAL_FIELDS: dict[str, object] = {
    "letter": "",
    "wishes": "",
    "unit": None,
    "job_title": "",
    "presentation": "",
    "line_manager_name": "",
    "line_manager_email": "",
    "region": "",
    "languages": [],
    "manager_since": None,
    "direct_reports": None,
    "internal_note": "",
    "decision_message": "",
}


def applications_anonymise(applications) -> int:
    """Empty the personal fields of these applications, keeping the eligibility each had so
    that the program's counts do not change. Returns how many had anything left to empty."""
    has_data = Q()
    for name, empty in PERSONAL_FIELDS.items():
        has_data |= ~Q(**{name: empty}) if empty is not None else Q(**{f"{name}__isnull": False})
    todo = applications.filter(has_data)
    eligible = dict(
        todo.filter(manager_since__isnull=False).with_eligibility().values_list("pk", "eligible")
    )
    for outcome in (True, False):
        Application.objects.filter(
            pk__in=[pk for pk, e in eligible.items() if e is outcome]
        ).update(eligible_kept=outcome)
    # The answers to the program's questions are the person's too, and so is what their
    # line manager answered.
    ApplicationAnswer.objects.filter(application__in=applications).delete()
    LineManagerSupport.objects.filter(application__in=applications).delete()
    return todo.update(**PERSONAL_FIELDS)


def _applications(user) -> list[dict]:
    # Internal notes are the coordinators' own working notes, not data from the person.
    applications = (
        Application.objects.filter(applicant=user)
        .select_related("organization", "unit", "line_manager_support")
        .prefetch_related("focus_areas", "answers__question", "answers__options")
        .order_by("pk")
    )
    exported = rows(applications, exclude=("internal_note", "decided_by"))
    # The organisation and the unit by their names, as the person gave them, not as ids.
    for row, application in zip(exported, applications, strict=True):
        row["organization"] = str(application.organization or "")
        row["unit"] = str(application.unit or "")
        row["answers"] = {
            answer.question.text: answer.cell() for answer in application.answers.all()
        }
        support = getattr(application, "line_manager_support", None)
        row["line_manager_answer"] = support.get_answer_display() if support else ""
    return exported


def _erase(user, now) -> None:
    # Programs bound to archive keep the application and the pair's log until their
    # retention sweep anonymises them; everything else goes now.
    applications_anonymise(
        Application.objects.filter(applicant=user, program__archive_on_erasure=False)
    )
    MentorBankEntry.objects.filter(mentor=user).delete()
    ParticipantInvitation.objects.filter(person=user).delete()
    LineManagerSupport.objects.filter(manager=user).delete()
    _drop_unheld_proposals()


def _drop_unheld_proposals() -> None:
    """A unit an applicant proposed that no application names any more goes with them."""
    Unit.objects.filter(confirmed=False, applications=None, children=None).delete()


def _age_out(program_ids, now) -> int:
    aged = applications_anonymise(Application.objects.filter(program_id__in=program_ids))
    for program in Program.objects.only("pk", "rejected_retention_months"):
        cutoff = add_months(now, -program.rejected_retention_months)
        aged += applications_anonymise(
            Application.objects.filter(
                program=program, status=Application.Status.REJECTED, decided_at__lt=cutoff
            )
        )
    _drop_unheld_proposals()
    # What a coordinators' list said of someone only fills in a form: once the program takes
    # no more applications, it has no use left.
    aged += ParticipantInvitation.objects.filter(program__applications_close_at__lt=now).delete()[0]
    return aged


HOLDER = Holder(
    app="programs",
    export={
        "applications": _applications,
        "mentor_bank": lambda user: rows(MentorBankEntry.objects.filter(mentor=user)),
        "organization_roles": lambda user: rows(OrganizationCoordinator.objects.filter(user=user)),
        "invitations": lambda user: rows(ParticipantInvitation.objects.filter(person=user)),
        # As someone's line manager: what they answered (their reason included).
        "line_manager_answers": lambda user: rows(LineManagerSupport.objects.filter(manager=user)),
    },
    erase=_erase,
    age_out=_age_out,
    exported=frozenset(
        {
            "programs.application",
            "programs.mentorbankentry",
            "programs.applicationanswer",
            "programs.organizationcoordinator",
            "programs.participantinvitation",
            "programs.linemanagersupport",
        }
    ),
    excluded={
        "programs.program": "Programs a coordinator runs; their content is public.",
        "programs.unit": "An organisation's units: its structure, not a person's data.",
        "programs.question": "The program's questions, written by its coordinators.",
        "programs.option": "The answers a program's question offers, written by coordinators.",
        "programs.emailtext": "The program's own paragraphs in its e-mails, by coordinators.",
        "programs.bankoffer": "Offers coordinators write to the mentor bank; who got one is "
        "in the person's notifications.",
    },
)
