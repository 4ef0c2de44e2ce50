"""Seed 001's union keeps the mentors of earlier years in a spreadsheet: the coordinator adds
them to the union's mentor bank with a preview, each is told by e-mail, and a Danish mentor
leaves the bank from the e-mail's link on a phone, without logging in."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from e2e.helpers import choose_language, current_code, log_in
from notifications.services import notifications_deliver
from programs.models import MentorBankEntry
from programs.tests.factories import OrganizationFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_union_imports_its_bank_and_a_mentor_leaves_it_from_the_e_mail(
    page, browser, live_server, assert_accessible, tmp_path
):
    union = OrganizationFactory(name="Skolledarfacket")
    program = ProgramFactory(owner=union, mentor_bank=True, name="Mentorprogrammet 2027")
    coordinator = UserFactory(email="karin@facket.example", is_staff=True)
    program.coordinators.add(coordinator)
    sheet = tmp_path / "mentorbanken.csv"
    sheet.write_text(
        "E-post;Namn;Anteckning;Språk\n"
        "maria@skola.example;Maria Mentor;Mentor 2024;\n"
        "jens@skole.example;Jens Jensen;Mentor 2025;dansk\n"
        "fel;Fel;;\n",
        encoding="utf-8-sig",
    )
    log_in(page, coordinator.email, current_code)
    choose_language(page, "Svenska")
    page.goto(f"/admin/programs/program/{program.pk}/change/")
    page.get_by_role("link", name="Importera till mentorbanken").click()
    page.get_by_label("Fil").set_input_files(sheet)
    page.get_by_role("button", name="Visa vad som skulle ändras").click()
    preview = page.locator("#result_list")
    expect(preview).to_contain_text("tillagd, med ett nytt konto")
    expect(preview).to_contain_text("fel är ingen e-postadress.")
    assert not MentorBankEntry.objects.exists()
    assert_accessible(page)
    page.get_by_role("button", name="Importera och meddela").click()
    expect(page.locator(".messagelist .success")).to_contain_text("2 mentorer tillagda")
    assert set(MentorBankEntry.objects.values_list("mentor__email", "note", "owner")) == {
        ("maria@skola.example", "Mentor 2024", union.pk),
        ("jens@skole.example", "Mentor 2025", union.pk),
    }
    page.goto("/admin/programs/mentorbankentry/")
    expect(page.locator("#result_list")).to_contain_text("Mentor 2025")
    assert_accessible(page)

    notifications_deliver()
    (danish,) = [m for m in mail.outbox if m.to == ["jens@skole.example"]]
    assert danish.subject == "Du er i mentorbanken hos Skolledarfacket"
    link = re.search(r"http://\S+/mentor-bank/leave/\S+", danish.body).group()

    # Jens, on his phone, from the e-mail: no login, in Danish.
    context = browser.new_context(viewport={"width": 320, "height": 700}, locale="da-DK")
    tab = context.new_page()
    tab.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    expect(tab.locator("h1")).to_have_text("Forlad mentorbanken")
    expect(tab.locator("main")).to_contain_text("Du er i mentorbanken hos Skolledarfacket.")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(tab)
    tab.get_by_role("button", name="Forlad mentorbanken").click()
    expect(tab.get_by_role("status")).to_contain_text("Du har forladt mentorbanken")
    assert_accessible(tab)
    context.close()
    assert list(MentorBankEntry.objects.values_list("mentor__email", flat=True)) == [
        "maria@skola.example"
    ]
    page.goto("/")
    choose_language(page, "Dansk")
    page.goto("/admin/programs/mentorbankentry/")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.get_by_role("link", name="Importér fra et regneark")).to_be_visible()
