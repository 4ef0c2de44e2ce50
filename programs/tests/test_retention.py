import datetime
import zoneinfo

import pytest
import time_machine

from matching.models import Match
from meetings.models import Goal, Meeting
from programs.models import Application, Role
from programs.services import retention_apply
from programs.tests.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def at(*args):
    return datetime.datetime(*args, tzinfo=STOCKHOLM)


@pytest.fixture
def ended():
    with time_machine.travel(at(2027, 1, 10, 9), tick=False):
        program = ProgramFactory(
            starts_on=datetime.date(2027, 6, 1), ends_on=datetime.date(2028, 4, 30),
            retention_months=12, rejected_retention_months=3,
        )  # fmt: skip
        adept = ApplicationFactory(
            program=program, letter="Brev", status=Application.Status.ACCEPTED
        )
        mentor = ApplicationFactory(program=program, role=Role.MENTOR, letter="Brev")
        rejected = ApplicationFactory(
            program=program, letter="Nej tack", status=Application.Status.REJECTED,
            decided_at=at(2027, 4, 1, 12),
        )  # fmt: skip
        match = Match.objects.create(
            program=program, adept=adept, mentor=mentor, status=Match.Status.COMPLETED
        )
        Goal.objects.create(match=match, title="Mål")
        Meeting.objects.create(
            match=match, starts_at=at(2027, 9, 1, 10), status="held", notes="Anteckning"
        )
    return {"adept": adept, "rejected": rejected, "match": match}


def letters():
    return sorted(Application.objects.values_list("letter", flat=True))


def test_rejected_applications_go_after_their_shorter_period(ended):
    with time_machine.travel(at(2027, 6, 1, 3), tick=False):
        assert retention_apply() == 0
    with time_machine.travel(at(2027, 7, 10, 3), tick=False):
        assert retention_apply() == 1
    assert letters() == ["", "Brev", "Brev"]


def test_everything_goes_after_the_programs_retention_and_counts_stay(ended):
    with time_machine.travel(at(2029, 4, 1, 3), tick=False):
        retention_apply()
    assert letters() == ["", "Brev", "Brev"]  # only the rejected one: the year is not over
    with time_machine.travel(at(2029, 5, 2, 3), tick=False):
        retention_apply()
        assert retention_apply() == 0  # a second run finds nothing
    assert letters() == ["", "", ""]
    assert Application.objects.count() == 3
    assert not Goal.objects.exists()
    meeting = Meeting.objects.get()
    assert (meeting.status, meeting.notes) == ("held", "")


def test_evaluation_answers_lose_their_people_and_free_text_after_the_retention(ended):
    from evaluations.models import Answer, Response
    from evaluations.services import response_save, survey_create

    match = ended["match"]
    with time_machine.travel(at(2028, 1, 15, 9), tick=False):
        Match.objects.filter(pk=match.pk).update(status=Match.Status.PUBLISHED)
        milestone = match.program.milestones.create(kind="half_time", starts_at=at(2028, 1, 20, 9))
        survey = survey_create(
            milestone=milestone, phase="half_time", opens_at=at(2028, 1, 15, 8),
            closes_at=at(2028, 2, 1, 8), start_with="empty",
        )  # fmt: skip
        scale = survey.questions.create(kind="scale", text_sv="Bra?")
        text = survey.questions.create(kind="text", text_sv="Annat?")
        response_save(
            survey=survey, user=ended["adept"].applicant,
            answers={scale.pk: 5, text.pk: "Jag, Ada på skolan, tycker..."}, submit=True,
        )  # fmt: skip
    with time_machine.travel(at(2029, 4, 1, 3), tick=False):
        retention_apply()
    assert Response.objects.get().respondent_id is not None  # the year after is not over
    with time_machine.travel(at(2029, 5, 2, 3), tick=False):
        retention_apply()
    response = Response.objects.get()
    assert response.respondent_id is None and response.submitted_at is not None
    assert list(Answer.objects.values_list("scale", "text")) == [(5, "")]


def test_the_sweep_empties_every_personal_field_erasure_empties(ended):
    """One list of personal fields: region and the internal note go too, and the
    eligibility count stays."""
    from programs.privacy import PERSONAL_FIELDS

    adept = ended["adept"]
    Application.objects.filter(pk=adept.pk).update(
        letter="", wishes="", unit="", job_title="", region="Umeå", internal_note="Notis"
    )
    eligible = Application.objects.with_eligibility().filter(eligible=True).count()
    with time_machine.travel(at(2029, 5, 2, 3), tick=False):
        assert retention_apply() >= 1
    adept.refresh_from_db()
    for name, empty in PERSONAL_FIELDS.items():
        assert getattr(adept, name) == empty, name
    assert Application.objects.with_eligibility().filter(eligible=True).count() == eligible > 0
