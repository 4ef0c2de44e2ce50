"""Every page a person can reach, the admin pages coordinators use and the e-mails rendered as
pages, in Swedish, English and Danish, at 1280 and 320 CSS px: two accessibility engines find
nothing that the statement does not list, control boundaries and focus rings are seen, nothing
scrolls sideways with the text-spacing override, and no request leaves the app."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD
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
    states,
)
from notifications.emails import render_notification
from programs.models import Application, Role
from programs.tests.factories import ApplicationFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = {"sv": "Svenska", "en": "English", "da": "Dansk"}
STATEMENT = statement()


def measure(page, axe, label, findings, listed, keyboard=True, full=True):
    """Every measure of the sweep on the page as it is now, into findings[measure][label]; an
    engine's finding that the statement lists (mentorship/accessibility.toml) goes to listed.

    Not `full` (the languages after the first): the text's measures only. The focus rings
    and axe's second pass at 320 px look at what the language does not change (the same
    styles, the same controls) and are most of the sweep's time; the text's own length is
    measured in every language by the reflow at 320 px."""
    page.set_viewport_size(engines.DESKTOP)
    found = {
        "axe": engines.axe(page, axe),
        "htmlcs": engines.htmlcs(page),
        "boundary": engines.boundaries(page),
        "focus": engines.focus_rings(page) if keyboard and full else [],
    }
    page.set_viewport_size(engines.PHONE)
    if full:
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


# Empty a form's own fields (not its hidden ones), as someone sending it unfilled would.
EMPTY = """(button) => { for (const el of document.querySelector(button).form.elements) {
  if (el.tagName === 'TEXTAREA' || ['text', 'email', 'password', 'number', 'date',
      'datetime-local', 'url', 'search'].includes(el.type)) el.value = ''; } }"""


def with_errors(tab, url, button):
    """The page after its form was sent emptied: our error summary, or the admin's note."""
    tab.goto(url)
    if button:
        tab.evaluate(EMPTY, button)
        tab.locator(button).first.click()
        tab.wait_for_load_state()
        expect(tab.locator("#error-summary, .errornote").first).to_be_visible()
        assert tab.title().split(" ")[0] in ("Fel:", "Error:", "Fejl:"), (url, tab.title())


def proposals(world):
    """A program in matching, with a proposed pair: the review as coordinators use it."""
    from matching import services
    from programs.tests.factories import OrganizationFactory

    program = ProgramFactory(slug="matchning", organizations=[OrganizationFactory(),
                             OrganizationFactory()], matching_min_score=0)  # fmt: skip
    program.coordinators.add(world["coordinator"])
    for role, organization in zip(Role, program.organizations.all(), strict=True):
        ApplicationFactory(program=program, role=role, organization=organization,
                           status=Application.Status.ACCEPTED)  # fmt: skip
    services.matching_start(program=program, by=world["coordinator"])
    return reverse("matching:review", args=[program.slug])


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_in_every_language(page, browser, live_server, language):
    from axe_playwright_python.sync_playwright import Axe

    full = language == next(iter(LANGUAGES))
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
            measure(tab, axe, f"{who} {url}", findings, listed, full=full)
        for who, url, button in states(world):
            with_errors(tabs[who], url, button)
            label = f"{who} {url} {button and 'with errors'}"
            measure(tabs[who], axe, label, findings, listed, full=full)
        review = proposals(world)
        tabs[COORDINATOR].goto(review)
        expect(tabs[COORDINATOR].locator("#publish-confirm")).to_be_visible()
        label = f"{COORDINATOR} {review} with proposals"
        measure(tabs[COORDINATOR], axe, label, findings, listed, full=full)
        second_factor(browser, live_server, world, axe, findings, listed)
        for notification in world["emails"]:
            notification.recipient.language = language
            message = render_notification(notification)
            page.set_content(message.alternatives[0][0])
            label = f"e-mail {notification.kind}"
            measure(page, axe, label, findings, listed, keyboard=False, full=full)
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


def second_factor(browser, live_server, world, axe, findings, listed):
    """The second-factor step of a coordinator's log-in, as it comes and with a wrong code."""
    context = browser.new_context(base_url=live_server.url, locale="sv-SE")
    try:
        tab = context.new_page()
        tab.goto("/accounts/login/")
        tab.locator("#id_login").fill(world["coordinator"].email)
        tab.locator("#id_password").fill(PASSWORD)
        tab.locator("#id_password").press("Enter")
        expect(tab.locator("#id_code")).to_be_visible()
        measure(tab, axe, "coordinator the second-factor step", findings, listed)
        tab.locator("#id_code").fill("000001")
        tab.locator("#id_code").press("Enter")
        expect(tab.locator("#error-summary")).to_be_visible()
        measure(tab, axe, "coordinator the second-factor step with errors", findings, listed)
    finally:
        context.close()
