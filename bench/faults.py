"""Faults against the app as production serves it (e2e/stack.py): what each one costs, counted.
Prints one JSON line per fault.

    python bench/faults.py                 # all four
    python bench/faults.py --only smtp

- smtp:   the mail server is down while 50 e-mails are delivered, then back: each e-mail
          retried and sent once (the retry is brought forward: the backoff is minutes).
- beats:  two planning sweeps at once over 200 pairs: each reminder planned once.
- redis:  Redis down while 30 applicants submit and reminders are due, then back: every
          application stored, every e-mail sent once.
- postgres: the local PostgreSQL restarted while 40 applicants submit: error pages meanwhile,
          then recovery; no application half-written (each stored whole or not at all).

The last one restarts the checkout's own PostgreSQL (`.local/pg`): run it on a development
machine, not against a database in use.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.deadline import apply, build

# isort: split
from django.db import close_old_connections, connection
from django.utils import timezone

from accounts.models import User
from e2e.stack import Mailbox, Stack
from matching.models import Match
from mentorship.celery import app as celery_app
from notifications.models import Notification
from notifications.planning import plan_all
from notifications.services import notify_many
from notifications.tests.conftest import RedisServer
from programs.models import Application, Program, Role

ROOT = Path(__file__).resolve().parent.parent


def wait(done, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not done():
        time.sleep(0.2)
    return done()


def received(stack, expected=None):
    addresses = [m["To"] for m in stack.mailbox.messages]
    return addresses if expected is None else [a for a in addresses if a in set(expected)]


def once(addresses, expected):
    return {
        "expected": len(expected),
        "sent": len(addresses),
        "lost": len(set(expected) - set(addresses)),
        "duplicated": len(addresses) - len(set(addresses)),
    }


def kick():
    celery_app.send_task("notifications.tasks.deliver_pending")


def running_pairs(pairs: int) -> Program:
    program, emails = build(pairs * 2, f"pairs{pairs}")
    today = timezone.localdate()
    Program.objects.filter(pk=program.pk).update(
        status=Program.Status.RUNNING, starts_on=today - datetime.timedelta(days=40),
        applications_close_at=timezone.now() - datetime.timedelta(days=60),
        applications_open_at=timezone.now() - datetime.timedelta(days=90), reminder_day=1,
    )  # fmt: skip
    users = list(User.objects.filter(email__in=emails).order_by("pk"))
    applications = Application.objects.bulk_create(
        Application(program=program, applicant=user, role=Role.ADEPT if i % 2 == 0 else Role.MENTOR,
                    status=Application.Status.ACCEPTED, letter="-", job_title="-")
        for i, user in enumerate(users)
    )  # fmt: skip
    Match.objects.bulk_create(
        Match(program=program, adept=applications[i], mentor=applications[i + 1],
              status=Match.Status.PUBLISHED, published_at=timezone.now())
        for i in range(0, len(applications), 2)
    )  # fmt: skip
    return Program.objects.get(pk=program.pk)


def fault_smtp(stack, redis):
    program, emails = build(50, "smtp")
    users = User.objects.filter(email__in=emails)
    stack.mailbox.controller.stop()
    notify_many(
        [
            Notification(recipient=user, program=program, kind="bank_invitation",
                         key=f"bank_invitation:{program.pk}", context={"program": program.pk})
            for user in users
        ]
    )  # fmt: skip
    kick()
    wait(lambda: not Notification.objects.filter(attempts=0).exists(), 60)
    failed_tries = Notification.objects.filter(attempts__gte=1, status="pending").count()
    # The mail server is back (a new one on the same port); the retry is brought forward.
    port = stack.mailbox.port
    stack.mailbox = Mailbox()
    stack.mailbox.port = port
    from aiosmtpd.controller import Controller

    stack.mailbox.controller = Controller(stack.mailbox, hostname="127.0.0.1", port=port)
    stack.mailbox.controller.start()
    Notification.objects.filter(status="pending").update(next_attempt_at=timezone.now())
    kick()
    wait(lambda: set(emails) <= set(received(stack)))
    time.sleep(2)
    return {"fault": "smtp", "attempts_while_down": failed_tries,
            **once(received(stack, emails), emails)}  # fmt: skip


def fault_beats(stack, redis):
    program = running_pairs(200)
    counts = []
    barrier = threading.Barrier(2)

    def sweep():
        close_old_connections()
        barrier.wait()
        counts.append(plan_all(programs=Program.objects.filter(pk=program.pk)))
        connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = Notification.objects.filter(program=program)
    keys = list(rows.values_list("recipient", "kind", "key"))
    return {
        "fault": "beats", "pairs": 200, "planned_by_each": counts, "rows": len(keys),
        "duplicated": len(keys) - len(set(keys)),
    }  # fmt: skip


def fault_redis(stack, redis):
    program, emails = build(30, "redis")
    pairs = running_pairs(20)
    redis.stop()
    errors: list[str] = []
    with ThreadPoolExecutor(max_workers=30) as pool:
        for job in [pool.submit(apply, stack.base, e, program, [], errors, []) for e in emails]:
            job.result()
    planned = plan_all(programs=Program.objects.filter(pk=pairs.pk))  # beat's work, by hand
    stored = Application.objects.filter(program=program, status="submitted").count()
    redis.start()
    time.sleep(2)  # the worker reconnects
    kick()
    expected = emails + [
        User.objects.get(pk=pk).email
        for pk in Notification.objects.filter(program=pairs).values_list("recipient", flat=True)
    ]
    wait(lambda: set(expected) <= set(received(stack)))
    time.sleep(2)
    return {
        "fault": "redis", "applications": len(emails), "stored": stored,
        "request_errors": len(errors), "reminders_planned": planned,
        **once(received(stack, expected), expected),
    }  # fmt: skip


def fault_postgres(stack, redis):
    program, emails = build(40, "postgres")
    errors: list[str] = []
    pg = ROOT / ".local" / "pg"
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    restart = [pg_bin / "pg_ctl", "-D", pg, "-m", "fast", "-w", "-l", pg / "server.log", "restart"]
    if os.getuid() == 0:
        restart = ["runuser", "-u", "postgres", "--", *map(str, restart)]
    with ThreadPoolExecutor(max_workers=40) as pool:
        jobs = [pool.submit(apply, stack.base, e, program, [], errors, []) for e in emails]
        time.sleep(0.5)  # the first log-ins are in flight
        # No pipes: the server pg_ctl starts would hold them open, and we would wait forever.
        subprocess.run(restart, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        for job in jobs:
            job.result()
    connection.close()
    # Recovery: the same people try again once the database is back.
    retry_errors: list[str] = []
    missing = set(emails) - set(
        Application.objects.filter(program=program).values_list("applicant__email", flat=True)
    )
    with ThreadPoolExecutor(max_workers=40) as pool:
        for job in [pool.submit(apply, stack.base, e, program, [], retry_errors, [])
                    for e in missing]:  # fmt: skip
            job.result()
    stored = Application.objects.filter(program=program)
    half = stored.filter(status="submitted", focus_areas__isnull=True).count()
    return {
        "fault": "postgres", "applicants": len(emails), "errors_during_restart": len(errors),
        "errors_after": len(retry_errors), "stored": stored.count(),
        "submitted": stored.filter(status="submitted").count(), "half_written": half,
        "duplicated": stored.count() - len(set(stored.values_list("applicant", flat=True))),
    }  # fmt: skip


FAULTS = {"smtp": fault_smtp, "beats": fault_beats, "redis": fault_redis,
          "postgres": fault_postgres}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(FAULTS), action="append")
    args = parser.parse_args()
    connection.settings_dict["TEST"]["NAME"] = "mentorship_faults"
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        for fault in args.only or list(FAULTS):
            with tempfile.TemporaryDirectory() as tmp:
                redis = RedisServer(Path(tmp))
                redis.start()
                try:
                    with Stack(Path(tmp), redis.url) as stack:
                        # Celery reads the environment's broker before its settings.
                        os.environ["CELERY_BROKER_URL"] = redis.url
                        celery_app.conf.broker_url = redis.url
                        celery_app._after_fork()
                        # Each fault on its own: what earlier ones left in the outbox goes.
                        Notification.objects.all().delete()
                        print(json.dumps(FAULTS[fault](stack, redis)), flush=True)
                finally:
                    if redis.process.poll() is None:
                        redis.stop()
    finally:
        connection.close()
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
