"""A program year, start to end, in Chromium against the app with PostgreSQL, a Redis broker
of its own and a real Celery worker that sends the e-mails.

Time: the web app, the worker and the sweeps all run on the real clock. To move through the
year, the test moves the program's calendar back (its dates, milestones, pairs and meetings),
which is the same to every part of the app as the clock moving forward. The sweeps run on the
worker, as beat would start them.

With SCREENSHOTS=<folder> set (`make screenshots`), each step saves a PNG there.
"""

import datetime
import json
import os
import re
import time
from pathlib import Path

import pytest
from django.db.models import F
from django.utils import timezone, translation
from playwright.sync_api import expect

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from e2e.helpers import choose_language, current_code, log_in
from e2e.test_keyboard import date_order, type_parts
from evaluations.models import Response, Survey
from matching.models import Match
from meetings.models import Meeting
from mentorship.celery import app as celery_app
from mentorship.tests.workers import start_worker
from notifications.models import Notification
from notifications.tests.conftest import redis_server  # noqa: F401  (a broker of our own)
from programs.models import Application, FocusArea, Milestone, Organization, Program, Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FILE_BACKEND = "notifications.tests.backends.SlowFileBackend"
DAY = datetime.timedelta(days=1)
SHOTS = os.environ.get("SCREENSHOTS")
OPEN_CONTEXTS = []


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def said(language, text):
    with translation.override(language):
        return translation.gettext(text)


class Mailbox:
    """What the worker's mail server accepted: one (to, subject) line per message."""

    def __init__(self, path: Path):
        self.path = path

    def lines(self):
        if not self.path.exists():
            return []
        return [tuple(line.split("\t", 1)) for line in self.path.read_text().splitlines()]

    def to(self, email):
        return [subject for to, subject in self.lines() if to == email]

    def bodies(self, email):
        whole = Path(f"{self.path}.json")
        if not whole.exists():
            return []
        messages = [json.loads(line) for line in whole.read_text().splitlines()]
        return [m["body"] for m in messages if m["to"] == email]

    def wait(self, done, what, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if done():
                return
            time.sleep(0.25)
        pending = list(Notification.objects.exclude(status="sent").values("kind", "status"))
        raise AssertionError(f"{what}: not delivered; unsent {pending}; got {self.lines()}")


def expected_subject(kind, user, **filters):
    from notifications.emails import render_notification

    notification = Notification.objects.filter(kind=kind, recipient=user, **filters).latest("pk")
    return render_notification(notification).subject


def advance(program, days):
    """The year moves on: the program's calendar moves back by `days`."""
    shift = datetime.timedelta(days=days)
    Program.objects.filter(pk=program.pk).update(
        applications_open_at=F("applications_open_at") - shift,
        applications_close_at=F("applications_close_at") - shift,
        starts_on=F("starts_on") - shift,
        ends_on=F("ends_on") - shift,
    )
    Milestone.objects.filter(program=program).update(starts_at=F("starts_at") - shift)
    Milestone.objects.filter(program=program, ends_at__isnull=False).update(
        ends_at=F("ends_at") - shift
    )
    Match.objects.filter(program=program, published_at__isnull=False).update(
        published_at=F("published_at") - shift
    )
    Meeting.objects.filter(match__program=program).update(starts_at=F("starts_at") - shift)
    Survey.objects.filter(program=program).update(
        opens_at=F("opens_at") - shift, closes_at=F("closes_at") - shift
    )
    Notification.objects.filter(program=program).update(created_at=F("created_at") - shift)


def wait_until(done, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: did not happen")
        time.sleep(0.2)


def sweep():
    """What beat starts every hour, run by the worker."""
    celery_app.send_task("notifications.tasks.plan_notifications")


def sign_up(browser, live_server, language, name, email, mailbox):
    """A new person signs up in the language they chose and confirms from the e-mail."""
    context = browser.new_context(base_url=live_server.url, locale="sv-SE")
    context.set_default_timeout(15_000)
    OPEN_CONTEXTS.append(context)
    page = context.new_page()
    page.goto("/")
    if language != "sv":
        choose_language(page, {"en": "English", "da": "Dansk"}[language])
    page.goto("/accounts/signup/")
    page.locator("#id_full_name").fill(name)
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("form[action$='/accounts/signup/'] button[type=submit]").click()
    # allauth's e-mail goes through the outbox: the worker sends it.
    mailbox.wait(lambda: mailbox.bodies(email), f"the confirmation to {email}")
    body = mailbox.bodies(email)[-1]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body).group(0)
    page.goto(link)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("form[action$='/accounts/logout/']")).to_have_count(1)
    user = User.objects.get(email=email)
    assert user.language == language
    return page, user


