"""Every page a person can reach, the admin pages coordinators use and the e-mails rendered as
pages, in Swedish, English and Danish, at 1280 and 320 CSS px: two accessibility engines find
nothing that the statement does not list, control boundaries and focus rings are seen, nothing
scrolls sideways with the text-spacing override, and no request leaves the app."""

import pytest
from playwright.sync_api import expect

from e2e import engines
from e2e.helpers import choose_language, current_code, log_in
from mentorship.accessibility import statement
from mentorship.tests.world import (
    ANONYMOUS,
    COORDINATOR,
    PARTICIPANT,
    admin_pages,
    build_world,
    pages,
)
from notifications.emails import render_notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = {"sv": "Svenska", "en": "English", "da": "Dansk"}
STATEMENT = statement()


def measure(page, axe, label, findings, listed, keyboard=True):
    """Every measure of the sweep on the page as it is now, into findings[measure][label]; an
    engine's finding that the statement lists (mentorship/accessibility.toml) goes to listed."""
    page.set_viewport_size(engines.DESKTOP)
    found = {
        "axe": engines.axe(page, axe),
        "htmlcs": engines.htmlcs(page),
        "boundary": engines.boundaries(page),
        "focus": engines.focus_rings(page) if keyboard else [],
    }
    page.set_viewport_size(engines.PHONE)
    found["axe"] += [f"320 px: {f}" for f in engines.axe(page, axe)]
    found["reflow"] = engines.sideways(page)
    for kind, items in found.items():
        unlisted = []
        for item in items:
            entry = next(
                (n for n, f in enumerate(STATEMENT.findings) if f.covers(kind, label, item)), None
            )
            if entry is None:
                unlisted.append(item)
            else:
                listed.setdefault(entry, []).append(label)
        if unlisted:
            findings.setdefault(kind, {})[label] = unlisted


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_in_every_language(page, browser, live_server, language):
    from axe_playwright_python.sync_playwright import Axe

    world = build_world()
    for person in (world["adept"], world["coordinator"]):
        person.language = language
        person.save(update_fields=["language"])
    axe = Axe()
    findings, listed = {}, {}
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
        for who, url in pages(world) + admin_pages(world):
            tab = tabs[who]
            tab.set_viewport_size(engines.DESKTOP)
            response = tab.goto(url)
            assert response.status == (404 if url == "/no-such-page/" else 200), url
            assert tab.locator("html").get_attribute("lang") == language, url
            assert not tab.locator("meta[http-equiv=refresh i]").count(), url
            if not url.startswith("/admin/"):
                expect(tab.locator("h1")).to_have_count(1)
            measure(tab, axe, f"{who} {url}", findings, listed)
        for notification in world["emails"]:
            notification.recipient.language = language
            message = render_notification(notification)
            page.set_content(message.alternatives[0][0])
            measure(page, axe, f"e-mail {notification.kind}", findings, listed, keyboard=False)
    finally:
        for context in contexts:
            context.close()
    counts = {kind: sum(map(len, by_page.values())) for kind, by_page in findings.items()}
    print(
        f"\nfindings in {language}: {counts}, listed in the statement: "
        f"{sum(map(len, listed.values()))}"
    )
    # The statement lists nothing that the engines no longer find.
    stale = [f.rule for n, f in enumerate(STATEMENT.findings) if f.engine and n not in listed]
    assert stale == [], f"listed in mentorship/accessibility.toml but not found: {stale}"
    assert outside == [], f"requests to third parties: {outside}"
    assert findings == {}, "\n\n".join(
        f"{kind} {label}:\n  " + "\n  ".join(items)
        for kind, by_page in findings.items()
        for label, items in by_page.items()
    )
