"""An adept applies (sign-up on the way, a draft, an error, then submit); a mentor applies."""

import datetime
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from notifications.services import notifications_deliver
from programs.models import Application
from programs.tests.factories import (
    FocusAreaFactory,
    OrganizationFactory,
    ProgramFactory,
    unit_named,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def program():
    kth, konstfack = OrganizationFactory(name="KTH"), OrganizationFactory(name="Konstfack")
    unit_named(kth, "School of Architecture")
    unit_named(konstfack, "Department of Design")
    program = ProgramFactory(
        name="Mentorprogram för lärosäten",
        slug="larosaten",
        organizations=[kth, konstfack],
        letter_max_chars=400,
        membership_required=True,
        membership_label="I am a member of the network",
    )
    program.focus_areas.set(
        [FocusAreaFactory(name_en="Leading change"), FocusAreaFactory(name_en="Recruitment")]
    )
    return program


def fill_position(page, program, since):
    page.get_by_label("Organisation").select_option(label="KTH")
    unit = page.get_by_label("Unit or leadership team")
    # Only the chosen organisation's units are offered.
    expect(unit.locator("optgroup[label=Konstfack]")).to_be_disabled()
    unit.select_option(label="School of Architecture")
    page.get_by_label("Job title").fill("Head of department")
    page.get_by_label("Manager with staff since").fill(since.isoformat())
    page.get_by_label("Number of direct reports").fill("9")


def test_a_new_visitor_signs_up_on_the_way_saves_a_draft_and_submits(
    page, program, assert_accessible
):
    page.goto(program.get_absolute_url())
    page.get_by_role("button", name="English").click()
    page.get_by_role("link", name="Apply as adept").click()

    # Sent to log in; a new visitor signs up instead and comes back to the form.
    page.get_by_role("link", name="sign up", exact=True).click()
    page.get_by_label("Full name").fill("Ada Adept")
    page.get_by_label("Email").fill("ada@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
    notifications_deliver()  # allauth's e-mail goes through the outbox
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Apply as adept"
    assert_accessible(page)

    # A first draft: only some fields, saved and kept.
    fill_position(page, program, program.starts_on - datetime.timedelta(days=60))
    page.get_by_role("textbox", name="Motivation letter").fill("I want to grow as a leader.")
    expect(page.get_by_text("27 of 400 characters used")).to_be_visible()  # the live counter
    page.get_by_role("button", name="Save draft").click()
    assert page.get_by_text("Your draft has been saved.").is_visible()
    application = Application.objects.get()
    assert application.status == Application.Status.DRAFT

    # Submitting while too new as a manager: a clear error, nothing lost.
    page.get_by_label("Leading change").check()
    page.get_by_label("I am a member of the network").check()
    page.get_by_label(re.compile("I agree that the coordinators")).check()
    page.get_by_role("button", name="Submit application").click()
    assert page.get_by_text(re.compile("Adepts need at least 6 months")).is_visible()
    assert (
        page.get_by_role("textbox", name="Motivation letter").input_value()
        == "I want to grow as a leader."
    )
    assert_accessible(page)

    page.get_by_label("Manager with staff since").fill(
        (program.starts_on - datetime.timedelta(days=400)).isoformat()
    )
    page.get_by_role("button", name="Submit application").click()
    assert page.get_by_text("Your application has been submitted").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="My applications").click()
    assert page.get_by_role("cell", name="Submitted").is_visible()
    assert_accessible(page)

    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert [a.pk for a in application.focus_areas.all()] == [
        program.focus_areas.get(name_en="Leading change").pk
    ]
    notifications_deliver()
    assert mail.outbox[-1].to == ["ada@example.org"]
    assert mail.outbox[-1].subject.startswith("We have received your application")


def test_a_mentor_applies_with_capacity_and_mentor_bank_consent(page, program, assert_accessible):
    mentor = UserFactory(email="mats@example.org", full_name="Mats Mentor")
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(mentor.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    # Logged in, the user's saved language (English) applies.
    expect(page.get_by_role("link", name="My applications")).to_be_visible()

    page.goto(program.get_absolute_url())
    page.get_by_role("link", name="Apply as mentor").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Apply as mentor"
    fill_position(page, program, program.starts_on - datetime.timedelta(days=6 * 365))
    page.get_by_label("I am a member of the network").check()
    page.get_by_label("Recruitment").check()
    page.get_by_label("In person").check()
    page.get_by_label("Adepts you can take").fill("2")
    page.get_by_role("textbox", name="Motivation letter").fill("I have led staff for many years.")
    page.get_by_label(re.compile("I agree that the coordinators")).check()
    page.get_by_label(re.compile("keep me in the mentor bank")).check()
    page.get_by_role("button", name="Submit application").click()
    assert page.get_by_text("Your application has been submitted").is_visible()
    assert_accessible(page)

    application = Application.objects.get(applicant=mentor)
    assert application.role == "mentor"
    assert application.mentor_capacity == 2
    assert application.meeting_format == "physical"
    assert application.consent_bank_at is not None
