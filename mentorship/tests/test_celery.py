"""A real round trip: a task goes through the Redis broker to a worker process we start."""

import datetime
import uuid

import pytest
from django.conf import settings
from django.utils import timezone

from mentorship.tests.workers import start_worker, wait_for
from programs.models import Program
from programs.tasks import close_application_windows
from programs.tests.factories import ProgramFactory


@pytest.mark.django_db(transaction=True)
def test_a_task_sent_through_redis_runs_in_a_worker_and_changes_the_database():
    now = timezone.now()
    program = ProgramFactory(
        applications_open_at=now - datetime.timedelta(days=30),
        applications_close_at=now - datetime.timedelta(minutes=5),
    )
    queue = f"test-{uuid.uuid4().hex}"
    worker = start_worker(settings.CELERY_BROKER_URL, queue)
    close_application_windows.apply_async(queue=queue)

    def closed():
        program.refresh_from_db()
        return program.status == Program.Status.SELECTION

    output = wait_for(worker, closed)
    assert program.status == Program.Status.SELECTION, output
