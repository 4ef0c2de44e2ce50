"""The half-time evaluation in the browser: a participant answers, saves, comes back and
sends; the coordinator opens the dashboard and the results."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from e2e.helpers import choose_language, current_code, log_in
from evaluations.models import Response
from evaluations.services import response_save, survey_create
from evaluations.tests.conftest import add_pairs
from meetings.models import Meeting
from programs.models import Milestone, Program
from programs.tests.factories import MilestoneFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DAY = datetime.timedelta(days=1)


@pytest.fixture
def cohort():
    today = timezone.localdate()
    now = timezone.now()
    coordinator = UserFactory(email="karin@example.org", is_staff=True)
    program = ProgramFactory(
        slug="halvtid",
        name="Mentorprogram för skolledare",
        status=Program.Status.RUNNING,
        applications_open_at=now - 300 * DAY,
        applications_close_at=now - 250 * DAY,
        starts_on=today - 150 * DAY,
        ends_on=today + 200 * DAY,
    )
    program.coordinators.add(coordinator)
    pairs = add_pairs(program, 4, published_days_ago=120)
    Meeting.objects.bulk_create(
        Meeting(match=m, starts_at=now - (10 + 20 * i) * DAY, status=Meeting.Status.HELD)
        for i, m in enumerate(pairs[:3])
    )
    milestone = MilestoneFactory(
        program=program, kind=Milestone.Kind.HALF_TIME, starts_at=now + 2 * DAY
    )
    survey = survey_create(
        milestone=milestone, phase="half_time", opens_at=now - DAY, closes_at=now + 14 * DAY
    )
    # Three others have answered already, so the results show.
    scores = {q.pk: 4 for q in survey.questions.filter(kind="scale")}
    for match in pairs[1:]:
        response_save(survey=survey, user=match.adept.applicant, answers=scores, submit=True)
    participant = pairs[0].adept.applicant
    participant.set_password(PASSWORD)
    participant.language = "en"
    participant.save()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=participant, email=participant.email, verified=True)
    return {"program": program, "survey": survey, "participant": participant, "pair": pairs[0]}


def test_a_participant_answers_the_half_time_survey(page, assert_accessible, cohort):
    log_in(page, cohort["participant"].email)
    page.goto("/mentorship/")
    page.get_by_role("link", name="Answer the evaluation").click()
    expect(page.get_by_role("heading", name="Half-time evaluation", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("group", name="Our meetings have been valuable").get_by_label("5").check()
    page.get_by_label("What do you want to do differently").fill("Meet more often.")
    page.get_by_role("button", name="Save and continue later").click()
    expect(page.get_by_text("Your answers are saved.")).to_be_visible()
    expect(page.get_by_text("saved but not sent")).to_be_visible()

    # Coming back: what was given is still there; sending asks for the required answers.
    page.reload()
    expect(page.get_by_label("What do you want to do differently")).to_have_value(
        "Meet more often."
    )
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Some answers need your attention")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("group", name="a good way to hold our conversations").get_by_label("4").check()
    page.get_by_role("group", name="closer to the goals").get_by_label("3").check()
    page.get_by_role("group", name="How often have you met").get_by_label("Every month").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Thank you: your answers are sent.")).to_be_visible()
    assert_accessible(page)
    response = Response.objects.get(respondent=cohort["participant"])
    assert response.submitted_at is not None
    assert response.answers.count() == 5

    page.get_by_role("link", name="Evaluations").first.click()
    expect(page.get_by_text("Answered")).to_be_visible()


def test_the_coordinator_opens_the_dashboard_and_the_results(page, assert_accessible, cohort):
    log_in(page, "karin@example.org", code=current_code)
    page.goto("/admin/programs/program/")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    choose_language(page, "English")
    expect(page.get_by_role("heading", name="Meetings per month")).to_be_visible()
    # Four pairs, three of them have met; one has not in 45 days.
    expect(page.get_by_text("3 pairs of 4")).to_be_visible()
    expect(page.get_by_role("img", name="Meetings per month")).to_be_visible()
    expect(page.get_by_text("3 of 4 (75%)").first).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("link", name="Half-time evaluation").click()
    expect(page.get_by_role("heading", name="Results: Half-time evaluation")).to_be_visible()
    expect(page.get_by_role("cell", name="4.00").first).to_be_visible()
    assert_accessible(page)
