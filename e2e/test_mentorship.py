"""A pair's year: the adept writes goals and plans a meeting, the mentor logs it as held."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from matching.models import Match
from meetings.models import Meeting
from programs.models import Role
from programs.tests.factories import ApplicationFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email):
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.get_by_role("link", name="My mentorship")).to_be_visible()


def test_goals_a_planned_meeting_and_its_notes(page, browser, live_server, assert_accessible):
    today = timezone.localdate()
    program = ProgramFactory(
        slug="aret",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=330),
        applications_open_at=timezone.now() - datetime.timedelta(days=90),
        applications_close_at=timezone.now() - datetime.timedelta(days=60),
    )
    adept = UserFactory(email="ada@example.org", full_name="Ada Adept")
    mentor = UserFactory(email="max@example.org", full_name="Max Mentor")
    match = Match.objects.create(
        program=program,
        adept=ApplicationFactory(program=program, applicant=adept),
        mentor=ApplicationFactory(program=program, applicant=mentor, role=Role.MENTOR),
        status=Match.Status.PUBLISHED,
        published_at=timezone.now(),
    )

    log_in(page, adept.email)
    page.get_by_role("link", name="My mentorship").click()
    expect(page.get_by_role("heading", name="My mentorship", level=1)).to_be_visible()
    expect(page.get_by_text("Max Mentor")).to_be_visible()
    assert_accessible(page)

    for title in ("Lead difficult conversations", "Delegate more"):
        page.locator("#id_goal-title").fill(title)
        page.get_by_role("button", name="Add goal").click()
        expect(page.get_by_text("The goal has been saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Delegate more")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Plan a meeting").click()
    when = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(9, 30))
    page.get_by_label("Date and time").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Digital").check()
    page.get_by_label("Place or link").fill("https://meet.example.org/ada-max")
    page.get_by_label("Agenda").fill("How do I give hard feedback?")
    assert_accessible(page)
    page.get_by_role("button", name="Plan meeting").click()
    expect(page.get_by_text("The meeting has been saved.")).to_be_visible()
    meeting = Meeting.objects.get()
    assert meeting.starts_at == when.replace(tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm"))

    # The mentor, in a browser of their own, logs the meeting as held (it was moved earlier).
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    mentor_page = context.new_page()
    log_in(mentor_page, mentor.email)
    mentor_page.goto(meeting.get_absolute_url())
    earlier = (timezone.localtime() - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    mentor_page.get_by_label("Date and time").fill(earlier)
    mentor_page.get_by_label("Notes").fill("We practised the feedback conversation.")
    mentor_page.get_by_role("button", name="Mark as held").click()
    expect(mentor_page.get_by_text("The meeting is logged as held.")).to_be_visible()
    expect(mentor_page.get_by_text("1 of 8–10 meetings held")).to_be_visible()
    assert_accessible(mentor_page)
    context.close()

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert meeting.notes == "We practised the feedback conversation."
    assert meeting.updated_by == mentor
    assert list(match.goals.values_list("title", flat=True)) == [
        "Lead difficult conversations",
        "Delegate more",
    ]
