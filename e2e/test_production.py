"""Production as it will run: gunicorn with debug off behind Debian's nginx (TLS with a
self-signed certificate, forwarding the client's address), whitenoise's static files,
PostgreSQL, a Redis broker with a real worker, and a real SMTP server on loopback (aiosmtpd).
Through it, in Chromium: sign up and confirm from the e-mail the server received, apply, the
line manager supports from the e-mail's link without a login, log in as a coordinator with the
authenticator's code, decide; the security headers, cookie flags and
HSTS hold, no page is a 500, and `check --deploy` is clean. Then Redis stops: logins and pages
still work, and the e-mail written meanwhile goes out once, when Redis is back.
"""

import re
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from e2e.helpers import current_code
from e2e.stack import Stack, text_of
from mentorship.celery import app as celery_app
from notifications.models import Notification
from notifications.tests.conftest import redis_server  # noqa: F401
from programs.models import Application, LineManagerSupport, Program
from programs.tests.factories import (
    FocusAreaFactory,
    OrganizationFactory,
    ProgramFactory,
    unit_named,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def production(tmp_path, redis_server):  # noqa: F811
    """The app served as production serves it (e2e/stack.py)."""
    with Stack(tmp_path, redis_server.url) as stack:
        yield {"base": stack.base, "env": stack.env, "mailbox": stack.mailbox,
               "redis": redis_server}  # fmt: skip
    # No request of the run was a 500 (gunicorn's access log, one line a request).
    assert stack.errors() == []


def test_production_as_it_runs(production, browser, settings):
    base, mailbox = production["base"], production["mailbox"]
    # The coordinator's password hashed as production hashes them (the tests' own are quick).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    kth = OrganizationFactory(name="KTH")
    unit_named(kth, "Arkitekturskolan")
    program = ProgramFactory(
        name="Mentorprogram i drift", slug="i-drift", organizations=[kth],
        line_managers=Program.LineManagers.SUPPORT,
    )  # fmt: skip
    program.focus_areas.set([FocusAreaFactory(name_sv="Leda förändring")])
    coordinator = UserFactory(email="karin@example.org", is_staff=True)
    program.coordinators.add(coordinator)

    context = browser.new_context(base_url=base, ignore_https_errors=True, locale="sv-SE")
    context.set_default_timeout(20_000)
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))

    # Sign up; the confirmation comes from the SMTP server, through the outbox and the worker.
    page.goto("/accounts/signup/")
    page.locator("#id_full_name").fill("Ada Adept")
    page.locator("#id_email").fill("ada@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("form[action$='/accounts/signup/'] button[type=submit]").click()
    confirmation = mailbox.wait("ada@example.org")
    link = re.search(r"https://localhost:\d+/accounts/confirm-email/\S+/", text_of(confirmation))
    assert link, text_of(confirmation)
    page.goto(link.group(0))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("form[action$='/accounts/logout/']")).to_have_count(1)

    # The cookies as production sets them, and the headers on every page.
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["sessionid"]["secure"] and cookies["sessionid"]["httpOnly"]
    assert cookies["csrftoken"]["secure"]
    head = page.request.get("/")
    assert head.headers["strict-transport-security"].startswith("max-age=31536000")
    assert "default-src 'self'" in head.headers["content-security-policy"]
    static = page.request.get("/static/css/site.css")
    assert static.status == 200 and "max-age" in static.headers.get("cache-control", "")

    # Apply.
    page.goto(f"/programs/{program.slug}/apply/adept/")
    page.get_by_label("Organisation").select_option(label="KTH")
    page.get_by_label("Enhet eller ledningsgrupp").select_option(label="Arkitekturskolan")
    page.get_by_label("Befattning").fill("Prefekt")
    page.get_by_label("Chef med personalansvar sedan").fill(
        (program.starts_on.replace(year=program.starts_on.year - 2)).isoformat()
    )
    page.get_by_label("Antal direkt underställda").fill("9")
    page.get_by_label("Leda förändring").check()
    page.get_by_role("textbox", name="Personligt brev").fill("Jag vill växa som chef.")
    page.locator("#id_line_manager_name").fill("Carl Chef")
    page.locator("#id_line_manager_email").fill("carl@example.org")
    page.get_by_label(re.compile("Jag samtycker till att programmets")).check()
    page.locator("button[name=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    application = Application.objects.get(applicant__email="ada@example.org")
    assert application.status == Application.Status.SUBMITTED
    mailbox.wait("ada@example.org", count=2)  # "we have received your application"

    # Her line manager answers from the e-mail the SMTP server received, in a browser with
    # no session: the signed link and the form's CSRF cookie work over TLS behind the proxy.
    asked = mailbox.wait("carl@example.org")
    link = re.search(r"https://localhost:\d+/line-manager/\S+/", text_of(asked))
    assert link, text_of(asked)
    manager = browser.new_context(base_url=base, ignore_https_errors=True, locale="sv-SE")
    manager.set_default_timeout(20_000)
    answer = manager.new_page()
    answer.on("response", lambda response: responses.append(response))
    answer.goto(link.group(0))
    answer.get_by_label("Jag stöder ansökan", exact=True).check()
    answer.get_by_role("button", name="Skicka mitt svar").click()
    expect(answer.locator(".alert-success")).to_be_visible()
    assert {c["name"]: c for c in manager.cookies()}["csrftoken"]["secure"]
    manager.close()
    assert LineManagerSupport.objects.get().answer == LineManagerSupport.Answer.SUPPORTED

    # The coordinator logs in with the authenticator's code and decides, with Redis down.
    production["redis"].stop()
    staff = browser.new_context(base_url=base, ignore_https_errors=True, locale="sv-SE")
    staff.set_default_timeout(20_000)
    desk = staff.new_page()
    desk.on("response", lambda response: responses.append(response))
    desk.goto("/accounts/login/")
    desk.locator("#id_login").fill(coordinator.email)
    desk.locator("#id_password").fill(PASSWORD)
    desk.locator("#id_password").press("Enter")
    desk.locator("#id_code").fill(current_code(coordinator.email))
    desk.locator("#id_code").press("Enter")
    expect(desk.locator("form[action$='/accounts/logout/']")).to_have_count(1)
    desk.goto(f"/admin/programs/application/?program={program.pk}")
    desk.locator(f"input[name=_selected_action][value='{application.pk}']").check()
    desk.locator("select[name=action]").select_option("accept")
    desk.locator("button[name=index]").click()
    expect(desk.locator(".messagelist")).to_be_visible()
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    decision = Notification.objects.get(kind="decision", recipient=application.applicant)
    assert decision.status == Notification.Status.PENDING  # written, waiting for the broker
    for url in ("/", f"/programs/{program.slug}/", "/admin/"):
        assert desk.goto(url).status == 200

    # Redis is back: the decision goes out once.
    production["redis"].start()
    celery_app._after_fork()
    celery_app.send_task("notifications.tasks.deliver_pending")
    mailbox.wait("ada@example.org", count=3, timeout=60)
    time.sleep(1)
    assert len(mailbox.to("ada@example.org")) == 3
    decision.refresh_from_db()
    assert decision.status == Notification.Status.SENT

    assert [r.url for r in responses if r.status >= 500] == []
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=production["env"], cwd=django_settings.BASE_DIR, capture_output=True, text=True,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    context.close()
    staff.close()
