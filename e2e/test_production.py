"""Production as it will run: gunicorn with debug off behind Debian's nginx (TLS with a
self-signed certificate, forwarding the client's address), whitenoise's static files,
PostgreSQL, a Redis broker with a real worker, and a real SMTP server on loopback (aiosmtpd).
Through it, in Chromium: sign up and confirm from the e-mail the server received, apply, log in
as a coordinator with the authenticator's code, decide; the security headers, cookie flags and
HSTS hold, no page is a 500, and `check --deploy` is clean. Then Redis stops: logins and pages
still work, and the e-mail written meanwhile goes out once, when Redis is back.
"""

import email
import email.policy
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from e2e.helpers import current_code
from mentorship.celery import app as celery_app
from mentorship.tests.workers import start_worker
from notifications.models import Notification
from notifications.tests.conftest import RedisServer, free_port, redis_server  # noqa: F401
from programs.models import Application
from programs.tests.factories import FocusAreaFactory, OrganizationFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NGINX = "/usr/sbin/nginx"
BIN = Path(sys.executable).parent


class Mailbox:
    """A real SMTP server on loopback that keeps what it is given."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]

    def wait(self, address, count=1, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.to(address)) < count:
            time.sleep(0.1)
        assert len(self.to(address)) >= count, [m["To"] for m in self.messages]
        return self.to(address)[-1]


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def wait_for_port(port, timeout=30):
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


@pytest.fixture
def production(tmp_path, redis_server):  # noqa: F811
    """The app served as production serves it; yields its address, environment and mailbox."""
    mailbox = Mailbox()
    mailbox.controller.start()
    app_port, tls_port = free_port(), free_port()
    base = f"https://localhost:{tls_port}"
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_ENV_FILE": "",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x7!k2" * 12,
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_CSRF_TRUSTED_ORIGINS": base,
        "DJANGO_BEHIND_TLS_PROXY": "true",
        "DJANGO_ZEAL": "false",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": redis_server.url,
        "EMAIL_URL": f"smtp://127.0.0.1:{mailbox.port}",
        "SITE_URL": base,
    }
    env.pop("CACHE_URL", None)  # production's own default: the database cache
    manage = [sys.executable, "manage.py"]
    for command in (["createcachetable"], ["collectstatic", "--noinput", "-v", "0"]):
        subprocess.run([*manage, *command], env=env, cwd=django_settings.BASE_DIR, check=True)

    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-keyout", tmp_path / "key.pem", "-out", tmp_path / "cert.pem"],
        check=True, capture_output=True,
    )  # fmt: skip
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / folder).mkdir()
    (tmp_path / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    server {{
        listen 127.0.0.1:{tls_port} ssl;
        server_name localhost;
        ssl_certificate {tmp_path}/cert.pem;
        ssl_certificate_key {tmp_path}/key.pem;
        location / {{
            proxy_pass http://127.0.0.1:{app_port};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto https;
        }}
    }}
}}
""")
    gunicorn = subprocess.Popen(
        [BIN / "gunicorn", "mentorship.wsgi", "--bind", f"127.0.0.1:{app_port}",
         "--workers", "2", "--access-logfile", "-"],
        env=env, cwd=django_settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    nginx = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
         "-c", str(tmp_path / "nginx.conf")],
    )  # fmt: skip
    worker = start_worker(redis_server.url, "celery", **env)
    try:
        wait_for_port(app_port)
        wait_for_port(tls_port)
        yield {"base": base, "env": env, "mailbox": mailbox, "redis": redis_server,
               "gunicorn": gunicorn}  # fmt: skip
    finally:
        for process in (worker, nginx, gunicorn):
            process.terminate()
        log = gunicorn.communicate(timeout=30)[0].decode(errors="replace")
        nginx.wait(timeout=30)
        worker.communicate(timeout=30)
        mailbox.controller.stop()
        # No request of the run was a 500 (gunicorn's access log, one line a request).
        assert not re.search(r'" 5\d\d ', log), log[-3000:]


def test_production_as_it_runs(production, browser, settings):
    base, mailbox = production["base"], production["mailbox"]
    # The coordinator's password hashed as production hashes them (the tests' own are quick).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    program = ProgramFactory(name="Mentorprogram i drift", slug="i-drift",
                             organizations=[OrganizationFactory(name="KTH")])  # fmt: skip
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
    page.get_by_label("Enhet eller ledningsgrupp").fill("Arkitekturskolan")
    page.get_by_label("Befattning").fill("Prefekt")
    page.get_by_label("Chef med personalansvar sedan").fill(
        (program.starts_on.replace(year=program.starts_on.year - 2)).isoformat()
    )
    page.get_by_label("Antal direkt underställda").fill("9")
    page.get_by_label("Leda förändring").check()
    page.get_by_role("textbox", name="Personligt brev").fill("Jag vill växa som chef.")
    page.get_by_label(re.compile("Jag samtycker till att programmets")).check()
    page.locator("button[name=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    application = Application.objects.get(applicant__email="ada@example.org")
    assert application.status == Application.Status.SUBMITTED
    mailbox.wait("ada@example.org", count=2)  # "we have received your application"

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
