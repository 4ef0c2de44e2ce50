"""The match-quality check a month in (issue 19): two questions to each of the pair through
the outbox, once; a low answer or a wish to talk flags the pair on the dashboard and offers the
person a new match; the other one never sees the answer."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.privacy import erase, user_data
from accounts.tests.factories import UserFactory
from matching.models import Match, Pulse, RematchRequest
from matching.pulse import plan_pulse
from notifications.services import notifications_deliver
from programs.models import Application, Role
from programs.tests.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def pair(coordinator):
    program = ProgramFactory(slug="larosaten", name="Mentorprogram för lärosäten")
    program.coordinators.add(coordinator)

    def published(days_ago, adept_name, mentor_name):
        return Match.objects.create(
            program=program,
            status=Match.Status.PUBLISHED,
            published_at=timezone.now() - days_ago * DAY,
            adept=ApplicationFactory(
                program=program, status=Application.Status.ACCEPTED,
                applicant=UserFactory(full_name=adept_name, language="en"),
            ),
            mentor=ApplicationFactory(
                program=program, role=Role.MENTOR, status=Application.Status.ACCEPTED,
                applicant=UserFactory(full_name=mentor_name, language="en"),
            ),
        )  # fmt: skip

    return {
        "due": published(31, "Alva Adept", "Berit Mentor"),
        "early": published(10, "Ebba Early", "Erik Early"),
        "late": published(200, "Lisa Late", "Lars Late"),
        "program": program,
    }


def test_the_check_goes_to_both_of_a_pair_a_month_in_once(pair):
    assert plan_pulse() == 2
    assert plan_pulse() == 0
    notifications_deliver()
    due = pair["due"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [due.adept.applicant.email, due.mentor.applicant.email]
    )
    message = mail.outbox[0]
    assert message.subject == "Is your match working? Mentorprogram för lärosäten"
    assert f"/matches/{due.pk}/check/" in message.body


def test_a_low_answer_flags_the_pair_and_offers_a_new_match(client, coordinator, pair):
    due = pair["due"]
    check = reverse("matching:pulse", args=[due.pk])
    client.force_login(due.adept.applicant)
    response = client.post(check, {}, follow=True)
    assert "Choose from 1 to 5." in response.content.decode()
    response = client.post(check, {"working": "2"}, follow=True)
    html = response.content.decode()
    assert "The coordinators will contact you" in html
    assert reverse("matching:rematch", args=[due.pk]) in html
    # Answering again changes the answer, one per person.
    client.post(check, {"working": "1", "talk": "on"})
    assert Pulse.objects.get().working == 1 and Pulse.objects.get().talk
    # The mentor answers their own, and does not see the adept's.
    client.force_login(due.mentor.applicant)
    html = client.get(check).content.decode()
    assert "You answered" not in html
    client.post(check, {"working": "4"})
    assert Pulse.objects.count() == 2
    # Someone outside the pair finds nothing.
    client.force_login(pair["early"].adept.applicant)
    assert client.get(check).status_code == 404

    client.force_login(coordinator)
    html = client.get(
        reverse("evaluations:dashboard", args=[pair["program"].slug])
    ).content.decode()
    assert "2 people answered the check after a month: on average 2.5 of 5." in html
    assert "1 answer is low or asks to talk." in html
    assert "Alva Adept" in html
    # The way on: the adept asks for a new match from the check.
    client.force_login(due.adept.applicant)
    client.post(reverse("matching:rematch", args=[due.pk]), {"reason": "Det fungerar inte."})
    assert RematchRequest.objects.filter(match=due).exists()


def test_a_check_is_the_persons_data(pair):
    due = pair["due"]
    Pulse.objects.create(match=due, respondent=due.adept.applicant, working=3)
    assert user_data(due.adept.applicant)["match_checks"][0]["working"] == 3
    erase(due.adept.applicant, timezone.now())
    assert not Pulse.objects.exists()
