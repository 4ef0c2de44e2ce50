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
