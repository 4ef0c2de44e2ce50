"""The application form and the meeting form, filled and sent with the keyboard alone: every
stop on the way shows where the focus is."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from matching.models import Match
from meetings.models import Meeting
from programs.models import Application, Role
from programs.tests.factories import ApplicationFactory, ProgramFactory, unit_named

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Whether the focused element shows it: an outline or a focus shadow.
FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  return outline || shadow;
}"""


def tab_to(page, selector, limit=80):
    """Press Tab until the element matching selector has the focus; every element passed on
    the way must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        visible = page.evaluate(FOCUS_VISIBLE)
        label = page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
        assert visible, f"no visible focus on {label}"
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached with Tab")


def type_parts(page, parts):
    """Type a date or time part by part. Two-digit parts move on by themselves; a year could
    take up to six digits, so the right arrow moves on from it."""
    for part in parts:
        page.keyboard.type(part)
        if len(part) == 4:
            page.keyboard.press("ArrowRight")


def date_order(page) -> tuple[str, ...]:
    """The browser orders a date field's parts by its own locale (Chromium here shows
    month/day/year whatever the page's language): find out on a scratch field."""
    probe = page.context.new_page()
    try:
        for order in (("%m", "%d", "%Y"), ("%d", "%m", "%Y"), ("%Y", "%m", "%d")):
            probe.set_content('<input type="date" id="d">')
            probe.locator("#d").focus()
            type_parts(probe, [datetime.date(2003, 11, 22).strftime(f) for f in order])
            if probe.evaluate("document.getElementById('d').value") == "2003-11-22":
                return order
    finally:
        probe.close()
    raise AssertionError("no typing order gives a date in this browser")


def log_in_by_keyboard(page, email):
    # Without transitions the focus style is there the moment the focus is (Bootstrap
    # honours the setting).
    page.emulate_media(reduced_motion="reduce")
    page.goto("/accounts/login/")
    tab_to(page, "#id_login")
    page.keyboard.type(email)
    tab_to(page, "#id_password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="My applications")).to_be_visible()


def test_the_application_form_by_keyboard(page):
    program = ProgramFactory(slug="tangentbord")
    unit_named(program.owner, "Grundskola Norr")
    person = UserFactory(email="kim@example.org")
    log_in_by_keyboard(page, person.email)
    page.goto(f"/programs/{program.slug}/apply/adept/")
    organization = program.organizations.order_by("name").first()

    tab_to(page, "#id_organization")
    page.keyboard.press("ArrowDown")
    tab_to(page, "#id_unit")
    page.keyboard.type("Grundskola Norr")
    tab_to(page, "#id_job_title")
    page.keyboard.type("Rektor")
    tab_to(page, "#id_manager_since")
    since = program.starts_on - datetime.timedelta(days=3 * 365)
    type_parts(page, [since.strftime(f) for f in date_order(page)])
    tab_to(page, "#id_direct_reports")
    page.keyboard.type("14")
    tab_to(page, "input[name=meeting_format]")
    page.keyboard.press("ArrowDown")  # radios: the arrow keys move and choose
    tab_to(page, "#id_letter")
    page.keyboard.type("Jag vill bli en tryggare ledare.")
    tab_to(page, "#id_consent_processing")
    page.keyboard.press("Space")
    tab_to(page, "button[name=submit]")
    page.keyboard.press("Enter")

    expect(page.get_by_text("Your application has been submitted")).to_be_visible()
    application = Application.objects.get(applicant=person)
    assert application.status == Application.Status.SUBMITTED
    assert application.organization == organization
    assert (application.unit.name, application.job_title) == ("Grundskola Norr", "Rektor")
    assert application.manager_since == since
    assert application.direct_reports == 14
    assert application.meeting_format != ""
    assert application.consent_processing_at is not None


def test_the_meeting_form_by_keyboard(page):
    program = ProgramFactory(
        slug="moten",
        starts_on=timezone.localdate() - datetime.timedelta(days=30),
        ends_on=timezone.localdate() + datetime.timedelta(days=300),
    )
    adept = UserFactory(email="ada@example.org")
    match = Match.objects.create(
        program=program,
        adept=ApplicationFactory(program=program, applicant=adept, status="accepted"),
        mentor=ApplicationFactory(program=program, role=Role.MENTOR, status="accepted"),
        status=Match.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    log_in_by_keyboard(page, adept.email)
    page.goto(f"/mentorship/{match.pk}/")
    tab_to(page, f"a[href='/mentorship/{match.pk}/meetings/new/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Plan a meeting", level=1)).to_be_visible()

    when = timezone.localdate() + datetime.timedelta(days=5)
    tab_to(page, "#id_starts_at")
    # Half past ten in the morning ("A" picks AM where the browser shows a 12-hour clock).
    type_parts(page, [when.strftime(f) for f in date_order(page)] + ["10", "30", "A"])
    tab_to(page, "#id_duration_minutes")
    page.keyboard.press("Control+A")
    page.keyboard.type("120")
    tab_to(page, "input[name=meeting_format]")
    page.keyboard.press("ArrowDown")
    tab_to(page, "#id_location")
    page.keyboard.type("https://meet.example.org/ada")
    tab_to(page, "#id_agenda")
    page.keyboard.type("Hur delegerar jag mer?")
    tab_to(page, "button[value=plan]")
    page.keyboard.press("Enter")

    expect(
        page.get_by_text(re.compile("The meeting is planned|has been planned|saved"))
    ).to_be_visible()
    meeting = Meeting.objects.get(match=match)
    local = timezone.localtime(meeting.starts_at)
    assert (local.date(), local.hour, local.minute) == (when, 10, 30)
    assert meeting.duration_minutes == 120
    assert meeting.meeting_format == Meeting.Format.DIGITAL
    assert meeting.agenda == "Hur delegerar jag mer?"
