"""Seed 004's department keeps its leadership teams as a list, applicants pick theirs, and the
rule "a mentor from outside the mentee's own leadership team" holds in the matching; seed
003's network asks its own question ("which municipality or agency?") and matches across
the answers."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from e2e.helpers import choose_language, current_code, log_in
from matching.models import Match
from programs.models import Application, ApplicationAnswer, Program, Question, Role
from programs.tests.factories import (
    ApplicationFactory,
    FocusAreaFactory,
    OrganizationFactory,
    ProgramFactory,
    unit_named,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def apply_as_adept(page, program, unit=None, answer=None):
    page.goto(program.get_absolute_url())
    page.get_by_role("link", name="Apply as adept").click()
    page.get_by_label("Organisation").select_option(label=program.owner.name)
    if unit:
        page.get_by_label("Unit or leadership team").select_option(label=unit)
    page.get_by_label("Job title").fill("Skoleleder")
    page.get_by_label("Manager with staff since").fill(
        (program.starts_on - datetime.timedelta(days=400)).isoformat()
    )
    page.get_by_label("Number of direct reports").fill("9")
    if answer:
        question, option = answer
        page.get_by_role("group", name=question).get_by_label(option).check()
    page.get_by_label(program.focus_areas.get().name_en).check()
    page.get_by_role("textbox", name="Motivation letter").fill("Jeg vil være en bedre leder.")
    page.get_by_label(re.compile("I agree that the coordinators")).check()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("Your application has been submitted")).to_be_visible()


def accept_all_and_match(page, program):
    page.goto(f"/admin/programs/application/?program__id__exact={program.pk}")
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("accept")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert not program.applications.exclude(status=Application.Status.ACCEPTED).exists()
    page.goto(f"/manage/programs/{program.slug}/matching/")
    page.get_by_role("button", name="Run matching").click()
    expect(page.get_by_text("Matching is done")).to_be_visible()


def program_of(name, **options):
    organization = OrganizationFactory(name=name)
    program = ProgramFactory(
        owner=organization, organizations=[organization], matching_min_score=0, **options
    )
    program.focus_areas.set([FocusAreaFactory(name_en="Leading change")])
    coordinator = UserFactory(email=f"hr@{program.slug}.example.org", is_staff=True)
    program.coordinators.add(coordinator)
    return program, coordinator


def test_the_leadership_teams_are_a_list_and_no_mentor_is_from_the_mentees_own(
    page, browser, live_server, assert_accessible
):
    program, coordinator = program_of(
        "Børne- og Ungdomsforvaltningen", pairing_rule=Program.PairingRule.DIFFERENT_UNIT
    )
    log_in(page, coordinator.email, current_code)
    choose_language(page, "English")
    # The coordinator lists the leadership teams.
    for team in ("Ledelsesteam Nord", "Ledelsesteam Syd"):
        page.goto("/admin/programs/unit/add/")
        page.get_by_label("Organisation").select_option(label=program.owner.name)
        page.get_by_label("Name").fill(team)
        page.locator("input[name=_save]").click()
        expect(page.locator(".messagelist .success")).to_be_visible()
    assert_accessible(page)
    north = unit_named(program.owner, "Ledelsesteam Nord")
    south = unit_named(program.owner, "Ledelsesteam Syd")
    # Two mentors: one from the mentee's own team, who shares her need and would fit best,
    # and one from another team.
    same_team = ApplicationFactory(
        program=program, role=Role.MENTOR, unit=north, status=Application.Status.ACCEPTED,
        region="Nord",
    )  # fmt: skip
    other_team = ApplicationFactory(
        program=program, role=Role.MENTOR, unit=south, status=Application.Status.ACCEPTED,
        region="Syd",
    )  # fmt: skip
    same_team.focus_areas.set(program.focus_areas.all())

    # The mentee picks her team from the list (no free text to type it differently).
    mentee = UserFactory(email="mette@example.org", language="en")
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    log_in(tab, mentee.email)
    apply_as_adept(tab, program, unit="Ledelsesteam Nord")
    context.close()
    assert Application.objects.get(applicant=mentee).unit == north

    accept_all_and_match(page, program)
    (pair,) = Match.objects.filter(program=program)
    assert (pair.adept.applicant, pair.mentor) == (mentee, other_team)
    proposals = page.locator("table").first
    expect(proposals).to_contain_text("Ledelsesteam Nord")  # the review shows the units
    expect(proposals).to_contain_text("Ledelsesteam Syd")
    assert_accessible(page)


def test_the_networks_own_question_pairs_people_from_different_municipalities(
    page, browser, live_server, assert_accessible
):
    # One organisation, the network: who is from where is the question's to say.
    program, coordinator = program_of(
        "Nätverket för kommuner och myndigheter", pairing_rule=Program.PairingRule.ANY
    )
    log_in(page, coordinator.email, current_code)
    choose_language(page, "English")
    # The coordinator adds the question, with its answers, and makes it a criterion.
    page.goto("/admin/programs/question/add/")
    page.get_by_label("Program").select_option(label=program.name)
    page.get_by_label("Question (English)").fill("Which municipality or agency?")
    page.get_by_label("Kind of answer").select_option(label="One of several answers")
    page.get_by_label("In the matching").select_option(
        label="Adept and mentor must give different answers"
    )
    page.get_by_label("An answer is required to send").check()
    for n, place in enumerate(("Sundsvall", "Timrå", "Länsstyrelsen")):
        page.locator(".add-row a").click()
        page.locator(f"#id_options-{n}-text_en").fill(place)
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    question = Question.objects.get(program=program)
    assert question.criterion == Question.Criterion.DIFFERENT
    options = {o.text_en: o for o in question.options.all()}
    assert set(options) == {"Sundsvall", "Timrå", "Länsstyrelsen"}

    mentors = {}
    for place in ("Sundsvall", "Timrå"):
        mentor = ApplicationFactory(
            program=program, role=Role.MENTOR, status=Application.Status.ACCEPTED
        )
        mentor.focus_areas.set(program.focus_areas.all() if place == "Sundsvall" else [])
        ApplicationAnswer.objects.create(application=mentor, question=question).options.set(
            [options[place]]
        )
        mentors[place] = mentor

    adept = UserFactory(email="sara@example.org", language="en")
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    log_in(tab, adept.email)
    apply_as_adept(tab, program, answer=("Which municipality or agency?", "Sundsvall"))
    context.close()
    answer = ApplicationAnswer.objects.get(application__applicant=adept)
    assert list(answer.options.all()) == [options["Sundsvall"]]

    accept_all_and_match(page, program)
    # The mentor from Sundsvall shares the need, but the network pairs across municipalities.
    (pair,) = Match.objects.filter(program=program)
    assert (pair.adept.applicant, pair.mentor) == (adept, mentors["Timrå"])
    assert_accessible(page)


def test_the_network_asks_for_a_registration_of_interest_without_a_letter(
    page, browser, live_server, assert_accessible
):
    """Seed 003: "göra en intresseanmälan". The coordinator lets adepts leave the letter and
    the number of reports empty; the program then says "register interest" everywhere."""
    program, coordinator = program_of("Myndighetsnätverket", pairing_rule=Program.PairingRule.ANY)
    log_in(page, coordinator.email, current_code)
    choose_language(page, "Svenska")
    page.goto(f"/admin/programs/program/{program.pk}/change/")
    page.get_by_label("En intresseanmälan").check()
    adepts = page.get_by_role("group", name="Adepter får lämna tomt")
    adepts.get_by_label("Personligt brev").check()
    adepts.get_by_label("Antal direkt underställda").check()
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert_accessible(page)
    program.refresh_from_db()
    assert program.registration_of_interest
    assert program.adept_optional == ["letter", "direct_reports"]

    # An adept registers on her phone, in Swedish, with no letter.
    adept = UserFactory(email="sanna@example.org", language="sv")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 720})
    tab = context.new_page()
    log_in(tab, adept.email)
    tab.goto(program.get_absolute_url())
    tab.get_by_role("link", name="Registrera intresse som adept").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Registrera intresse som adept")
    tab.get_by_label("Organisation").select_option(label=program.owner.name)
    tab.get_by_label("Befattning").fill("Enhetschef")
    tab.get_by_label("Chef med personalansvar sedan").fill(
        (program.starts_on - datetime.timedelta(days=400)).isoformat()
    )
    expect(tab.get_by_label("Personligt brev (frivilligt)")).to_be_visible()
    tab.get_by_label(program.focus_areas.get().name_sv).check()
    tab.get_by_label(re.compile("Jag samtycker till att programmets")).check()
    tab.get_by_role("button", name="Registrera intresse").click()
    expect(tab.get_by_text("Din intresseanmälan är registrerad")).to_be_visible()
    # Back on her form, which she may change until the deadline.
    expect(tab.get_by_role("button", name="Spara ändringar")).to_be_visible()
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(tab)
    context.close()
    application = Application.objects.get(applicant=adept)
    assert application.status == Application.Status.SUBMITTED
    assert (application.letter, application.direct_reports) == ("", None)

    # A mentor, in Danish, is still asked for his letter.
    mentor = UserFactory(email="mads@example.org", language="da")
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    log_in(tab, mentor.email)
    tab.goto(program.get_absolute_url())
    tab.get_by_role("link", name="Tilmeld interesse som mentor").click()
    tab.get_by_role("button", name="Tilmeld interesse").click()
    expect(tab.locator("#id_letter")).to_have_class(re.compile("is-invalid"))
    expect(tab.locator("#id_direct_reports")).to_have_class(re.compile("is-invalid"))
    context.close()
