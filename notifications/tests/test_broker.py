"""With the real broker: Redis down does not fail a request, and the e-mail still goes out
after Redis is back. The test runs its own Redis server so that it can stop it."""

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
