"""A coordinator matches a program in one click, adjusts, and publishes."""

import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.management import call_command
from playwright.sync_api import expect

from matching.models import Match
from programs.models import Program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def current_code(email):
    """What the coordinator's authenticator app shows now; near the end of its 30 seconds,
    the next one, so that the code is still valid when the server checks it."""
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 3:
        time.sleep(left + 0.1)
    secret = Authenticator.objects.get(user__email=email, type="totp").data["secret"]
    counter = next(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counter))


def test_the_coordinator_matches_the_demo_program_and_publishes(page, assert_accessible):
    call_command("seed_demo", stdout=None)
    program = Program.objects.get(slug__startswith="mentorprogram-larosaten")
    page.goto("/accounts/login/")
    page.locator("#id_login").fill("coordinator@example.org")
    page.locator("#id_password").fill("demo-password-2026")
    page.locator("#id_password").press("Enter")
    # Staff log in with a second factor: the code from their authenticator app.
    page.locator("#id_code").fill(current_code("coordinator@example.org"))
    page.locator("#id_code").press("Enter")
    expect(page.get_by_role("link", name="Administration")).to_be_visible()
    page.get_by_role("button", name="English").click()
    # Back in English before going on, so the next page load does not race the switch.
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")

    page.goto(f"/manage/programs/{program.slug}/matching/")
    assert_accessible(page)
    page.get_by_role("button", name="Run matching").click()
    expect(page.get_by_text("Matching is done")).to_be_visible()
    assert_accessible(page)
    rows = page.locator("table").first.locator("tbody tr")
    assert rows.count() == Match.objects.filter(program=program).count() > 0
    expect(rows.first.get_by_text("Needs met by strengths")).to_be_visible()

    rows.first.get_by_role("button", name="Lock").click()
    expect(page.get_by_text("The pair is locked.")).to_be_visible()
    # Publishing asks for a confirmation first: without it nothing is sent.
    page.get_by_role("button", name="Publish the proposed pairs").click()
    expect(page.get_by_text("Nothing was published")).to_be_visible()
    assert Match.objects.filter(program=program, status="proposed").exists()
    page.get_by_label("I have checked the").check()
    page.get_by_role("button", name="Publish the proposed pairs").click()
    expect(page.get_by_text("pairs published; everyone gets an introduction")).to_be_visible()
    assert_accessible(page)
    assert not Match.objects.filter(program=program, status="proposed").exists()


def test_a_run_in_progress_shows_its_end_without_moving_the_readers_focus(page):
    """No reload while it runs: the bar moves, a polite status says when it is over, and the
    element the coordinator was on keeps the focus."""
    from accounts.tests.factories import UserFactory
    from e2e.helpers import log_in
    from matching.models import MatchingRun
    from programs.tests.factories import ProgramFactory

    coordinator = UserFactory(is_staff=True)
    program = ProgramFactory(slug="pagar")
    program.coordinators.add(coordinator)
    run = MatchingRun.objects.create(
        program=program, created_by=coordinator, status="running", progress=30
    )
    log_in(page, coordinator.email, current_code)
    page.goto(f"/manage/programs/{program.slug}/matching/")
    page.evaluate("window.stayed = true")  # gone if the page reloads
    page.locator("#run-progress-link").focus()
    MatchingRun.objects.filter(pk=run.pk).update(progress=70)
    expect(page.locator("[role=progressbar]")).to_have_attribute("aria-valuenow", "70")
    MatchingRun.objects.filter(pk=run.pk).update(status="done", progress=100)
    expect(page.locator("#run-progress-status")).not_to_be_empty()
    assert page.evaluate("window.stayed") is True
    assert page.evaluate("document.activeElement.id") == "run-progress-link"
