"""Seed 004 with its line managers, in Danish, end to end (issue 18): the department's
coordinator sets the program up in the admin; a new leader applies and names her nærmeste
leder, who supports her from the e-mail on his phone, is asked about the proposed mentor, gets
the planning meeting the mentor books and the evaluation meeting, each with a calendar file,
and follows them on his own page; never a word of what the pair writes."""

import datetime
import re
from collections import defaultdict

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from e2e.helpers import current_code, log_in, log_in_with_code
from matching.models import Match, MatchConsultation
from meetings.models import Meeting
from notifications.services import notifications_deliver
from programs.models import Application, LineManagerMeeting, LineManagerSupport, Program, Role
from programs.services import applications_decide
from programs.tests.factories import (
    ApplicationFactory,
    FocusAreaFactory,
    MilestoneFactory,
    OrganizationFactory,
    ProgramFactory,
    unit_named,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARKER = "FORTROLIGT-4410"
PHONE = {"width": 320, "height": 800}


def delivered() -> dict[str, list[str]]:
    """Send what the outbox holds; each person's subjects so far, in order."""
    notifications_deliver()
    got = defaultdict(list)
    for message in mail.outbox:
        for to in message.to:
            got[to].append(message.subject)
    return got


def link_in(email: str, path: str, live_server) -> str:
    (message,) = [m for m in mail.outbox if m.to == [email] and path in m.body][-1:]
    url = re.search(rf"http://\S+{path}\S*", message.body).group()
    return url.replace("http://127.0.0.1:8000", live_server.url)


def local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_seed_004_with_its_line_manager_from_the_application_to_the_evaluation(
    page, browser, live_server, assert_accessible
):
    today = timezone.localdate()
    aarhus = OrganizationFactory(name="Aarhus Kommune")
    school = unit_named(aarhus, "Skole og dagtilbud Syd")
    other_unit = unit_named(aarhus, "Skole og dagtilbud Nord")
    program = ProgramFactory(
        name="Mentorordning for nye ledere",
        text_language="da",
        organizations=[aarhus],
        pairing_rule=Program.PairingRule.DIFFERENT_UNIT,
        starts_on=today + datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=395),
        matching_min_score=0,
    )
    program.focus_areas.set([FocusAreaFactory(name_da="Personaleledelse")])
    kick_off = MilestoneFactory(
        program=program, kind="kick_off",
        starts_at=timezone.now() + datetime.timedelta(days=30),
        line_manager_meeting=LineManagerMeeting.PLANNING,
    )  # fmt: skip
    coordinator = UserFactory(
        email="hr@aarhus.example", full_name="Hanne HR", is_staff=True, language="da"
    )
    program.coordinators.add(coordinator)
    mentee = UserFactory(email="sofie@aarhus.example", full_name="Sofie Mentee", language="da")
    mentor = ApplicationFactory(
        program=program, role=Role.MENTOR, organization=aarhus, unit=other_unit,
        applicant=UserFactory(email="mads@aarhus.example", full_name="Mads Mentor",
                              language="da"),
        job_title="Skoleleder", status=Application.Status.ACCEPTED,
    )  # fmt: skip
    mentor.focus_areas.set(program.focus_areas.all())

    # 1. The coordinator sets the program up in the admin: support asked, a say in the match.
    # (Her own browser, logged in once: a second factor's code works once.)
    hr = browser.new_context(base_url=live_server.url, locale="da-DK").new_page()
    log_in(hr, coordinator.email, current_code)
    hr.goto(f"/admin/programs/program/{program.pk}/change/")
    hr.get_by_label("mentees’ nærmeste ledere").select_option("support")
    hr.get_by_label("nærmeste ledere har indflydelse på matchet").check()
    expect(hr.get_by_label("mentoren booker planlægningsmødet")).to_be_checked()
    assert_accessible(hr)
    hr.locator("input[name=_continue]").click()
    expect(hr.locator(".messagelist .success")).to_be_visible()
    program.refresh_from_db()
    assert program.line_managers == Program.LineManagers.SUPPORT and program.line_manager_say

    # 2. Sofie applies and names her nærmeste leder.
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(mentee.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.goto(f"/programs/{program.slug}/apply/adept/")
    page.locator("#id_organization").select_option(label="Aarhus Kommune")
    page.locator("#id_unit").select_option(label="Skole og dagtilbud Syd")
    page.locator("#id_job_title").fill("Afdelingsleder")
    page.locator("#id_manager_since").fill((today - datetime.timedelta(days=200)).isoformat())
    page.locator("#id_direct_reports").fill("9")
    page.get_by_label("Personaleledelse").check()
    page.locator("#id_letter").fill(f"{MARKER} Jeg er ny leder.")
    page.locator("#id_line_manager_name").fill("Henrik Skolechef")
    page.locator("#id_line_manager_email").fill("henrik@aarhus.example")
    page.locator("#id_consent_processing").check()
    page.locator("button[name=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    application = Application.objects.get(applicant=mentee)
    assert application.unit == school

    # 3. Henrik supports her from the e-mail, on his phone, without logging in.
    mails = delivered()
    assert mails["henrik@aarhus.example"] == [
        "Sofie Mentee beder om din støtte: Mentorordning for nye ledere"
    ]
    phone = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="da-DK")
    tab = phone.new_page()
    tab.goto(link_in("henrik@aarhus.example", "/line-manager/", live_server))
    expect(tab.locator("main")).not_to_contain_text(MARKER)
    tab.get_by_label("Jeg støtter ansøgningen", exact=True).check()
    tab.get_by_role("button", name="Send mit svar").click()
    expect(tab.locator(".alert-success")).to_be_visible()
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(tab)
    assert LineManagerSupport.objects.get().answer == LineManagerSupport.Answer.SUPPORTED

    # 4. Accepted; the coordinator runs the matching and asks the line managers.
    applications_decide(
        applications=Application.objects.filter(pk=application.pk), decision="accepted",
        by=coordinator,
    )  # fmt: skip
    hr.goto(f"/manage/programs/{program.slug}/matching/")
    hr.get_by_role("button", name="Kør matchning").click()
    expect(hr.get_by_text("Matchningen er færdig")).to_be_visible()
    hr.get_by_label("Nærmeste ledere svarer senest").fill(
        (today + datetime.timedelta(days=5)).isoformat()
    )
    hr.get_by_role("button", name="Spørg de nærmeste ledere på e-mail").click()
    expect(hr.locator(".alert-success")).to_contain_text("1 nærmeste leder er blevet spurgt")
    assert_accessible(hr)
    # Publishing waits for his answer (or the date).
    hr.get_by_label("Jeg har gennemgået parret").check()
    hr.get_by_role("button", name="Offentliggør de foreslåede par").click()
    expect(hr.locator(".alert-danger")).to_contain_text("kan stadig svare")

    # 5. Henrik sees the proposed mentor (never a letter) and agrees.
    delivered()
    tab.goto(link_in("henrik@aarhus.example", "/line-manager/proposal/", live_server))
    expect(tab.locator("main")).to_contain_text("Mads Mentor")
    expect(tab.locator("main")).to_contain_text("Skoleleder")
    expect(tab.locator("main")).not_to_contain_text(MARKER)
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(tab)
    tab.get_by_label("Jeg ser ingen grund imod matchet").check()
    tab.get_by_role("button", name="Send mit svar").click()
    expect(tab.locator(".alert-success")).to_be_visible()
    assert MatchConsultation.objects.get().answer == "agreed"

    hr.reload()
    expect(hr.locator("main")).to_contain_text("Nærmeste leder: er enig")
    hr.get_by_label("Jeg har gennemgået parret").check()
    hr.get_by_role("button", name="Offentliggør de foreslåede par").click()
    expect(hr.locator(".alert-success")).to_contain_text("1 par offentliggjort")
    match = Match.objects.get(status=Match.Status.PUBLISHED)

    # 6. Mads books the planning meeting before the start; Henrik is invited with an .ics.
    page.context.clear_cookies()
    log_in(page, "mads@aarhus.example")
    page.goto(f"/mentorship/{match.pk}/meetings/new/")
    page.get_by_label("Planlægningsmøde med nærmeste leder").check()
    page.get_by_label("Dato og tid").fill(
        local(timezone.now().replace(hour=9, minute=0) + datetime.timedelta(days=14))
    )
    page.locator("#id_location").fill("Rådhuset, lokale 4")
    page.locator("#id_agenda").fill(f"{MARKER} forventninger")
    assert_accessible(page)
    page.get_by_role("button", name="Planlæg møde").click()
    expect(page.locator(".alert-success")).to_be_visible()
    mails = delivered()
    (invitation,) = [m for m in mail.outbox if m.to == ["henrik@aarhus.example"]][-1:]
    assert invitation.subject.startswith("Invitation: Planlægningsmøde med nærmeste leder")
    assert invitation.attachments[0][0] == "meeting.ics"
    assert MARKER not in invitation.body and MARKER not in str(invitation.attachments[0][1])

    # 7. Sofie books the evaluation meeting at the end, for the three of them.
    page.context.clear_cookies()
    log_in(page, mentee.email)
    page.goto(f"/mentorship/{match.pk}/meetings/new/")
    page.get_by_label("Evalueringsmøde med nærmeste leder").check()
    evaluation_day = datetime.datetime.combine(
        program.ends_on - datetime.timedelta(days=10), datetime.time(13)
    )
    page.get_by_label("Dato og tid").fill(evaluation_day.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_location").fill("Rådhuset, lokale 4")
    page.get_by_role("button", name="Planlæg møde").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert set(Meeting.objects.values_list("kind", flat=True)) == {"planning", "evaluation"}

    # 8. Henrik logs in with a code sent to his e-mail (he has no password) and finds both
    # meetings' time and place on his page, on his phone; the pair's space is not his.
    delivered()
    log_in_with_code(tab, "henrik@aarhus.example")
    tab.goto(f"{live_server.url}/line-manager/")
    main = tab.locator("main")
    expect(main).to_contain_text("Sofie Mentee")
    expect(main).to_contain_text("Mads Mentor")
    expect(main).to_contain_text("Planlægningsmøde med nærmeste leder")
    expect(main).to_contain_text("Evalueringsmøde med nærmeste leder")
    expect(main).to_contain_text("Rådhuset, lokale 4")
    expect(main).to_contain_text("hr@aarhus.example")
    expect(main).not_to_contain_text(MARKER)
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(tab)
    response = tab.goto(f"{live_server.url}/mentorship/{match.pk}/")
    assert response.status == 404
    phone.close()

    # 9. The dashboard counts the planning meeting (planned, not yet held) by the kick-off.
    hr.goto(f"/manage/programs/{program.slug}/dashboard/")
    expect(hr.locator("main")).to_contain_text("0 af 1 par har afholdt det, 1 mere planlagt")
    assert kick_off.line_manager_meeting == "planning"

    # The e-mails each person got, in order, each once.
    mails = delivered()
    assert [subject.split(",")[0] for subject in mails["henrik@aarhus.example"]] == [
        "Sofie Mentee beder om din støtte: Mentorordning for nye ledere",
        "En mentor til Sofie Mentee: Mentorordning for nye ledere",
        "Invitation: Planlægningsmøde med nærmeste leder",
        "Invitation: Evalueringsmøde med nærmeste leder",
        "Login-kode",
    ]
    assert mails["sofie@aarhus.example"] == [
        "Vi har modtaget din ansøgning til Mentorordning for nye ledere",
        "Din ansøgning til Mentorordning for nye ledere",
        "Her er din mentor i Mentorordning for nye ledere",
    ]
    assert mails["mads@aarhus.example"] == ["Her er din mentee i Mentorordning for nye ledere"]
    assert coordinator.email not in mails
    hr.context.close()
