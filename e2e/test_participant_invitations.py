"""Seed 003's network gathers registrations of interest through its own training link: the
coordinator invites those people from the list, and one of them, on a phone, chooses a
password from the e-mail and finds her registration filled in with her municipality and job
title, to check and complete herself."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from e2e.helpers import current_code, log_in
from notifications.services import notifications_deliver
from programs.models import Application, ParticipantInvitation
from programs.tests.factories import OrganizationFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_network_invites_its_list_and_a_person_finds_her_form_filled_in(
    page, browser, live_server, assert_accessible, tmp_path
):
    network = OrganizationFactory(name="Myndighetsnätverket Västernorrland")
    town = OrganizationFactory(name="Härnösands kommun")
    program = ProgramFactory(
        owner=network, organizations=[town], registration_of_interest=True,
        name="Myndighetsnätverkets mentorsprogram",
    )  # fmt: skip
    lead = UserFactory(email="nils@natverket.example", is_staff=True, language="sv")
    program.coordinators.add(lead)
    sheet = tmp_path / "intresseanmalningar.csv"
    sheet.write_text(
        "E-post;Namn;Roll;Organisation;Befattning\n"
        "anna@harnosand.example;Anna Adept;adept;Härnösands kommun;Enhetschef\n"
        "fel;Fel;adept;;\n",
        encoding="utf-8-sig",
    )
    log_in(page, lead.email, current_code)
    page.goto(f"/admin/programs/program/{program.pk}/change/")
    page.get_by_role("link", name="Bjud in från en lista").click()
    page.get_by_label("Fil").set_input_files(sheet)
    page.get_by_role("button", name="Visa vad som skulle ändras").click()
    expect(page.locator("#result_list")).to_contain_text("inbjuden, med ett nytt konto")
    assert_accessible(page)
    page.get_by_role("button", name="Importera och bjud in").click()
    expect(page.locator(".messagelist .success")).to_contain_text("1 person inbjuden att söka")
    assert not Application.objects.exists()
    assert ParticipantInvitation.objects.get().job_title == "Enhetschef"

    notifications_deliver()
    (message,) = mail.outbox
    assert "Enhetschef" in message.body and "Härnösands kommun" in message.body
    password = re.search(r"http://\S+/accounts/password/reset/key/\S+", message.body).group()

    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 320, "height": 800}, locale="sv-SE"
    )
    tab = context.new_page()
    tab.goto(password.replace("http://127.0.0.1:8000", live_server.url))
    tab.locator("#id_password1").fill("ett-långt-lösenord-2027")
    tab.locator("#id_password2").fill("ett-långt-lösenord-2027")
    tab.get_by_role("button", name="Ändra lösenord").click()
    tab.goto("/accounts/login/")
    if tab.locator("#id_login").count():  # the new password does not log in by itself
        tab.locator("#id_login").fill("anna@harnosand.example")
        tab.locator("#id_password").fill("ett-långt-lösenord-2027")
        tab.locator("#id_password").press("Enter")
    expect(tab.locator("form[action$='/accounts/logout/']")).to_have_count(1)
    tab.goto(f"/programs/{program.slug}/apply/adept/")
    expect(tab.locator(".alert-info")).to_contain_text("koordinatorernas lista")
    expect(tab.locator("#id_job_title")).to_have_value("Enhetschef")
    expect(tab.locator("#id_organization")).to_have_value(str(town.pk))
    expect(tab.locator("h1")).to_contain_text("intresse")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(tab)
    context.close()
