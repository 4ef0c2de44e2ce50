"""The idle log-out warns first (WCAG 2.2.1): a dialog announced as an alert and focused,
at least 20 s before the end; one key press renews the session; and what was typed when the
session ended anyway is back in the form after the next log-in. With a 24 s session."""

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from programs.tests.factories import ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LETTER = "Jag vill bli en tryggare chef och lära mig leda förändring."


def test_the_idle_logout_warns_renews_and_keeps_what_was_typed(page, settings):
    settings.SESSION_COOKIE_AGE = 24  # the warning comes 20 s before the end
    program = ProgramFactory(slug="lyssna")
    adept = UserFactory(email="ada@example.org")
    page.goto(f"/accounts/login/?next=/programs/{program.slug}/apply/adept/")
    page.locator("#id_login").fill(adept.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.locator("#id_letter").fill(LETTER)

    dialog = page.locator("#session-timeout")
    expect(dialog).to_be_visible(timeout=10_000)
    assert dialog.get_attribute("role") == "alertdialog"
    left = int(dialog.locator("[data-reason=idle] [data-countdown]").inner_text())
    assert 15 <= left <= 20
    assert page.evaluate("document.activeElement.hasAttribute('data-extend')")
    before = Session.objects.get().expire_date
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    assert Session.objects.get().expire_date > before  # renewed on the server, not only here

    # Left alone this time: the dialog comes back, then says the session is over.
    expect(dialog.locator("[data-state=ended]")).to_be_visible(timeout=30_000)
    assert page.evaluate("document.activeElement.closest('[data-state=ended]') !== null")
    assert not Session.objects.filter(expire_date__gt=timezone.now()).exists()

    dialog.locator("[data-state=ended] a").click()
    page.locator("#id_login").fill(adept.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.locator("#id_letter")).to_have_value(LETTER)
    expect(page.locator("form [role=status]")).to_be_visible()
    # Restored once: a reload shows the form as the server has it.
    page.reload()
    expect(page.locator("#id_letter")).to_have_value("")


def test_the_limit_after_log_in_is_told_once_and_cannot_be_renewed(page, settings):
    settings.SESSION_COOKIE_AGE = 3600  # the warning comes 2 minutes before the end
    settings.SESSION_ABSOLUTE_SECONDS = 100  # which is sooner than the idle limit
    adept = UserFactory(email="ada@example.org", language="en")
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(adept.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    dialog = page.locator("#session-timeout")
    expect(dialog).to_be_visible(timeout=5_000)
    expect(dialog.get_by_text("For your security a log-in lasts at most")).to_be_visible()
    expect(dialog.get_by_role("button", name="Stay logged in")).to_be_hidden()
    assert page.evaluate("document.activeElement.hasAttribute('data-dismiss')")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(2_000)  # the next ticks leave it closed
    expect(dialog).to_be_hidden()