def apply(page, program, role, *, organization, since, capacity=None, area=None, text):
    page.goto(f"/programs/{program.slug}/apply/{role}/")
    page.locator("#id_organization").select_option(label=organization)
    # The same team name in every university: only the chosen one's is offered.
    team = Unit.objects.get(organization__name=organization, name="Ledningsgruppen")
    page.locator("#id_unit").select_option(value=str(team.pk))
    page.locator("#id_job_title").fill("Prefekt" if role == "mentor" else "Enhetschef")
    page.locator("#id_manager_since").fill(since.isoformat())
    page.locator("#id_direct_reports").fill("8")
    if area is not None:
        page.locator(f"input[name=focus_areas][value='{area.pk}']").check()
    page.locator("input[name=meeting_format][value=either]").check()
    page.locator("input[name=languages][value=sv]").check()
    if capacity:
        page.locator("#id_mentor_capacity").fill(str(capacity))
    page.locator("#id_letter").fill(text)
    page.locator("#id_consent_processing").check()
    page.locator("button[name=submit]").click()


def test_a_program_year(browser, live_server, page, redis_server, tmp_path):  # noqa: F811
    today = timezone.localdate()
    mailbox = Mailbox(tmp_path / "mail.log")
    worker = start_worker(
        redis_server.url,
        "celery",
        DJANGO_EMAIL_BACKEND=FILE_BACKEND,
        TEST_MAIL_LOG=str(mailbox.path),
    )
    try:
        _year(browser, live_server, page, today, mailbox)
    except Exception:
        shot(page, "failed")  # the coordinator's screen when a step failed
        raise
    finally:
        for context in OPEN_CONTEXTS:
            context.close()
        OPEN_CONTEXTS.clear()
        worker.terminate()
        worker.communicate(timeout=30)


