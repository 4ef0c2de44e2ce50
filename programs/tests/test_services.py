import datetime

import pytest
from django.utils import timezone

from mentorship.errors import ServiceError
from programs.models import Program, Role
from programs.services import program_close_applications
from programs.tests.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def test_closing_moves_only_open_programs_past_their_deadline_and_is_safe_to_repeat():
    now = timezone.now()
    past = ProgramFactory(
        applications_open_at=now - datetime.timedelta(days=30),
        applications_close_at=now - datetime.timedelta(minutes=1),
    )
    still_open = ProgramFactory()
    draft = ProgramFactory(
        status=Program.Status.DRAFT,
        applications_open_at=now - datetime.timedelta(days=30),
        applications_close_at=now - datetime.timedelta(minutes=1),
    )

    assert program_close_applications(now=now) == 1
    assert program_close_applications(now=now) == 0

    statuses = dict(Program.objects.values_list("pk", "status"))
    assert statuses == {
        past.pk: Program.Status.SELECTION,
        still_open.pk: Program.Status.OPEN,
        draft.pk: Program.Status.DRAFT,
    }


def test_is_open_follows_the_status_and_the_window():
    now = timezone.now()
    program = ProgramFactory(
        applications_open_at=now - datetime.timedelta(days=1),
        applications_close_at=now + datetime.timedelta(days=1),
    )
    assert program.is_open(now)
    assert not program.is_open(now + datetime.timedelta(days=1))  # the deadline itself
    assert not program.is_open(now - datetime.timedelta(days=2))
    program.status = Program.Status.DRAFT
    assert not program.is_open(now)


def test_the_status_shown_follows_the_dates_at_once_and_the_sweep_records_it(client):
    now = timezone.now()
    past_deadline = ProgramFactory(
        slug="forbi", applications_open_at=now - datetime.timedelta(days=30),
        applications_close_at=now - datetime.timedelta(minutes=5),
    )  # fmt: skip
    started = ProgramFactory(
        slug="igang", status=Program.Status.SELECTION,
        applications_open_at=now - datetime.timedelta(days=90),
        applications_close_at=now - datetime.timedelta(days=60),
        starts_on=timezone.localdate() - datetime.timedelta(days=1),
    )  # fmt: skip
    assert past_deadline.current_status() == Program.Status.SELECTION
    assert started.current_status() == Program.Status.RUNNING
    client.cookies["django_language"] = "en"
    assert "Selection and matching" in client.get(past_deadline.get_absolute_url()).content.decode()
    assert ">Running<" in client.get(started.get_absolute_url()).content.decode()
    # Before any sweep the stored status is behind; the sweep catches up, once.
    assert program_close_applications(now=now) == 2
    assert program_close_applications(now=now) == 0
    started.refresh_from_db()
    assert started.status == Program.Status.RUNNING


# --------------------------------------------------------------------------------------------
# The program's status
# --------------------------------------------------------------------------------------------


def test_closing_a_program_completes_its_pairs_cancels_their_meetings_and_is_audited(coordinator):
    import datetime

    from django.utils import timezone

    from audit.models import AuditEntry
    from matching.models import Match
    from meetings.models import Meeting
    from programs.services import program_set_status

    program = ProgramFactory(status=Program.Status.RUNNING)
    adept = ApplicationFactory(program=program, status="accepted")
    mentor = ApplicationFactory(program=program, role=Role.MENTOR, status="accepted")
    match = Match.objects.create(program=program, adept=adept, mentor=mentor, status="published")
    planned = Meeting.objects.create(match=match, starts_at=timezone.now() + datetime.timedelta(1))

    outcome = program_set_status(program=program, status=Program.Status.CLOSED, by=coordinator)

    assert outcome == {"completed": 1, "meetings_cancelled": 1}
    program.refresh_from_db()
    match.refresh_from_db()
    planned.refresh_from_db()
    assert (program.status, match.status, planned.status) == ("closed", "completed", "cancelled")
    entry = AuditEntry.objects.filter(action="program_changed").get()
    assert (entry.actor, entry.detail) == (coordinator, "status: running -> closed")
    # Once more is nothing more.
    assert program_set_status(program=program, status="closed", by=coordinator) == {}


@pytest.mark.parametrize(
    ("current", "status"),
    [("closed", "running"), ("closed", "draft"), ("running", "draft"), ("selection", "draft")],
)
def test_a_program_cannot_make_a_move_that_would_lose_its_people(coordinator, current, status):
    from programs.services import program_set_status

    program = ProgramFactory(status=current)
    with pytest.raises(ServiceError):
        program_set_status(program=program, status=status, by=coordinator)
    program.refresh_from_db()
    assert program.status == current


def test_a_status_read_before_another_coordinator_closed_the_program_does_not_reopen_it(
    coordinator,
):
    from programs.services import program_set_status

    program = ProgramFactory(status=Program.Status.RUNNING)
    stale = Program.objects.get(pk=program.pk)
    program_set_status(program=program, status="closed", by=coordinator)
    with pytest.raises(ServiceError, match="stays closed"):
        program_set_status(program=stale, status="selection", by=coordinator)
