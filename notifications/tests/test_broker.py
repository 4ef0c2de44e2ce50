"""With the real broker: Redis down does not fail a request, and the e-mail still goes out
after Redis is back. The test runs its own Redis server so that it can stop it."""

import shutil
import socket
import subprocess
import time
import uuid

import pytest
from django.conf import settings
from django.urls import reverse

from mentorship.celery import app as celery_app
from mentorship.tests.workers import start_worker, wait_for
from notifications.models import Notification
from programs.models import Application
from programs.tests.factories import ApplicationFactory

REDIS = shutil.which("redis-server")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path, monkeypatch):
    server = RedisServer(tmp_path)
    server.start()
    previous = celery_app.conf.broker_url
    # Celery reads CELERY_BROKER_URL from the environment before its own settings.
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)
    celery_app.conf.broker_url = server.url
    celery_app._after_fork()  # drop the connection pools that point at the old broker
    yield server
    if server.process.poll() is None:
        server.stop()
    celery_app.conf.broker_url = previous
    celery_app._after_fork()


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_submitting_succeeds_and_the_email_goes_out_when_it_is_back(
    client, adept, redis_server, django_capture_on_commit_callbacks, caplog
):
    application = ApplicationFactory(applicant=adept, status=Application.Status.DRAFT)
    client.force_login(adept)
    redis_server.stop()

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            application.get_absolute_url(),
            {
                "organization": application.organization_id,
                "job_title": "Rektor",
                "manager_since": application.manager_since.isoformat(),
                "direct_reports": "10",
                "meeting_format": "either",
                "letter": "Mitt brev",
                "consent_processing": "on",
                "submit": "",
            },
        )
    assert response.status_code == 302
    assert "Broker unavailable" in caplog.text  # the kick failed, and was only logged
    assert time.monotonic() - started < 15  # the request does not hang on the broker
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    notification = Notification.objects.get()
    assert notification.status == Notification.Status.PENDING

    redis_server.start()
    queue = f"test-{uuid.uuid4().hex}"
    worker = start_worker(redis_server.url, queue)
    # The periodic sweep, as beat would send it, through the broker that is back.
    celery_app.send_task("notifications.tasks.deliver_pending", queue=queue)

    def sent():
        notification.refresh_from_db()
        return notification.status == Notification.Status.SENT

    output = wait_for(worker, sent)
    assert notification.status == Notification.Status.SENT, output
    assert notification.attempts == 1


def test_the_beat_schedule_runs_the_delivery_sweep():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "notifications.tasks.deliver_pending" in tasks
    assert reverse("programs:list") == "/"
