"""Faults with the real Redis and real workers: every e-mail still goes out once."""

import datetime
import os
import signal
import time
import uuid

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.tests.factories import UserFactory
from matching.models import Match
from mentorship.celery import app as celery_app
from mentorship.tests.workers import start_worker, wait_for
from notifications.models import Notification
from notifications.services import notify_many
from notifications.tasks import plan_notifications
from programs.models import Application, Program, Role
from programs.tests.factories import ApplicationFactory, ProgramFactory

SLOW = "notifications.tests.backends.SlowFileBackend"


def accepted(tmp_path):
    log = tmp_path / "accepted.log"
    return log.read_text().splitlines() if log.exists() else []


def running_program_with_pairs(pairs):
    today = timezone.localdate()
    program = ProgramFactory(
        status=Program.Status.RUNNING,
        starts_on=today - datetime.timedelta(days=40),
        ends_on=today + datetime.timedelta(days=300),
        applications_open_at=timezone.now() - datetime.timedelta(days=100),
        applications_close_at=timezone.now() - datetime.timedelta(days=60),
        reminder_day=1,
    )
    for _ in range(pairs):
        Match.objects.create(
            program=program,
            adept=ApplicationFactory(program=program, status=Application.Status.ACCEPTED),
            mentor=ApplicationFactory(
                program=program, role=Role.MENTOR, status=Application.Status.ACCEPTED
            ),
            status=Match.Status.PUBLISHED,
        )
    return program


@pytest.mark.django_db(transaction=True)
def test_redis_down_while_reminders_are_due_then_back_sends_every_email_once(
    redis_server, tmp_path
):
    running_program_with_pairs(5)
    redis_server.stop()
    with pytest.raises(OperationalError):
        plan_notifications.delay()  # beat cannot reach the broker: nothing is lost, nothing sent
    assert not Notification.objects.exists()

    redis_server.start()
    queue = f"test-{uuid.uuid4().hex}"
    worker = start_worker(
        redis_server.url,
        queue,
        DJANGO_EMAIL_BACKEND=SLOW,
        TEST_MAIL_LOG=str(tmp_path / "accepted.log"),
    )
    for _ in range(2):  # the next hour's sweep, and a second beat for good measure
        celery_app.send_task("notifications.tasks.plan_notifications", queue=queue)
    # Deliveries kicked by the sweep go to the default queue; run them on ours.
    celery_app.send_task("notifications.tasks.deliver_pending", queue=queue, countdown=1)

    def all_sent():
        rows = Notification.objects.all()
        return rows.count() == 10 and not rows.exclude(status="sent").exists()

    output = wait_for(worker, all_sent)
    assert all_sent(), output
    lines = accepted(tmp_path)
    assert len(lines) == 10
    assert len(set(lines)) == 10


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_delivering_leaves_no_email_lost_or_doubled(redis_server, tmp_path):
    program = ProgramFactory()
    people = [UserFactory() for _ in range(120)]
    notify_many(
        [
            Notification(
                recipient=person,
                program=program,
                kind=Notification.Kind.BANK_INVITATION,
                key=f"bank_invitation:{program.pk}",
                context={"program": program.pk},
            )
            for person in people
        ]
    )
    queue = f"test-{uuid.uuid4().hex}"
    environment = {
        "DJANGO_EMAIL_BACKEND": SLOW,
        "TEST_MAIL_LOG": str(tmp_path / "accepted.log"),
        "NOTIFICATION_LEASE_SECONDS": "2",
    }
    first = start_worker(redis_server.url, queue, **environment)
    celery_app.send_task("notifications.tasks.deliver_pending", queue=queue)
    # Kill it mid-batch, but not in the one instant no mail system can make safe: after the
    # mail server took a message and before the row says so. The worker is frozen while we
    # look, and killed only when every accepted message is also marked sent in the database.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if len(accepted(tmp_path)) >= 20:
            os.kill(first.pid, signal.SIGSTOP)
            sent = Notification.objects.filter(status="sent").count()
            if sent == len(accepted(tmp_path)):
                os.kill(first.pid, signal.SIGKILL)
                break
            os.kill(first.pid, signal.SIGCONT)
        time.sleep(0.01)
    first.communicate(timeout=30)
    assert 0 < Notification.objects.filter(status="sent").count() < 120

    second = start_worker(redis_server.url, queue, **environment)
    time.sleep(2.5)  # the dead worker's lease runs out
    celery_app.send_task("notifications.tasks.deliver_pending", queue=queue)

    def all_sent():
        return not Notification.objects.exclude(status="sent").exists()

    output = wait_for(second, all_sent, timeout=90)
    assert all_sent(), output
    recipients = [line.split("\t")[0] for line in accepted(tmp_path)]
    assert sorted(recipients) == sorted(person.email for person in people)


@pytest.mark.django_db(transaction=True)
def test_a_long_delivery_leases_each_batch_from_its_claim_so_a_second_worker_sends_nothing_twice(
    redis_server, tmp_path
):
    """Batches of 10 to a slow mail server take longer together than the lease: a lease
    counted from the start of the run would have run out for the later batches, and the second
    worker would take them again."""
    people = [UserFactory() for _ in range(80)]
    program = ProgramFactory()
    notify_many(
        [
            Notification(
                recipient=person, program=program, kind=Notification.Kind.BANK_INVITATION,
                key=f"bank_invitation:{program.pk}", context={"program": program.pk},
            )
            for person in people
        ]
    )  # fmt: skip
    queue = f"test-{uuid.uuid4().hex}"
    environment = {
        "DJANGO_EMAIL_BACKEND": SLOW,
        "TEST_MAIL_LOG": str(tmp_path / "accepted.log"),
        "NOTIFICATION_LEASE_SECONDS": "1",
        "NOTIFICATION_BATCH_SIZE": "10",
    }
    workers = [start_worker(redis_server.url, queue, **environment) for _ in range(2)]
    celery_app.send_task("notifications.tasks.deliver_pending", queue=queue)
    # The second run starts when the first has been sending for longer than one lease.
    deadline = time.monotonic() + 60
    while len(accepted(tmp_path)) < 55 and time.monotonic() < deadline:
        time.sleep(0.05)
    celery_app.send_task("notifications.tasks.deliver_pending", queue=queue)

    def all_sent():
        return not Notification.objects.exclude(status="sent").exists()

    output = wait_for(workers[0], all_sent, timeout=90)
    wait_for(workers[1], lambda: True, timeout=5)
    assert all_sent(), output
    recipients = [line.split("\t")[0] for line in accepted(tmp_path)]
    assert sorted(recipients) == sorted(person.email for person in people)
