"""After a form is sent with errors the focus is on a summary that links each field in error,
the title starts with "Error:", and no browser bubble stands in for the page's own message."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from e2e.helpers import log_in
from programs.tests.factories import ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_application_sent_empty_focuses_the_summary_whose_links_lead_to_the_fields(page):
    program = ProgramFactory(slug="fel")
    adept = UserFactory(email="ada@example.org", language="en")
    log_in(page, adept.email)
    page.goto(f"/programs/{program.slug}/apply/adept/")
    page.get_by_role("button", name="Submit application").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: ")
    link = summary.get_by_role("link", name="Motivation letter", exact=True)
    link.press("Enter")
    expect(page.locator("#id_letter")).to_be_in_viewport()
    assert page.evaluate("location.hash") == "#id_letter"


def test_a_login_with_a_wrong_password_is_told_by_the_page_not_by_a_bubble(page):
    UserFactory(email="ada@example.org")
    page.goto("/accounts/login/")
    assert page.locator("form").first.evaluate("(form) => form.noValidate")
    page.locator("#id_login").fill("ada@example.org")
    page.locator("#id_password").press("Enter")  # empty: the server answers, in Swedish
    expect(page.locator("#error-summary")).to_be_focused()
    assert page.title().startswith("Fel: ")
