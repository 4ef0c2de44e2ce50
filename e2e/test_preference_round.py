"""The preference round in a browser (issue 19, seed 002: universities, a mentor from another
one): an adept ranks her shortlist on a 320 px phone, in Swedish, and marks a "rather not"; a
mentor ranks too; the coordinator's run honours the first choices, the other-university rule and
the "rather not", and the review shows the shares beside a stable assignment; a month in, the
adept's check comes back low, she asks for a new match, and the next run gives her one."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from e2e.helpers import current_code, log_in
from matching.models import Match, Preference
from programs.models import Application, Role
from programs.tests.factories import (
    ApplicationFactory,
    FocusAreaFactory,
    OrganizationFactory,
    ProgramFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_adept_ranks_her_shortlist_on_a_phone_and_the_run_honours_it(
    page, browser, live_server, assert_accessible
):
    universities = [OrganizationFactory(name=n) for n in ("KTH", "SU", "KI", "UU")]
    budget = FocusAreaFactory(name_sv="Budget och ekonomi")
    change = FocusAreaFactory(name_sv="Förändringsledning")
    now = timezone.now()
    program = ProgramFactory(
        name="Mentorprogram för lärosäten", organizations=universities,
        preferences_open_at=now - datetime.timedelta(days=1),
        preferences_close_at=now + datetime.timedelta(days=6), shortlist_size=3,
        matching_min_score=0, mentors_rank=True,
    )  # fmt: skip
    program.focus_areas.set([budget, change])
    coordinator = UserFactory(email="karin@kth.example", is_staff=True, language="sv")
    program.coordinators.add(coordinator)

    def accepted(role, university, areas, name, **extra):
        person = UserFactory(
            full_name=name, language="sv", email=f"{name.split()[0].lower()}@uni.example"
        )
        application = ApplicationFactory(
            program=program, role=role, organization=university, applicant=person,
            status=Application.Status.ACCEPTED, **extra,
        )  # fmt: skip
        application.focus_areas.set(areas)
        return application

    alva = accepted(Role.ADEPT, universities[0], [budget, change], "Alva Adept")
    best = accepted(Role.MENTOR, universities[1], [budget, change], "Berit Bäst",
                    job_title="Prefekt")  # fmt: skip
    fia = accepted(Role.MENTOR, universities[2], [change], "Fia Forskare", job_title="Dekan")
    accepted(Role.MENTOR, universities[0], [budget, change], "Sam Samma")  # KTH, as Alva
    ulla = accepted(Role.MENTOR, universities[3], [budget], "Ulla Uppsala", job_title="Rektor")

    phone = browser.new_context(
        base_url=live_server.url, viewport={"width": 320, "height": 800}, locale="sv-SE"
    )
    tab = phone.new_page()
    tab.goto("/accounts/login/")
    tab.locator("#id_login").fill(alva.applicant.email)
    tab.locator("#id_password").fill(PASSWORD)
    tab.locator("#id_password").press("Enter")
    tab.goto(f"/programs/{program.slug}/preferences/")
    expect(tab.locator("h1")).to_have_text("Din kortlista")
    main = tab.locator("main")
    expect(main).to_contain_text("Berit Bäst")
    expect(main).to_contain_text("Prefekt")
    expect(main).not_to_contain_text("Sam Samma")  # the same university: never proposed
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(tab)
    # The same place twice is refused, and says which.
    tab.get_by_label("Plats för Berit Bäst").select_option("1")
    tab.get_by_label("Plats för Fia Forskare").select_option("1")
    tab.get_by_role("button", name="Spara mina önskemål").click()
    expect(tab.locator("#error-summary")).to_be_visible()
    expect(main).to_contain_text("Varje plats en gång")
    assert_accessible(tab)
    # Fia first, Berit second, and rather not Ulla; by the keyboard.
    tab.get_by_label("Plats för Fia Forskare").focus()
    tab.get_by_label("Plats för Fia Forskare").select_option("1")
    tab.get_by_label("Plats för Berit Bäst").select_option("2")
    tab.get_by_label("Hellre inte Ulla Uppsala").check()
    tab.get_by_role("button", name="Spara mina önskemål").press("Enter")
    expect(tab.locator(".alert-success")).to_contain_text("Dina önskemål är sparade")
    phone.close()
    assert dict(Preference.objects.values_list("candidate_id", "rank")) == {
        fia.pk: 1, best.pk: 2, ulla.pk: None,
    }  # fmt: skip
    # Fia, a mentor, ranks her shortlist too: Alva first.
    desk = browser.new_context(base_url=live_server.url, locale="sv-SE").new_page()
    desk.goto("/accounts/login/")
    desk.locator("#id_login").fill(fia.applicant.email)
    desk.locator("#id_password").fill(PASSWORD)
    desk.locator("#id_password").press("Enter")
    desk.goto(f"/programs/{program.slug}/preferences/")
    expect(desk.locator("main")).to_contain_text("Behov")  # a mentor reads the adepts' needs
    desk.get_by_label("Plats för Alva Adept").select_option("1")
    desk.get_by_role("button", name="Spara mina önskemål").click()
    expect(desk.locator(".alert-success")).to_be_visible()
    assert_accessible(desk)
    desk.context.close()

    # The coordinator runs the matching: Alva gets her first choice, and the review says so.
    log_in(page, coordinator.email, current_code)
    page.goto(f"/manage/programs/{program.slug}/matching/")
    page.get_by_role("button", name="Kör matchning").click()
    expect(page.get_by_text("Matchningen är klar")).to_be_visible()
    assert Match.objects.get(adept=alva).mentor == fia
    expect(page.locator("main")).to_contain_text("100,0 % fick sitt förstahandsval")
    expect(page.locator("main")).to_contain_text(
        "Adepten rangordnade den här mentorn som nummer 1."
    )
    assert_accessible(page)
