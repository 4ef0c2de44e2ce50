import pytest
from django.urls import reverse

from accounts.models import User
from matching.models import Match
from meetings.models import Goal, Meeting
from notifications.models import Notification
from programs.models import Application, Role
from programs.tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_erasing_an_account_removes_personal_data_and_keeps_the_counts(client, adept):
    application = ApplicationFactory(applicant=adept, letter="Mitt brev", wishes="Umeå")
    mentor = ApplicationFactory(program=application.program, role=Role.MENTOR)
    match = Match.objects.create(
        program=application.program, adept=application, mentor=mentor,
        status=Match.Status.PUBLISHED,
    )  # fmt: skip
    Goal.objects.create(match=match, title="Mitt mål")
    Meeting.objects.create(match=match, starts_at=application.program.applications_close_at,
                           status="held")  # fmt: skip
    email = adept.email
    client.force_login(adept)
    response = client.post(reverse("accounts:delete"), {"email": email.upper()}, follow=True)
    assert "Your account and your personal data are deleted." in response.content.decode()

    user = User.objects.get(pk=adept.pk)
    assert not user.is_active and not user.has_usable_password()
    assert email not in user.email and user.full_name != adept.full_name
    application.refresh_from_db()
    assert (application.letter, application.wishes) == ("", "")
    assert Application.objects.filter(program=application.program).count() == 2  # counts stay
    match.refresh_from_db()
    assert match.status == Match.Status.ENDED
    # The pair ends as any ended pair does: the mentor hears of it, the two are not paired again.
    assert Notification.objects.filter(recipient=mentor.applicant, kind="match_ended").exists()
    assert not Notification.objects.filter(recipient=adept).exists()
    assert not Goal.objects.exists()
    assert Meeting.objects.filter(status="held").count() == 1
    assert "_auth_user_id" not in client.session


def test_a_wrong_confirmation_deletes_nothing(client, adept):
    client.force_login(adept)
    response = client.post(reverse("accounts:delete"), {"email": "someone@else.org"})
    assert "Type your e-mail address exactly" in response.content.decode()
    assert User.objects.get(pk=adept.pk).is_active


def test_coordinators_cannot_erase_themselves_here(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("accounts:delete"), {"email": coordinator.email})
    assert "closed by an administrator" in response.content.decode()
    assert User.objects.get(pk=coordinator.pk).is_active


def test_a_program_bound_to_archive_keeps_the_application_until_its_retention(client, adept):
    application = ApplicationFactory(applicant=adept, letter="Arkiveras")
    application.program.archive_on_erasure = True
    application.program.save()
    client.force_login(adept)
    client.post(reverse("accounts:delete"), {"email": adept.email})
    application.refresh_from_db()
    assert application.letter == "Arkiveras"
    user = User.objects.get(pk=adept.pk)
    assert not user.is_active and adept.email not in user.email


def test_erasure_leaves_the_programs_eligible_count_as_it_was(client, adept):
    from evaluations.dashboard import funnel

    application = ApplicationFactory(applicant=adept, region="Umeå", internal_note="Stark")
    ApplicationFactory(program=application.program)  # eligible too
    before = funnel(application.program)
    client.force_login(adept)
    client.post(reverse("accounts:delete"), {"email": adept.email})
    application.refresh_from_db()
    assert application.manager_since is None and application.region == ""
    assert application.internal_note == ""
    assert application.eligible_kept is True
    assert funnel(application.program) == before


def test_the_other_person_hears_the_pair_ended_without_a_name_from_another_language(client, adept):
    from django.core import mail

    from accounts.tests.factories import UserFactory
    from notifications.services import notifications_deliver

    application = ApplicationFactory(applicant=adept)
    adept.language = "da"
    adept.save(update_fields=["language"])
    mentor = ApplicationFactory(
        program=application.program, role=Role.MENTOR, applicant=UserFactory(language="sv")
    )
    Match.objects.create(
        program=application.program, adept=application, mentor=mentor, status="published"
    )
    client.force_login(adept)
    client.post(reverse("accounts:delete"), {"email": adept.email})
    notifications_deliver()
    [message] = mail.outbox
    assert message.to == [mentor.applicant.email]
    assert "har avslutat sitt konto" in message.body
    assert "Slettet" not in message.body and adept.full_name not in message.body
