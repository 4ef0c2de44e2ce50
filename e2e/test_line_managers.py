"""A program that asks for the line manager's support (issue 18), in Swedish: an adept names
her närmaste chef, who confirms from the e-mail on his phone without logging in, and the
coordinator sees the answer in the review."""

import datetime
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from e2e.helpers import current_code, log_in, log_in_with_code
from notifications.services import notifications_deliver
from programs.models import Application, LineManagerSupport, Program
from programs.tests.factories import (
    FocusAreaFactory,
    OrganizationFactory,
    ProgramFactory,
    unit_named,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_adept_names_her_line_manager_who_supports_her_from_the_e_mail(
    page, browser, live_server, assert_accessible
):
    town = OrganizationFactory(name="Sundsvalls kommun")
    unit_named(town, "Barn- och utbildningsförvaltningen")
    program = ProgramFactory(
        name="Chefsmentorprogrammet", organizations=[town],
        line_managers=Program.LineManagers.SUPPORT,
    )  # fmt: skip
    program.focus_areas.set([FocusAreaFactory(name_sv="Förändringsledning")])
    coordinator = UserFactory(email="karin@sundsvall.example", is_staff=True, language="sv")
    program.coordinators.add(coordinator)
    adept = UserFactory(email="anna@sundsvall.example", full_name="Anna Adept", language="sv")

    page.goto("/accounts/login/")
    page.locator("#id_login").fill(adept.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.goto(f"/programs/{program.slug}/apply/adept/")
    page.locator("#id_organization").select_option(label="Sundsvalls kommun")
    page.locator("#id_unit").select_option(label="Barn- och utbildningsförvaltningen")
    page.locator("#id_job_title").fill("Rektor")
    page.locator("#id_manager_since").fill(
        (program.starts_on - datetime.timedelta(days=400)).isoformat()
    )
    page.locator("#id_direct_reports").fill("12")
    page.get_by_label("Förändringsledning").check()
    page.get_by_role("textbox", name="Personligt brev").fill("Jag vill bli en tryggare chef.")
    page.locator("#id_consent_processing").check()
    # Support is asked: without her line manager the application is not sent, and says why.
    page.locator("button[name=submit]").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Namn")
    expect(page.get_by_role("group", name="Din närmaste chef")).to_be_visible()
    assert_accessible(page)
    page.locator("#id_line_manager_name").fill("Karl Chef")
    page.locator("#id_line_manager_email").fill("karl@sundsvall.example")
    page.locator("button[name=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    application = Application.objects.get()
    assert application.status == Application.Status.SUBMITTED

    notifications_deliver()
    (asked,) = [m for m in mail.outbox if m.to == ["karl@sundsvall.example"]]
    assert asked.subject == "Anna Adept ber om ditt stöd: Chefsmentorprogrammet"
    assert "Jag vill bli en tryggare chef." not in asked.body
    link = re.search(r"http://\S+/line-manager/\S+", asked.body).group()

    # Karl, on his phone, from the e-mail: no login.
    context = browser.new_context(viewport={"width": 320, "height": 800}, locale="sv-SE")
    tab = context.new_page()
    tab.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    expect(tab.locator("h1")).to_have_text("Ditt stöd som närmaste chef")
    expect(tab.locator("main")).to_contain_text("Anna Adept har sökt till Chefsmentorprogrammet")
    expect(tab.locator("main")).not_to_contain_text("tryggare chef")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(tab)
    tab.get_by_label("Jag stöder ansökan", exact=True).check()
    tab.get_by_role("button", name="Skicka mitt svar").click()
    expect(tab.locator(".alert-success")).to_contain_text("ditt svar är sparat")
    assert_accessible(tab)
    context.close()
    assert LineManagerSupport.objects.get().answer == LineManagerSupport.Answer.SUPPORTED

    # The coordinator sees it beside the application, and decides.
    page.context.clear_cookies()  # Anna leaves; the coordinator logs in
    log_in(page, coordinator.email, current_code)
    page.goto("/admin/programs/application/")
    expect(page.locator("#result_list")).to_contain_text("Stöder ansökan")
    assert_accessible(page)

    # Later Karl withdraws his support from his own page (a code by e-mail, no password), and
    # the coordinator sees it too.
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 320, "height": 800}, locale="sv-SE"
    )
    tab = context.new_page()
    log_in_with_code(tab, "karl@sundsvall.example")
    tab.goto("/line-manager/")
    expect(tab.locator("h1")).to_have_text("Din sida som närmaste chef")
    expect(tab.locator("main")).to_contain_text("Anna Adept")
    expect(tab.locator("main")).to_contain_text("karin@sundsvall.example")
    tab.get_by_text("Dra tillbaka ditt stöd").click()
    tab.get_by_label("Jag stöder inte längre att Anna Adept deltar", exact=False).check()
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(tab)
    tab.get_by_role("button", name="Dra tillbaka mitt stöd").click()
    expect(tab.locator(".alert-success")).to_contain_text("koordinatorerna ser det")
    context.close()
    assert LineManagerSupport.objects.get().answer == LineManagerSupport.Answer.WITHDRAWN
    page.reload()
    expect(page.locator("#result_list")).to_contain_text("Har dragit tillbaka sitt stöd")