def _year(browser, live_server, page, today, mailbox):
    # --- 1. The coordinator sets up the program in the admin and opens it -------------------
    coordinator = UserFactory(email="karin@example.org", full_name="Karin Koordinator",
                              is_staff=True)  # fmt: skip
    for name in ("Lunds universitet", "Malmö universitet", "Högskolan Kristianstad"):
        Unit.objects.create(
            organization=Organization.objects.create(name=name), name="Ledningsgruppen"
        )
    change = FocusArea.objects.create(
        code="change", name_sv="Leda förändring", name_en="Leading change",
        name_da="At lede forandring",
    )  # fmt: skip
    budget = FocusArea.objects.create(
        code="budget", name_sv="Budget och ekonomi", name_en="Budget", name_da="Budget og økonomi"
    )
    log_in(page, coordinator.email, current_code)
    choose_language(page, "English")
    page.goto("/admin/programs/program/add/")
    page.locator("#id_name").fill("Mentorprogram för chefer i Skåne")
    page.locator("#id_status").select_option("open")
    page.locator("#id_summary").fill("Nya chefer får en erfaren mentor från ett annat lärosäte.")
    page.locator("#id_description").fill("Paren träffas en gång i månaden under ett år.")
    page.locator("#id_audience").fill("Chefer med personalansvar.")
    page.locator("#id_owner").select_option(label="Lunds universitet")
    for name in ["Lunds universitet", "Malmö universitet", "Högskolan Kristianstad"]:
        page.locator("#id_organizations").get_by_label(name, exact=True).check()
    for name in ["Leading change", "Budget"]:
        page.locator("#id_focus_areas").get_by_label(name, exact=True).check()
    page.locator("#id_applications_open_at").fill(f"{today - DAY}T08:00")
    page.locator("#id_applications_close_at").fill(f"{today + 7 * DAY}T23:59")
    page.locator("#id_starts_on").fill((today + 14 * DAY).isoformat())
    page.locator("#id_ends_on").fill((today + 310 * DAY).isoformat())
    page.locator("#id_adept_places").fill("2")
    page.locator("#id_adept_min_manager_months").fill("6")
    page.locator("#id_mentor_min_manager_months").fill("36")
    page.locator("#id_pairing_rule").select_option("different_organization")
    page.locator("#id_reminder_day").fill("1")
    page.locator("fieldset", has_text="Matching weights").locator("summary").click()
    page.locator("#id_matching_min_score").fill("10")
    milestones = [
        ("kick_off", "Uppstart", today + 21 * DAY),
        ("half_time", "Halvtidsseminarium", today + 150 * DAY),
        ("closing", "Avslutning", today + 290 * DAY),
    ]
    for index, (kind, title, day) in enumerate(milestones):
        page.locator("#milestones-group .add-row a").click()
        page.locator(f"#id_milestones-{index}-kind").select_option(kind)
        page.locator(f"#id_milestones-{index}-title_sv").fill(title)
        page.locator(f"#id_milestones-{index}-starts_at").fill(f"{day}T10:00")
        page.locator(f"#id_milestones-{index}-location").fill("Lund")
    shot(page, "01-coordinator-creates-the-program")
    page.locator("input[name=_save]").click()
    expect(page.get_by_text(re.compile("was added successfully"))).to_be_visible()
    program = Program.objects.get(name="Mentorprogram för chefer i Skåne")
    assert program.status == Program.Status.OPEN
    assert program.milestones.count() == 3
    assert list(program.coordinators.all()) == [coordinator]
    page.goto("/")
    expect(page.get_by_role("link", name="Mentorprogram för chefer i Skåne")).to_be_visible()

    # --- 2. Four people sign up and apply; an ineligible applicant is refused ---------------
    people = {}
    for key, language, name, email in (
        ("adept_sv", "sv", "Alva Andersson", "alva@example.org"),
        ("adept_en", "en", "Ben Brown", "ben@example.org"),
        ("mentor_da", "da", "Dorte Dahl", "dorte@example.org"),
        ("mentor_sv", "sv", "Sven Svensson", "sven@example.org"),
    ):
        people[key] = sign_up(browser, live_server, language, name, email, mailbox)
    start = program.starts_on
    # Alva can only have Dorte (Sven is from her university); Ben's needs fit Sven best, and
    # Dorte has room for a second adept.
    applications = [
        ("adept_sv", "adept", "Lunds universitet", start - 400 * DAY, None, change),
        ("adept_en", "adept", "Malmö universitet", start - 800 * DAY, None, budget),
        ("mentor_da", "mentor", "Högskolan Kristianstad", start - 3000 * DAY, 2, change),
        ("mentor_sv", "mentor", "Lunds universitet", start - 4000 * DAY, 1, budget),
    ]
    submitted = (
        "Your application has been submitted and we have sent you a confirmation by e-mail. "
        "You can change it until the deadline."
    )
    letter = "Jag vill utvecklas som chef tillsammans med någon utanför mitt lärosäte."
    for key, role, organization, since, capacity, area in applications:
        tab, user = people[key]
        apply(tab, program, role, organization=organization, since=since, capacity=capacity,
              area=area, text=letter)  # fmt: skip
        expect(tab.get_by_text(said(user.language, submitted))).to_be_visible()
    shot(people["mentor_da"][0], "02-a-mentor-applies-in-danish")

    newcomer_tab, newcomer = sign_up(
        browser, live_server, "sv", "Nils Ny", "nils@example.org", mailbox
    )
    apply(newcomer_tab, program, "adept", organization="Lunds universitet", since=start - 60 * DAY,
          area=change, text="Jag är ny som chef.")  # fmt: skip
    expect(newcomer_tab.get_by_text(re.compile("Adepter behöver minst 6 månader"))).to_be_visible()
    shot(newcomer_tab, "02-an-ineligible-applicant-is-refused")
    assert not Application.objects.filter(applicant=newcomer, status="submitted").exists()
    # What was typed is still there to correct.
    expect(newcomer_tab.locator("#id_letter")).to_have_value("Jag är ny som chef.")
    mailbox.wait(lambda: len(mailbox.lines()) >= 4, "application receipts")

    # --- 3. Selection: accept, match, read the explanations, publish ------------------------
    page.goto(
        f"/admin/programs/application/?program__id__exact={program.pk}&status__exact=submitted"
    )
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("accept")
    page.locator("button[name=index]").click()
    expect(page.get_by_text(re.compile("accepted"))).to_be_visible()
    assert Application.objects.filter(program=program, status="accepted").count() == 4
    page.goto(f"/manage/programs/{program.slug}/matching/")
    page.get_by_role("button", name="Run matching").click()
    expect(page.get_by_text("Matching is done")).to_be_visible()
    rows = page.locator("table").first.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first.get_by_text("Needs met by strengths")).to_be_visible()
    shot(page, "03-the-coordinator-reads-the-explanations")
    page.get_by_label("I have checked the").check()
    page.get_by_role("button", name="Publish the proposed pairs").click()
    expect(page.get_by_text(re.compile("pairs published"))).to_be_visible()
    users = {key: user for key, (_tab, user) in people.items()}

    def arrived(kind, recipients):
        """Each recipient's mail holds this kind's e-mail, with the subject in their language."""
        return all(
            Notification.objects.filter(kind=kind, recipient=u).exists()
            and expected_subject(kind, u) in mailbox.to(u.email)
            for u in recipients
        )

    mailbox.wait(lambda: arrived("introduction", users.values()), "introductions")
    # Each finds the introduction in their own language.
    subjects = {key: expected_subject("introduction", u) for key, u in users.items()}
    assert subjects["mentor_da"] != subjects["adept_en"] != subjects["adept_sv"]
    assert "mentor" in subjects["adept_en"].lower() or "match" in subjects["adept_en"].lower()

    # --- 4. The year starts: goals, meetings, the monthly reminder and the notices ----------
    advance(program, 20)  # kick-off tomorrow; the program started six days ago
    # The deadline has passed and the program's first day has come: beat's sweep closes the
    # window and starts the year by itself, and the coordinator's list says so.
    celery_app.send_task("programs.tasks.close_application_windows")
    wait_until(lambda: Program.objects.get(pk=program.pk).status == "running", "year started")
    page.goto(f"/admin/programs/program/{program.pk}/change/")
    expect(page.locator("#id_status")).to_have_value("running")
    sweep()
    mailbox.wait(lambda: arrived("milestone", users.values()), "kick-off notices")
    mailbox.wait(lambda: arrived("monthly_reminder", users.values()), "monthly reminders")
    danish = users["mentor_da"]
    assert expected_subject("milestone", danish) in mailbox.to(danish.email)

    match = Match.objects.get(adept__applicant=users["adept_sv"], status="published")
    adept_tab = people["adept_sv"][0]
    adept_tab.goto(f"/mentorship/{match.pk}/")
    adept_tab.locator("#id_goal-title").fill("Leda förändring i min grupp")
    adept_tab.locator("form button[type=submit]", has_text=said("sv", "Add goal")).click()
    expect(adept_tab.get_by_role("heading", name="Leda förändring i min grupp")).to_be_visible()
    mentor_user = match.mentor.applicant
    mentor_tab = next(tab for tab, u in people.values() if u == mentor_user)
    mentor_tab.goto(f"/mentorship/{match.pk}/meetings/new/")
    yesterday = timezone.localdate() - DAY
    mentor_tab.locator("#id_starts_at").click()
    order = date_order(mentor_tab)
    type_parts(mentor_tab, [yesterday.strftime(f) for f in order] + ["10", "00", "A"])
    mentor_tab.locator("#id_location").fill("Lund")
    mentor_tab.locator("#id_agenda").fill("Första mötet")
    mentor_tab.locator("button[value=plan]").click()
    meeting = Meeting.objects.get(match=match)
    mentor_tab.goto(f"/meetings/{meeting.pk}/")
    mentor_tab.locator("#id_notes").fill("Vi pratade om förändringsledning.")
    mentor_tab.locator("button[value=held]").click()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    # The adept reads the mentor's notes; the pair's page counts the meeting.
    adept_tab.goto(f"/meetings/{meeting.pk}/")
    expect(adept_tab.locator("#id_notes")).to_have_value("Vi pratade om förändringsledning.")
    adept_tab.goto(f"/mentorship/{match.pk}/")
    expect(adept_tab.locator("#progress-heading + p")).to_contain_text("1")
    shot(adept_tab, "04-the-pairs-page-with-goals-and-meetings")

    # --- 5. Half-time: notices, the evaluation, the dashboard, a new match --------------------
    advance(program, 128)  # the half-time seminar is in two days
    sweep()
    mailbox.wait(lambda: arrived("goal_review", users.values()), "half-time notices")
    page.goto("/admin/evaluations/survey/add/")
    half_time = program.milestones.get(kind="half_time")
    page.locator("#id_milestone").select_option(str(half_time.pk))
    page.locator("#id_phase").select_option("half_time")
    now = timezone.localtime()
    page.locator("#id_opens_at").fill(f"{now.date()}T00:00")
    page.locator("#id_closes_at").fill(f"{(now + 14 * DAY).date()}T23:59")
    page.locator("input[name=_save]").click()
    expect(page.get_by_text(re.compile("was added successfully"))).to_be_visible()
    survey = Survey.objects.get(program=program)
    assert survey.questions.count() == 7
    sweep()
    mailbox.wait(lambda: arrived("evaluation_invitation", users.values()), "invitations")
    for key in ("adept_sv", "mentor_da", "adept_en"):
        tab, user = people[key]
        tab.goto(f"/evaluations/{survey.pk}/")
        for question in survey.questions.filter(kind="scale"):
            tab.locator(f"input[name=q{question.pk}][value='4']").check()
        tab.locator("button[value=send]").click()
        expect(
            tab.get_by_text(said(user.language, "Thank you: your answers are sent."))
        ).to_be_visible()
    shot(people["mentor_da"][0], "05-a-mentor-has-answered-the-half-time-evaluation")
    assert Response.objects.filter(survey=survey, submitted_at__isnull=False).count() == 3

    page.goto(f"/manage/programs/{program.slug}/dashboard/")
    expect(page.get_by_role("heading", name=re.compile("Dashboard"))).to_be_visible()
    funnel = page.locator("table").first
    expect(funnel.locator("tr", has_text="Applications")).to_contain_text("2")
    expect(funnel.locator("tr", has_text="Pairs meeting")).to_contain_text("1 pair of 2")
    expect(page.get_by_text("2 pairs have held no meeting for 45 days.")).to_be_visible()
    expect(page.get_by_text("2 of 2 (100%)").first).to_be_visible()  # adepts
    expect(page.get_by_text("3 of 4 (75%)")).to_be_visible()
    shot(page, "05-the-dashboard-at-half-time")

    # The English adept asks for a new match and gets one.
    ben_tab, ben = people["adept_en"]
    old = Match.objects.get(adept__applicant=ben, status="published")
    ben_tab.goto(f"/mentorship/{old.pk}/")
    ben_tab.get_by_role("link", name="Ask for a new match").click()
    ben_tab.locator("#id_reason").fill("We do not find time to meet.")
    ben_tab.get_by_role("button", name="Send to the coordinators").click()
    page.goto(f"/manage/programs/{program.slug}/matching/")
    row = page.locator("tr", has_text="We do not find time to meet.")
    row.locator("input[name=reason]").fill("Asked for a new match")
    row.get_by_role("button", name="End match").click()
    page.get_by_role("button", name=re.compile("Run matching")).click()
    expect(page.get_by_text("Matching is done")).to_be_visible()
    page.get_by_label("I have checked the").check()
    page.get_by_role("button", name="Publish the proposed pairs").click()
    new = Match.objects.get(adept__applicant=ben, status="published")
    assert new.mentor_id != old.mentor_id
    mailbox.wait(
        lambda: mailbox.to(ben.email).count(expected_subject("introduction", ben)) == 2,
        "the new introduction",
    )

    # --- 6. Closing: the notice, the program closed, the pairs completed ---------------------
    advance(program, 140)  # the closing seminar is in two days
    sweep()
    closing = program.milestones.get(kind="closing")
    mailbox.wait(
        lambda: all(
            Notification.objects.filter(
                recipient=u, kind="milestone", context__milestone=closing.pk, status="sent"
            ).exists()
            for u in users.values()
        ),
        "closing notices",
    )
    page.goto(f"/admin/programs/program/{program.pk}/change/")
    page.locator("#id_status").select_option("closed")
    page.locator("input[name=_save]").click()
    expect(page.get_by_text(re.compile("pairs have completed it"))).to_be_visible()
    assert not Match.objects.filter(program=program, status="published").exists()
    assert Match.objects.filter(program=program, status="completed").count() == 2
    adept_tab.goto(f"/mentorship/{match.pk}/")
    expect(
        adept_tab.get_by_text(
            said("sv", "This mentorship has ended. You can read the log, but not change it.")
        )
    ).to_be_visible()
    shot(adept_tab, "06-the-year-is-over")
    assert Notification.objects.filter(status="failed").count() == 0
