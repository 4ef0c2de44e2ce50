"""A real Celery worker process for tests, on the test database and a broker of our choice."""

import os
import subprocess
import sys
import time

from django.conf import settings
from django.db import connection


def start_worker(broker_url: str, queue: str, **environment) -> subprocess.Popen:
    """Start a worker that consumes only `queue`, so no other worker takes our tasks."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": broker_url,
        "DJANGO_DEBUG": "true",
        "DJANGO_ZEAL": "false",
        "EMAIL_URL": "consolemail://",
        **environment,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mentorship", "worker", "--pool=solo",
         "--concurrency=1", "-Q", queue, "--without-heartbeat", "--without-mingle",
         "--without-gossip", "--loglevel=WARNING"],
        env=env, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_for(worker: subprocess.Popen, done, timeout: float = 60) -> str:
    """Poll done() until it is true, the worker dies or time runs out; stop the worker and
    return what it printed (for the assertion message)."""
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and worker.poll() is None:
            if done():
                break
            time.sleep(0.2)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    return output
