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
