"""What several browser tests do: log in, with the authenticator app's code for staff, or
with a code by e-mail for someone without a password."""

import re

from django.core import mail
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD
from e2e.test_matching import current_code
from notifications.services import notifications_deliver

__all__ = ["current_code", "log_in", "log_in_with_code"]


def log_in(page, email, code=None):
    """Log in with the test password; `code` gives the second factor (current_code)."""
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    if code is not None:
        page.locator("#id_code").fill(code(email))
        page.locator("#id_code").press("Enter")
        # The second factor's page has a logout form of its own (its Cancel): logged in is
        # past it.
        expect(page.locator("#id_code")).to_have_count(0)
    expect(page.locator("form[action$='/accounts/logout/']")).to_have_count(1)


def choose_language(page, name):
    """Press a language button and wait until the page has come back in that language, so
    that the next navigation does not race the switch."""
    page.get_by_role("button", name=name).click()
    expect(page.get_by_role("button", name=name)).to_have_attribute("aria-pressed", "true")


def log_in_with_code(page, email):
    """Log in as someone without a password (a line manager's light account): a code by
    e-mail, read from the outbox."""
    page.goto("/accounts/login/code/")
    page.locator("#id_email").fill(email)
    page.locator("#id_email").press("Enter")
    expect(page.locator("#id_code")).to_be_visible()
    notifications_deliver()
    body = [m for m in mail.outbox if m.to == [email]][-1].body
    code = re.search(r"^\s*([A-Z0-9]{4,}(?:-[A-Z0-9]{4,})?)\s*$", body, re.M).group(1)
    page.locator("#id_code").fill(code)
    page.locator("#id_code").press("Enter")
    expect(page.locator("form[action$='/accounts/logout/']")).to_have_count(1)
