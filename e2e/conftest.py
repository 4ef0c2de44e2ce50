"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from e2e.engines import AXE_OPTIONS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="sv-SE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    # No request may leave the app: no CDN, no third-party anything.
    outside = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(live_server.url) else outside.append(request.url)
        ),
    )
    # Nothing on our pages may break the Content-Security-Policy.
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert outside == [], f"requests to third parties: {outside}"
    assert violations == [], violations


@pytest.fixture
def assert_accessible():
    axe = Axe()

    def check(page):
        results = axe.run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, results.generate_report()

    return check
