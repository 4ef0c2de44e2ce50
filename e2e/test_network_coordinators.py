"""Seed 003's network: the lead coordinator imports the member organisations' HR contacts from
a spreadsheet, and each contact sees and decides their own organisation's applications, while
the matching stays with the lead."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from e2e.helpers import choose_language, current_code, log_in
from notifications.services import notifications_deliver
from programs.models import Application, OrganizationCoordinator
from programs.tests.factories import ApplicationFactory, OrganizationFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_network_imports_its_hr_contacts_who_decide_their_own_people(
    page, browser, live_server, assert_accessible, tmp_path
):
    network = OrganizationFactory(name="Myndighetsnätverket Västernorrland")
    town = OrganizationFactory(name="Härnösands kommun")
    agency = OrganizationFactory(name="Länsstyrelsen Västernorrland")
    program = ProgramFactory(owner=network, organizations=[town, agency])
    lead = UserFactory(email="nils@natverket.example", is_staff=True)
    program.coordinators.add(lead)
    hr = UserFactory(email="hanna@harnosand.example", full_name="Hanna HR", is_staff=True)
    ours = ApplicationFactory(program=program, organization=town)
    theirs = ApplicationFactory(program=program, organization=agency)

    sheet = tmp_path / "hr-kontakter.csv"
    sheet.write_text(
        "E-post;Namn;Organisation\n"
        "hanna@harnosand.example;Hanna HR;Härnösands kommun\n"
        "per@lansstyrelsen.example;Per Personal;Länsstyrelsen Västernorrland\n"
        "fel;Fel;Härnösands kommun\n",
        encoding="utf-8-sig",
    )
    log_in(page, lead.email, current_code)
    choose_language(page, "English")
    page.goto(f"/admin/programs/program/{program.pk}/change/")
    page.get_by_role("link", name="Import coordinators").click()
    page.get_by_label("File").set_input_files(sheet)
    page.get_by_role("button", name="Show what would change").click()
    preview = page.locator("#result_list")
    expect(preview).to_contain_text("invited, with their account")
    expect(preview).to_contain_text("invited, with a new account")
    expect(preview).to_contain_text("fel is not an e-mail address.")
    assert not OrganizationCoordinator.objects.exists()
    assert_accessible(page)
    page.get_by_role("button", name="Import and invite").click()
    expect(page.locator(".messagelist .success")).to_contain_text("2 coordinators invited")
    assert set(
        OrganizationCoordinator.objects.values_list("user__email", "organization__name")
    ) == {
        ("hanna@harnosand.example", "Härnösands kommun"),
        ("per@lansstyrelsen.example", "Länsstyrelsen Västernorrland"),
    }
    notifications_deliver()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "hanna@harnosand.example",
        "per@lansstyrelsen.example",
    ]

    # Hanna, at the municipality, on a phone: her people only.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 800})
    tab = context.new_page()
    log_in(tab, hr.email, current_code)
    tab.goto("/admin/")
    expect(tab.get_by_role("link", name="Applications")).to_be_visible()
    # The program's settings are the lead's: not in her administration.
    expect(tab.locator("#content a[href='/admin/programs/program/']")).to_have_count(0)
    tab.get_by_role("link", name="Applications").click()
    rows = tab.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(ours.applicant.email)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(tab)
    tab.locator("#action-toggle").check()
    tab.locator("select[name=action]").select_option("accept")
    tab.locator("button[name=index]").click()
    expect(tab.locator(".messagelist .success")).to_be_visible()
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.status, ours.decided_by) == (Application.Status.ACCEPTED, hr)
    assert theirs.status == Application.Status.SUBMITTED
    # The matching is the lead's.
    response = tab.goto(f"/manage/programs/{program.slug}/matching/")
    assert response.status == 404
    tab.goto("/")
    tab.set_viewport_size({"width": 1280, "height": 800})  # the menu is open at this width
    choose_language(tab, "Dansk")
    tab.goto("/admin/programs/application/")
    expect(tab.locator("h1")).to_contain_text("ansøgning")
    context.close()
