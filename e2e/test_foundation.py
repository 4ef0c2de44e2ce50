"""A newcomer finds a program, switches language, signs up, verifies and logs in."""

import re

import pytest
from django.core import mail

from accounts.models import User
from notifications.services import notifications_deliver
from programs.tests.factories import MilestoneFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "ett-långt-lösenord-2026"


@pytest.fixture
def open_program():
    program = ProgramFactory(
        name="Mentorsprogram för skolledare",
        slug="skolledare",
        membership_required=True,
        membership_label="Jag är medlem i förbundet",
    )
    MilestoneFactory(program=program, kind="kick_off")
    return program


def test_a_newcomer_switches_language_opens_a_program_signs_up_and_logs_in(
    page, open_program, assert_accessible
):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_role("heading", level=1).inner_text() == "Mentorprogram"
    assert_accessible(page)

    # The skip link is the first thing the keyboard reaches, and it leads to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hoppa till huvudinnehållet")
    assert skip.evaluate("element => element === document.activeElement")

    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Mentor programs"
    assert_accessible(page)

    page.get_by_role("link", name="Mentorsprogram för skolledare").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Mentorsprogram för skolledare"
    assert page.get_by_text("Required: Jag är medlem i förbundet").is_visible()
    assert page.get_by_role("heading", name="Timeline").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Full name").fill("Nina Ny")
    page.get_by_label("Email").fill("nina@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill("something else entirely")
    page.get_by_role("button", name="Sign Up").click()
    assert page.get_by_text("You must type the same password each time.").is_visible()
    assert page.get_by_label("Full name").input_value() == "Nina Ny"  # nothing typed is lost
    assert_accessible(page)

    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Verify Your Email Address"
    assert_accessible(page)

    notifications_deliver()  # allauth's e-mail goes through the outbox
    (message,) = mail.outbox
    assert message.to == ["nina@example.org"]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    page.goto(link)
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()
    # Confirming in the same browser logs in.
    assert page.get_by_role("link", name="My profile").is_visible()
    page.get_by_role("button", name="Log out").click()

    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("Nina@Example.org")
    page.locator("#id_password").fill(PASSWORD)
    assert_accessible(page)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("link", name="My profile").click()
    assert page.get_by_label("Full name").input_value() == "Nina Ny"
    assert_accessible(page)

    user = User.objects.get(email="nina@example.org")
    assert user.language == "en"  # chosen before signing up, kept on the account
    assert user.emailaddress_set.get().verified
