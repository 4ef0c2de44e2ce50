import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from notifications.models import Notification
from notifications.services import notifications_deliver, notify
from programs.tests.factories import ApplicationFactory, ProgramFactory


def received(application):
    return notify(
        recipient=application.applicant,
        kind=Notification.Kind.APPLICATION_RECEIVED,
        key=f"application:{application.pk}",
        program=application.program,
        context={"application": application.pk},
    )


@pytest.mark.django_db
def test_the_same_key_makes_one_notification_and_delivering_twice_sends_one_email():
    application = ApplicationFactory()
    assert received(application) is True
    assert received(application) is False
    assert notifications_deliver() == 1
    assert notifications_deliver() == 0
    assert len(mail.outbox) == 1
    notification = Notification.objects.get()
    assert notification.status == Notification.Status.SENT
    assert notification.sent_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("sv", "Vi har tagit emot din ansökan till"),
        ("en", "We have received your application to"),
        ("da", "Vi har modtaget din ansøgning til"),
    ],
)
def test_emails_go_out_in_the_recipients_language_as_text_and_html(language, subject):
    application = ApplicationFactory(
        applicant=UserFactory(language=language, full_name="Kim Larsen"),
        letter="HEMLIGT-BREV",
    )
    received(application)
    notifications_deliver()
    (message,) = mail.outbox
    assert message.to == [application.applicant.email]
    assert message.subject.startswith(subject)
    assert application.program.name in message.subject
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'lang="{language}"' in html
    assert "Kim" in message.body and "Kim" in html
    link = reverse("programs:application", args=[application.pk])
    assert link in message.body and link in html
    assert reverse("accounts:profile") in message.body  # a link to the settings
    # What the applicant wrote never travels in an e-mail.
    assert "HEMLIGT-BREV" not in message.body and "HEMLIGT-BREV" not in html


@pytest.mark.django_db
def test_a_mail_server_that_is_down_is_retried_with_backoff_then_marked_failed(settings):
    settings.EMAIL_BACKEND = "notifications.tests.backends.DownSMTPBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    received(ApplicationFactory())
    now = timezone.now()

    assert notifications_deliver(now=now) == 0
    notification = Notification.objects.get()
    assert notification.status == Notification.Status.PENDING
    assert notification.attempts == 1
    assert "SMTPServerDisconnected" in notification.last_error
    assert notification.next_attempt_at == now + datetime.timedelta(minutes=2)

    # Not due yet: nothing happens.
    notifications_deliver(now=now + datetime.timedelta(minutes=1))
    assert Notification.objects.get().attempts == 1

    notifications_deliver(now=now + datetime.timedelta(minutes=3))
    notification = Notification.objects.get()
    assert notification.attempts == 2
    assert notification.next_attempt_at == now + datetime.timedelta(minutes=3 + 4)

    notifications_deliver(now=now + datetime.timedelta(minutes=10))
    notification = Notification.objects.get()
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == 3


@pytest.mark.django_db
def test_failed_emails_are_visible_and_retryable_in_the_admin(client, superuser, settings):
    application = ApplicationFactory()
    received(application)
    Notification.objects.update(status=Notification.Status.FAILED, attempts=5, last_error="boom")
    client.force_login(superuser)
    url = reverse("admin:notifications_notification_changelist")
    response = client.get(url, {"status": "failed"})
    assert [n.status for n in response.context["cl"].queryset] == ["failed"]
    client.post(url, {"action": "retry", "_selected_action": [Notification.objects.get().pk]})
    assert Notification.objects.get().status == Notification.Status.PENDING
    notifications_deliver()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_coordinator_sees_only_notifications_of_their_programs(client, coordinator):
    mine = ApplicationFactory()
    mine.program.coordinators.add(coordinator)
    received(mine)
    received(ApplicationFactory())
    client.force_login(coordinator)
    response = client.get(reverse("admin:notifications_notification_changelist"))
    assert [n.program for n in response.context["cl"].queryset] == [mine.program]


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_at_once_send_each_email_once():
    applications = [ApplicationFactory() for _ in range(30)]
    for application in applications:
        received(application)
    barrier = threading.Barrier(2)
    counts = []

    def worker():
        try:
            barrier.wait()
            counts.append(notifications_deliver(batch_size=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(counts) == 30
    recipients = [message.to[0] for message in mail.outbox]
    assert len(recipients) == 30
    assert len(set(recipients)) == 30
    assert Notification.objects.filter(status=Notification.Status.SENT).count() == 30


def test_every_registered_email_kind_has_its_templates_and_the_check_says_which_is_missing():
    from notifications.checks import every_email_has_its_templates
    from notifications.registry import KINDS, register_email

    assert len(KINDS) >= 17
    assert every_email_has_its_templates() == []
    register_email("no_such_letter", label="Nothing", context=lambda notification, cache: {})
    try:
        errors = every_email_has_its_templates()
    finally:
        del KINDS["no_such_letter"]
    assert [e.id for e in errors] == ["notifications.E001"] * 3
    assert "email/no_such_letter_subject.txt" in errors[0].msg


@pytest.mark.django_db
def test_a_mail_server_that_refuses_connections_counts_an_attempt_for_each_email(settings):
    """Nothing listens on the port: the batch is not left to sit out its lease in silence."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed, 2
    for user in (UserFactory(), UserFactory()):
        notify(recipient=user, kind="coordinator_invitation", key="k", program=ProgramFactory(),
               context={})  # fmt: skip
    assert notifications_deliver() == 0
    for notification in Notification.objects.all():
        assert (notification.status, notification.attempts) == ("pending", 1)
        assert "Connection refused" in notification.last_error
        assert notification.next_attempt_at > timezone.now() + datetime.timedelta(minutes=1)
