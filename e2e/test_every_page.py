"""Every page a person can reach, in Swedish, English and Danish: axe-core finds no violation,
nothing scrolls sideways at a phone's width (375 px), and no request leaves the app. The
e-mails are checked too, rendered as pages."""

import pytest
from playwright.sync_api import expect

from e2e.conftest import AXE_OPTIONS
from e2e.helpers import choose_language, current_code, log_in
from mentorship.tests.world import ANONYMOUS, COORDINATOR, PARTICIPANT, build_world, pages
from notifications.emails import render_notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = {"sv": "Svenska", "en": "English", "da": "Dansk"}
PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
# What sticks out: elements reaching past the window, or whose content does.
WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth
                || (el.scrollWidth > el.clientWidth + 1
                    && getComputedStyle(el).overflowX === 'visible'
                    && el.getBoundingClientRect().left + el.scrollWidth > window.innerWidth))
  .map(el => `${el.tagName}.${el.className}: ${(el.textContent || '').trim().slice(0, 40)}`)
  .slice(-5)"""


def check(page, axe, problems, label):
    results = axe.run(page, options=AXE_OPTIONS)
    if results.violations_count:
        problems[label] = results.generate_report()
    page.set_viewport_size(PHONE)
    if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
        problems[f"{label} at 375 px"] = page.evaluate(WIDE)
    page.set_viewport_size(DESKTOP)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_in_every_language(page, browser, live_server, language):
    from axe_playwright_python.sync_playwright import Axe

    world = build_world()
    for person in (world["adept"], world["coordinator"]):
        person.language = language
        person.save(update_fields=["language"])
    axe = Axe()
    problems = {}
    contexts = []
    outside = []
    tabs = {ANONYMOUS: page}
    for who, email, code in (
        (PARTICIPANT, world["adept"].email, None),
        (COORDINATOR, world["coordinator"].email, current_code),
    ):
        context = browser.new_context(base_url=live_server.url, locale="sv-SE")
        context.set_default_timeout(10_000)
        contexts.append(context)
        tabs[who] = context.new_page()
        tabs[who].on(
            "request",
            lambda request: (
                None if request.url.startswith(live_server.url) else outside.append(request.url)
            ),
        )
        log_in(tabs[who], email, code)
    page.goto("/")
    if language != "sv":
        choose_language(page, LANGUAGES[language])
    try:
        for who, url in pages(world):
            tab = tabs[who]
            tab.set_viewport_size(DESKTOP)
            response = tab.goto(url)
            assert response.status == (404 if url == "/no-such-page/" else 200), url
            assert tab.locator("html").get_attribute("lang") == language, url
            expect(tab.locator("h1")).to_have_count(1)
            check(tab, axe, problems, f"{who} {url}")
        for notification in world["emails"]:
            notification.recipient.language = language
            message = render_notification(notification)
            page.set_content(message.alternatives[0][0])
            check(page, axe, problems, f"e-mail {notification.kind}")
    finally:
        for context in contexts:
            context.close()
    assert outside == [], f"requests to third parties: {outside}"
    assert problems == {}, "\n\n".join(f"{k}:\n{v}" for k, v in problems.items())
