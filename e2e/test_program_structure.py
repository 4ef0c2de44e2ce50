"""The program's own structure as coordinators use it in the browser: seed 000's pilot keeps
five places for principals and five for deputy principals, and seed 001's union makes next
year's edition from this year's and invites its mentor bank and waiting list, who apply with
the form filled in from last time."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from e2e.helpers import choose_language, current_code, log_in
from notifications.services import notifications_deliver
from programs.models import (
    Application,
    ApplicationAnswer,
    Option,
    Program,
    Question,
    Role,
)
from programs.tests.factories import (
    ApplicationFactory,
    MentorBankEntryFactory,
    MilestoneFactory,
    ProgramFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def link(body: str, ending: str) -> str:
    """The path of the e-mail's link that ends so (the e-mail names the site's own address)."""
    url = re.search(rf"https?://\S+\?{ending}\b", body).group()
    return urlsplit(url)._replace(scheme="", netloc="").geturl()


def test_the_pilot_accepts_five_of_each_role_and_refuses_a_sixth(page, assert_accessible):
    coordinator = UserFactory(email="karin@example.org", is_staff=True)
    program = ProgramFactory(name="Mentorprogram för skolledare, pilot", adept_places=20)
    program.coordinators.add(coordinator)
    role = Question.objects.create(
        program=program, kind=Question.Kind.CHOICE, required=True,
        text_sv="Din roll", text_en="Your role",
    )  # fmt: skip
    principal = Option.objects.create(question=role, text_en="Principal", places=5)
    deputy = Option.objects.create(question=role, text_en="Deputy principal", places=5)
    for option in (principal, deputy):
        for _ in range(6):
            answer = ApplicationAnswer.objects.create(
                application=ApplicationFactory(program=program), question=role
            )
            answer.options.set([option])

    log_in(page, coordinator.email, current_code)
    choose_language(page, "English")
    page.goto(f"/admin/programs/application/?program__id__exact={program.pk}")
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("accept")
    page.locator("button[name=index]").click()
    # The sixth of each is refused, and the page says why, naming the answer.
    expect(page.get_by_text(re.compile("all 5 places for “Principal” are taken"))).to_be_visible()
    expect(
        page.get_by_text(re.compile("all 5 places for “Deputy principal” are taken"))
    ).to_be_visible()
    accepted = Application.objects.filter(program=program, status="accepted")
    assert accepted.filter(answers__options=principal).count() == 5
    assert accepted.filter(answers__options=deputy).count() == 5
    # The place counts show each answer's places beside the program's.
    row = page.locator("tr", has=page.locator("th.place-group", has_text=re.compile("^Principal")))
    expect(row.locator("td").nth(0)).to_have_text("5")  # accepted
    expect(row.locator("td").nth(1)).to_have_text("5")  # places
    assert_accessible(page)


def test_the_union_makes_next_years_edition_from_this_years(page, assert_accessible):
    coordinator = UserFactory(email="karin@example.org", is_staff=True)
    program = ProgramFactory(name="Mentorsprogram för skolledare 2027", status="running")
    program.coordinators.add(coordinator)
    MilestoneFactory(program=program)
    member = Question.objects.create(
        program=program, kind=Question.Kind.YES_NO, text_en="Are you a member of the union?"
    )
    ApplicationFactory(program=program)
    waiting = ApplicationFactory(
        program=program, status=Application.Status.WAITLISTED, job_title="Biträdande rektor",
        letter="Jag vill bli en tryggare ledare för mina lärare.",
    )  # fmt: skip
    waiting.applicant.language = "da"
    waiting.applicant.save()
    ApplicationAnswer.objects.create(application=waiting, question=member).options.set(
        [member.options.get(position=0)]
    )
    banked = ApplicationFactory(program=program, role=Role.MENTOR, status="banked",
                                job_title="Skolchef")  # fmt: skip
    MentorBankEntryFactory(mentor=banked.applicant, application=banked)

    log_in(page, coordinator.email, current_code)
    choose_language(page, "English")
    page.goto(f"/admin/programs/program/{program.pk}/change/")
    page.get_by_role("link", name="Next edition").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Next edition of")
    expect(page.get_by_label("Name of the new edition")).to_have_value(
        "Mentorsprogram för skolledare 2028"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Create the next edition").click()
    expect(page.get_by_text(re.compile("is ready as a draft"))).to_be_visible()
    edition = Program.objects.get(name="Mentorsprogram för skolledare 2028")
    assert edition.status == Program.Status.DRAFT
    assert edition.milestones.count() == 1
    assert edition.questions.get().options.count() == 2  # yes and no came along
    assert not edition.applications.exists()
    expect(page.locator("#id_name")).to_have_value(edition.name)  # on its own page now

    # The coordinator checks the new edition's dates and opens it; then asks people back.
    now = timezone.now()
    Program.objects.filter(pk=edition.pk).update(
        status=Program.Status.OPEN, applications_open_at=now,
        applications_close_at=now + datetime.timedelta(days=30),
    )  # fmt: skip
    page.reload()
    page.get_by_role("link", name="Invite to apply").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Invite to apply to")
    bank = page.get_by_label(re.compile("The mentor bank of .* \\(1 person not yet invited\\)"))
    waitlist = page.get_by_label(
        "The waiting list of Mentorsprogram för skolledare 2027 (1 person not yet invited)"
    )
    assert_accessible(page)
    bank.check()
    waitlist.check()
    page.get_by_role("button", name="Send the invitations").click()
    expect(page.get_by_text("2 invitations to apply to Mentorsprogram för skolledare 2028 "
                            "are on their way.")).to_be_visible()  # fmt: skip
    notifications_deliver()
    letters = {message.to[0]: message for message in mail.outbox}
    assert set(letters) == {waiting.applicant.email, banked.applicant.email}

    # The bank's mentor follows the link: the form holds what they wrote last time.
    mentor = page.context.browser.new_context(base_url=page.url.split("/admin")[0])
    tab = mentor.new_page()
    log_in(tab, banked.applicant.email)
    tab.goto(link(letters[banked.applicant.email].body, "from_bank=1"))
    expect(tab.locator("#id_job_title")).to_have_value("Skolchef")
    expect(tab.locator("#id_letter")).to_have_value(banked.letter)
    tab.locator("#id_consent_processing").check()
    tab.get_by_role("button", name=re.compile("Skicka in ansökan|Submit application")).click()
    expect(tab.locator(".alert-success")).to_be_visible()
    assert edition.applications.get(applicant=banked.applicant).status == "submitted"
    mentor.close()

    # The adept from the waiting list reads the invitation in Danish and finds the answers
    # of last time, the union question's included, at 320 px.
    letter = letters[waiting.applicant.email]
    assert letter.subject == "Du er inviteret til at søge Mentorsprogram för skolledare 2028"
    adept = page.context.browser.new_context(base_url=page.url.split("/admin")[0])
    tab = adept.new_page()
    tab.set_viewport_size({"width": 320, "height": 800})
    log_in(tab, waiting.applicant.email)
    tab.goto(link(letter.body, f"from={waiting.pk}"))
    expect(tab.locator("html")).to_have_attribute("lang", "da")
    expect(tab.locator("#id_letter")).to_have_value(waiting.letter)
    copied = edition.questions.get()
    yes = copied.options.get(position=0)
    expect(tab.locator(f"input[name=question_{copied.pk}][value='{yes.pk}']")).to_be_checked()
    assert_accessible(tab)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320
    adept.close()
