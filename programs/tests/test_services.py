import datetime

import pytest
from django.utils import timezone

from programs.models import Program
from programs.services import program_close_applications
from programs.tests.factories import ProgramFactory

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
