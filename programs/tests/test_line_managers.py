"""The adept's line manager (issue 18; seed 004's chef or aftaleholder, the Swedish närmaste
chef): named in the application where the program involves them, asked by e-mail, answering
from a signed link without a login, reminded once after a week; the coordinator sees the
answer in the review and decides anyway; the manager never sees the letter."""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.privacy import erase, user_data
from accounts.tests.factories import UserFactory
from notifications.models import Notification
from notifications.services import notifications_deliver
from programs import services
from programs.models import Application, LineManagerSupport, Program
from programs.tests.factories import ApplicationFactory
from programs.tests.test_applications import apply_url, form_data
from programs.tests.test_applications import program as program  # the fixture

pytestmark = pytest.mark.django_db

MANAGER = {"line_manager_name": "Mette Leder", "line_manager_email": "mette@skole.example"}


@pytest.fixture
def support_program(program):
    program.line_managers = Program.LineManagers.SUPPORT
    program.save()
    return program


def ask(application, now):
    from notifications.services import notify_many

    notify_many([services._ask_line_manager(application, now)])


def submit(client, program, **data):
    return client.post(apply_url(program), form_data(program, **data), follow=True)


def answer_link(message) -> str:
    return (
        re.search(r"http://\S+/line-manager/\S+", message.body)
        .group()
        .removeprefix("http://127.0.0.1:8000")
    )


def test_the_adept_names_the_manager_who_is_asked_once(
    client, support_program, django_capture_on_commit_callbacks
):
    adept = UserFactory(language="da", full_name="Anne Adept")
    client.force_login(adept)
    page = client.get(apply_url(support_program)).content.decode()
    assert 'name="line_manager_email"' in page
    # Support is required: without a manager the application is not sent.
    response = submit(client, support_program)
    assert response.context["form"].errors.keys() >= {"line_manager_name", "line_manager_email"}
    assert not Application.objects.exists()
    response = submit(client, support_program, line_manager_name="Anne",
                      line_manager_email=adept.email.upper())  # fmt: skip
    assert not Application.objects.filter(status=Application.Status.SUBMITTED).exists()

    with django_capture_on_commit_callbacks(execute=True):
        submit(client, support_program, **MANAGER)
    application = Application.objects.get()
    support = application.line_manager_support
    manager = User.objects.get(email="mette@skole.example")
    assert (support.manager, support.answer) == (manager, LineManagerSupport.Answer.WAITING)
    assert not manager.has_usable_password() and not manager.is_staff
    notifications_deliver()
    message = next(m for m in mail.outbox if m.to == ["mette@skole.example"])
    assert message.subject == f"Anne Adept beder om din støtte: {support_program.name}" or (
        message.subject == f"Anne Adept ber om ditt stöd: {support_program.name}"
    )
    assert application.letter not in message.body
    # Saving the application again asks no one again; naming another manager asks them.
    client.post(application.get_absolute_url(), form_data(support_program, **MANAGER))
    assert Notification.objects.filter(kind="line_manager_request").count() == 1
    client.post(
        application.get_absolute_url(),
        form_data(support_program, line_manager_name="Ny", line_manager_email="ny@skole.example"),
    )
    support.refresh_from_db()
    assert support.manager.email == "ny@skole.example"
    assert Notification.objects.filter(kind="line_manager_request").count() == 2


def test_the_manager_answers_from_the_link_and_only_coordinators_read_the_reason(
    client, support_program, coordinator, django_capture_on_commit_callbacks
):
    adept = UserFactory(full_name="Anne Adept")
    client.force_login(adept)
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, support_program, **MANAGER)
    notifications_deliver()
    message = next(m for m in mail.outbox if m.to == ["mette@skole.example"])
    link = answer_link(message)
    application = Application.objects.get()

    client.logout()
    page = client.get(link).content.decode()
    assert "Anne Adept" in page and "Rektor" in page
    assert application.letter.splitlines()[0] not in page
    response = client.post(link, {"answer": "declined", "reason": "Vi har omorganisation i år."},
                           follow=True)  # fmt: skip
    assert response.status_code == 200
    support = LineManagerSupport.objects.get()
    assert (support.answer, support.reason) == ("declined", "Vi har omorganisation i år.")
    assert support.answered_at is not None
    # An answer must be one of the two; nothing else is saved.
    client.post(link, {"answer": "maybe"})
    support.refresh_from_db()
    assert support.answer == "declined"

    # The adept sees who was named and what they answered, not the reason.
    client.force_login(adept)
    page = client.get(application.get_absolute_url()).content.decode()
    assert "Mette Leder" in page and "omorganisation" not in page
    # The coordinator sees both, in the list and on the application, and can decide anyway.
    support_program.coordinators.add(coordinator)
    client.force_login(coordinator)
    listing = client.get(reverse("admin:programs_application_changelist")).content.decode()
    assert "Stöder inte ansökan" in listing or "Does not support the application" in listing
    change = client.get(reverse("admin:programs_application_change", args=[application.pk]))
    assert "Vi har omorganisation i år." in change.content.decode()
    accepted, errors = services.applications_decide(
        applications=[application], decision=Application.Status.ACCEPTED, by=coordinator
    )
    assert (accepted, errors) == (1, [])


