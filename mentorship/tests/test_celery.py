"""A real round trip: a task goes through the Redis broker to a worker process we start."""

import datetime
import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

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
    db = connection.settings_dict
    queue = f"test-{uuid.uuid4().hex}"  # no other worker on this broker picks it up
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DJANGO_DEBUG": "true",
        "DJANGO_ZEAL": "false",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "mentorship",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        close_application_windows.apply_async(queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            program.refresh_from_db()
            if program.status == Program.Status.SELECTION or worker.poll() is not None:
                break
            time.sleep(0.2)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert program.status == Program.Status.SELECTION, output
