"""Deadline day: many applicants log in and submit at once while others browse, against the
app as production serves it (gunicorn, debug off, behind nginx with TLS, a worker and a real
SMTP server: e2e/stack.py). Prints one JSON line.

    python bench/deadline.py                  # 100 applicants, 100 browsers at once
    python bench/deadline.py --applicants 300 --web-workers 4

It builds an open program and the applicants' accounts in a throw-away database, runs every
applicant's visit in a thread of its own (log-in page, log in, the form, submit), and then
checks in the database that each application was stored once, submitted, and at the SMTP
server that each applicant got one confirmation. Latency is per request, at the client.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import ssl
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
os.environ["DJANGO_DEBUG"] = "false"
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-" + os.urandom(16).hex())
os.environ["DJANGO_ZEAL"] = "false"
os.environ.pop("CACHE_URL", None)

import django

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from e2e.stack import Stack  # noqa: E402
from notifications.tests.conftest import RedisServer  # noqa: E402
from programs.models import Application, FocusArea, Organization, Program  # noqa: E402

PASSWORD = "deadline-day-password-2026"  # noqa: S105 - the throw-away accounts' own
INSECURE = ssl._create_unverified_context()  # noqa: S323 - the stack's self-signed certificate


def build(applicants: int, name: str = "deadline") -> tuple[Program, list[str]]:
    now = timezone.now()
    today = timezone.localdate()
    kth, _created = Organization.objects.get_or_create(name="KTH")
    program = Program.objects.create(
        name=f"Deadline-dagens program ({name})", slug=name, summary="-", description="-",
        audience="-", owner=kth, status=Program.Status.OPEN, adept_places=applicants,
        applications_open_at=now - timezone.timedelta(days=30),
        applications_close_at=now + timezone.timedelta(hours=2),
        starts_on=today + timezone.timedelta(days=30),
        ends_on=today + timezone.timedelta(days=400),
    )  # fmt: skip
    program.organizations.add(kth)
    area, _created = FocusArea.objects.get_or_create(code="change", name_sv="Leda förändring")
    program.focus_areas.add(area)
    hashed = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(email=f"{name}{i}@bench.example.org", full_name=f"Sökande {i}", password=hashed,
             language="sv")
        for i in range(applicants)
    )  # fmt: skip
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    return program, [user.email for user in users]


class Visit:
    """One person's browser: cookies, and the time of every request."""

    def __init__(self, base: str, timings: list, errors: list, logins: list | None = None):
        self.base, self.timings, self.errors = base, timings, errors
        self.logins = logins if logins is not None else []
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), urllib.request.HTTPSHandler(context=INSECURE)
        )
        self.jar = jar

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, path: str, data: dict | None = None) -> str:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        headers = {"Referer": self.base + path} if data is not None else {}
        # Always the stack's own https address.
        request = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                text = response.read().decode()
                status = response.status
        except urllib.error.HTTPError as exc:
            text, status = exc.read().decode(errors="replace"), exc.code
        except OSError as exc:
            text, status = str(exc), 0
        took = time.perf_counter() - started
        self.timings.append(took)
        if data is not None and path == "/accounts/login/":
            self.logins.append(took)
        if status >= 400 or status == 0:
            self.errors.append(f"{status} {path}")
        return text


