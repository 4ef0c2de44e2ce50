"""Benchmark of the reminder planning sweep and of e-mail delivery. Prints one JSON line.

    python bench/reminders.py               # 10,000 live pairs, 5 milestones
    python bench/reminders.py --pairs 2000

It builds a program in a throw-away database (created next to the configured one and
dropped afterwards), then times the planning sweep (monthly reminders for every pair, a
milestone notice for everyone) and the delivery of all the e-mails it planned, rendered in
text and HTML to Django's in-memory mail backend.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
# Measured as in production: templates without debug information, no N+1 detector.
os.environ["DJANGO_DEBUG"] = "false"
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-" + os.urandom(16).hex())
os.environ["DJANGO_ZEAL"] = "false"

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from matching.models import Match  # noqa: E402
from notifications.models import Notification  # noqa: E402
from notifications.planning import plan_all  # noqa: E402
from notifications.services import notifications_deliver  # noqa: E402
from programs.models import Application, Milestone, Organization, Program, Role  # noqa: E402


def build(pairs: int) -> Program:
    today = timezone.localdate()
    now = timezone.now()
    owner = Organization.objects.create(name="Benchmark")
    program = Program.objects.create(
        name="Benchmark program", slug="bench", summary="-", description="-", audience="-",
        owner=owner, status=Program.Status.RUNNING, adept_places=pairs,
        applications_open_at=now - datetime.timedelta(days=100),
        applications_close_at=now - datetime.timedelta(days=60),
        starts_on=today - datetime.timedelta(days=30), ends_on=today + datetime.timedelta(days=300),
        reminder_day=1,
    )  # fmt: skip
    languages = ["sv", "en", "da"]
    users = User.objects.bulk_create(
        User(
            email=f"person{i}@bench.example.org", full_name=f"Person {i}",
            language=languages[i % 3], password="!",  # noqa: S106 - an unusable password
        )
        for i in range(pairs * 2)
    )  # fmt: skip
    applications = Application.objects.bulk_create(
        Application(
            program=program, applicant=user, organization=owner,
            role=Role.ADEPT if i % 2 == 0 else Role.MENTOR,
            status=Application.Status.ACCEPTED, mentor_capacity=None if i % 2 == 0 else 1,
        )
        for i, user in enumerate(users)
    )  # fmt: skip
    Match.objects.bulk_create(
        Match(
            program=program, adept=applications[2 * i], mentor=applications[2 * i + 1],
            status=Match.Status.PUBLISHED, published_at=now,
        )
        for i in range(pairs)
    )  # fmt: skip
    kinds = ["kick_off", "inspiration", "half_time", "evaluation", "closing"]
    Milestone.objects.bulk_create(
        Milestone(
            program=program, kind=kind, starts_at=now + datetime.timedelta(days=1 + 30 * i),
            notice_days=[14, 1] if i == 0 else [14],
        )
        for i, kind in enumerate(kinds)
    )  # fmt: skip
    return program


class QueryCounter:
    """Counts queries without keeping them (Django's own log stops at 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def run(pairs: int) -> dict:
    build(pairs)
    planning, delivery = QueryCounter(), QueryCounter()
    with connection.execute_wrapper(planning):
        started = time.perf_counter()
        plan_all()
        plan_s = time.perf_counter() - started
    emails = Notification.objects.count()
    with connection.execute_wrapper(delivery):
        started = time.perf_counter()
        sent = notifications_deliver(batch_size=500)
        deliver_s = time.perf_counter() - started
    from django.core import mail

    assert sent == emails == len(mail.outbox), (sent, emails, len(mail.outbox))
    return {
        "pairs": pairs,
        "plan_s": round(plan_s, 3),
        "plan_queries": planning.count,
        "emails": emails,
        "deliver_s": round(deliver_s, 3),
        "emails_per_s": round(emails / deliver_s, 1),
        "queries_per_1000": round(delivery.count * 1000 / max(emails, 1), 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    args = parser.parse_args()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core import mail

    mail.outbox = []
    # A database of its own, so that it never meets the test suite's.
    connection.settings_dict["TEST"]["NAME"] = "mentorship_bench"
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        print(json.dumps({"database": name, **run(args.pairs)}), flush=True)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
