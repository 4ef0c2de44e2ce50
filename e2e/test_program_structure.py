"""The program's own structure as coordinators use it in the browser: seed 000's pilot keeps
five places for principals and five for deputy principals, and seed 001's union makes next
year's edition from this year's."""

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from e2e.helpers import choose_language, current_code, log_in
from programs.models import Application, ApplicationAnswer, Option, Program, Question
from programs.tests.factories import ApplicationFactory, MilestoneFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
    Question.objects.create(
        program=program, kind=Question.Kind.YES_NO, text_en="Are you a member of the union?"
    )
    ApplicationFactory(program=program)

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