def apply(base, email, program, timings, errors, logins):
    visit = Visit(base, timings, errors, logins)
    visit.request("/accounts/login/")
    visit.request(
        "/accounts/login/",
        {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": visit.csrf()},
    )
    form = visit.request(f"/programs/{program.slug}/apply/adept/")
    organization = re.search(r'<option value="(\d+)"[^>]*>KTH<', form)
    area = re.search(r'name="focus_areas" value="(\d+)"', form)
    if not (organization and area):
        errors.append(f"no form for {email}")
        return
    visit.request(
        f"/programs/{program.slug}/apply/adept/",
        {
            "csrfmiddlewaretoken": visit.csrf(), "organization": organization.group(1),
            "unit": "Skolan", "job_title": "Prefekt", "manager_since": "2020-01-01",
            "direct_reports": "9", "focus_areas": area.group(1), "meeting_format": "either",
            "letter": "Jag vill växa som chef.", "consent_processing": "on", "submit": "1",
        },
    )  # fmt: skip


def browse(base, program, timings, errors):
    visit = Visit(base, timings, errors)
    for path in ("/", f"/programs/{program.slug}/", "/accounts/login/"):
        visit.request(path)


def run(applicants: int, browsers: int, web_workers: int) -> dict:
    program, emails = build(applicants)
    with tempfile.TemporaryDirectory() as tmp:
        redis = RedisServer(Path(tmp))
        redis.start()
        try:
            with Stack(Path(tmp), redis.url, web_workers=web_workers) as stack:
                # Warm up each web worker's connection and templates.
                warm: list = []
                for _ in range(web_workers * 2):
                    Visit(stack.base, warm, []).request("/")
                timings: list[float] = []
                logins: list[float] = []
                errors: list[str] = []
                started = time.perf_counter()
                with ThreadPoolExecutor(max_workers=applicants + browsers) as pool:
                    jobs = [pool.submit(apply, stack.base, e, program, timings, errors, logins)
                            for e in emails]  # fmt: skip
                    jobs += [pool.submit(browse, stack.base, program, timings, errors)
                             for _ in range(browsers)]  # fmt: skip
                    for job in jobs:
                        job.result()
                elapsed = time.perf_counter() - started
                # Every confirmation reaches the SMTP server (the worker sends them).
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline and len(stack.mailbox.messages) < applicants:
                    time.sleep(0.2)
                time.sleep(2)  # anything sent twice would arrive now
                received = [m["To"] for m in stack.mailbox.messages]
                server_errors = stack.errors()
        finally:
            redis.stop()
    stored = Application.objects.filter(program=program)
    submitted = stored.filter(status=Application.Status.SUBMITTED).count()
    timings.sort()

    def pct(p, values=timings):
        values = sorted(values)
        return round(values[min(len(values) - 1, int(p * len(values)))] * 1000, 1)

    # A log-in hashes the password (PBKDF2, as Django sets it): timed once here, it is the
    # floor of a burst of log-ins, which share the machine's cores.
    started = time.perf_counter()
    make_password(PASSWORD)
    hash_ms = (time.perf_counter() - started) * 1000
    login_times = set(logins)
    others = [t for t in timings if t not in login_times]

    return {
        "applicants": applicants,
        "browsers": browsers,
        "web_workers": web_workers,
        "cpus": os.cpu_count(),
        "requests": len(timings),
        "seconds": round(elapsed, 2),
        "requests_per_s": round(len(timings) / elapsed, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "median_ms": round(statistics.median(timings) * 1000, 1),
        "login_p99_ms": pct(0.99, logins),
        "other_p50_ms": pct(0.50, others),
        "other_p99_ms": pct(0.99, others),
        "one_password_hash_ms": round(hash_ms, 1),
        "hashing_floor_s": round(hash_ms * applicants / 1000 / (os.cpu_count() or 1), 1),
        "errors": len(errors) + len(server_errors),
        "error_samples": (errors + server_errors)[:5],
        "applications_stored": stored.count(),
        "applications_submitted": submitted,
        "lost": applicants - submitted,
        "duplicated": stored.count() - len(set(stored.values_list("applicant", flat=True))),
        "confirmations": len(received),
        "confirmations_lost": len(set(emails) - set(received)),
        "confirmations_duplicated": len(received) - len(set(received)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=100)
    parser.add_argument("--browsers", type=int, default=100)
    parser.add_argument("--web-workers", type=int, default=max(2, (os.cpu_count() or 1)))
    args = parser.parse_args()
    connection.settings_dict["TEST"]["NAME"] = "mentorship_deadline"
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        figures = run(args.applicants, args.browsers, args.web_workers)
        print(json.dumps({"database": name, **figures}), flush=True)
    finally:
        connection.close()
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