def test_a_made_up_or_old_link_answers_nothing(client, support_program):
    application = ApplicationFactory(program=support_program, **MANAGER)
    ask(application, timezone.now())
    support = LineManagerSupport.objects.get()
    assert client.get(reverse("programs:line_manager", args=["x:y:z"])).status_code == 404
    other = LineManagerSupport(pk=support.pk, manager_id=support.manager_id + 1)
    forged = services.line_manager_token(other)
    assert client.get(reverse("programs:line_manager", args=[forged])).status_code == 404

    class Old(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - services.LINE_MANAGER_LINK_SECONDS - 60)

    old = Old(salt="programs.line-manager").sign_object({"s": support.pk, "m": support.manager_id})
    url = reverse("programs:line_manager", args=[old])
    assert "tar inte längre emot svar" in client.get(url).content.decode()
    client.post(url, {"answer": "supported"})
    support.refresh_from_db()
    assert support.answer == LineManagerSupport.Answer.WAITING


def test_one_reminder_after_a_week_to_whoever_has_not_answered(support_program):
    asked = timezone.now()
    waiting = ApplicationFactory(program=support_program, **MANAGER)
    answered = ApplicationFactory(
        program=support_program, line_manager_name="B", line_manager_email="b@skole.example"
    )
    for application in (waiting, answered):
        ask(application, asked)
    services.line_manager_answer(support=answered.line_manager_support, answer="supported")
    assert services.plan_line_manager_reminders(now=asked + datetime.timedelta(days=6)) == 0
    later = asked + datetime.timedelta(days=8)
    assert services.plan_line_manager_reminders(now=later) == 1
    assert services.plan_line_manager_reminders(now=later + datetime.timedelta(days=8)) == 0
    (reminder,) = Notification.objects.filter(kind="line_manager_reminder")
    assert reminder.recipient.email == "mette@skole.example"
    notifications_deliver()
    (message,) = [m for m in mail.outbox if m.subject.startswith(("Påminnelse", "Reminder"))]
    assert message.to == ["mette@skole.example"] and "/line-manager/" in message.body
    # Where the program only informs line managers, no one is reminded.
    support_program.line_managers = Program.LineManagers.INFORMED
    support_program.save()
    quiet = ApplicationFactory(
        program=support_program, line_manager_name="C", line_manager_email="c@skole.example"
    )
    ask(quiet, asked)
    assert services.plan_line_manager_reminders(now=later + datetime.timedelta(days=30)) == 0


def test_informed_asks_nothing_required_and_none_asks_nothing(
    client, program, django_capture_on_commit_callbacks
):
    program.line_managers = Program.LineManagers.INFORMED
    program.save()
    client.force_login(UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, program)
    assert Application.objects.get().status == Application.Status.SUBMITTED
    assert not LineManagerSupport.objects.exists()

    program.line_managers = Program.LineManagers.NONE
    program.save()
    client.force_login(UserFactory())
    assert 'name="line_manager_email"' not in client.get(apply_url(program)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, program, **MANAGER)
    assert not LineManagerSupport.objects.exists()
    assert not Application.objects.filter(line_manager_email__gt="").exists()


def test_the_manager_is_in_the_data_export_and_erasure(support_program):
    application = ApplicationFactory(program=support_program, **MANAGER)
    ask(application, timezone.now())
    support = LineManagerSupport.objects.get()
    services.line_manager_answer(support=support, answer="declined", reason="Inte i år")
    (row,) = user_data(support.manager)["line_manager_answers"]
    assert (row["answer"], row["reason"]) == ("declined", "Inte i år")
    assert user_data(application.applicant)["applications"][0]["line_manager_answer"]
    erase(support.manager, timezone.now())
    assert not LineManagerSupport.objects.exists()


def test_the_managers_page_takes_a_fixed_number_of_queries(
    client, support_program, django_assert_max_num_queries
):
    application = ApplicationFactory(program=support_program, **MANAGER)
    ask(application, timezone.now())
    url = reverse(
        "programs:line_manager",
        args=[services.line_manager_token(LineManagerSupport.objects.get())],
    )
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.post(url, {"answer": "supported"}).status_code == 302
