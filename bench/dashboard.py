"""Benchmark of the program dashboard and the evaluation results. Prints one JSON line a size.

    python bench/dashboard.py                  # 500 and 5,000 pairs
    python bench/dashboard.py --pairs 2000

For each size it builds a running program in a throw-away database (created next to the
configured one and dropped afterwards): the pairs, eight meetings each over the past months, a
half-time survey of seven questions answered by half the participants. It then times the
dashboard and the results page as a coordinator's browser gets them (the whole request,
rendered), and counts their queries.
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
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from evaluations.models import Answer, Response  # noqa: E402
from evaluations.services import survey_create  # noqa: E402
from matching.models import Match  # noqa: E402
from meetings.models import Meeting  # noqa: E402
from programs.models import Application, Milestone, Organization, Program, Role  # noqa: E402

DAY = datetime.timedelta(days=1)


def build(pairs: int, tag: str) -> tuple[Program, object, User]:
    today = timezone.localdate()
    now = timezone.now()
    owner = Organization.objects.create(name=f"Benchmark {tag}")
    program = Program.objects.create(
        name=f"Benchmark {tag}", slug=f"bench-{tag}", summary="-", description="-",
        audience="-", owner=owner, status=Program.Status.RUNNING, adept_places=pairs,
        applications_open_at=now - 300 * DAY, applications_close_at=now - 250 * DAY,
        starts_on=today - 200 * DAY, ends_on=today + 160 * DAY,
    )  # fmt: skip
    users = User.objects.bulk_create(
        User(email=f"p{i}@{tag}.bench.example.org", full_name=f"Person {i}", password="!")  # noqa: S106
        for i in range(pairs * 2)
    )
    applications = Application.objects.bulk_create(
        Application(
            program=program, applicant=user, organization=owner,
            role=Role.ADEPT if i % 2 == 0 else Role.MENTOR,
            status=Application.Status.ACCEPTED, mentor_capacity=None if i % 2 == 0 else 1,
        )
        for i, user in enumerate(users)
    )  # fmt: skip
    matches = Match.objects.bulk_create(
        Match(
            program=program, adept=applications[2 * i], mentor=applications[2 * i + 1],
            status=Match.Status.PUBLISHED, published_at=now - 190 * DAY,
        )
        for i in range(pairs)
    )  # fmt: skip
    Meeting.objects.bulk_create(
        Meeting(
            match=match, starts_at=now - (180 - 22 * k + i % 7) * DAY,
            status=Meeting.Status.HELD,
        )
        for i, match in enumerate(matches)
        for k in range(8 if i % 5 else 2)
    )  # fmt: skip
    milestone = Milestone.objects.create(
        program=program, kind=Milestone.Kind.HALF_TIME, starts_at=now - 10 * DAY
    )
    survey = survey_create(
        milestone=milestone, phase="half_time", opens_at=now - 12 * DAY, closes_at=now + 5 * DAY
    )
    questions = list(survey.questions.all())
    responses = Response.objects.bulk_create(
        Response(
            survey=survey,
            respondent=user,
            role=Role.ADEPT if i % 2 == 0 else Role.MENTOR,
            submitted_at=now,
        )
        for i, user in enumerate(users)
        if i % 4 < 2
    )
    values = {"scale": {"scale": 4}, "choice": {"choice": 1}, "text": {"text": "Bra."}}
    Answer.objects.bulk_create(
        Answer(response=response, question=question, **values[question.kind])
        for response in responses
        for question in questions
    )
    coordinator = User.objects.create(
        email=f"coordinator@{tag}.bench.example.org", is_staff=True, is_superuser=True
    )
    return program, survey, coordinator


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(client, url) -> tuple[float, int]:
    client.get(url, secure=True)  # warm: the session, template loading
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        seconds = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return seconds, counter.count


def run(pairs: int) -> dict:
    program, survey, coordinator = build(pairs, str(pairs))
    client = Client()
    client.force_login(coordinator)
    # A superuser in the benchmark, so no authenticator app is needed: mark one as set up.
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(coordinator, generate_totp_secret())
    dashboard_s, dashboard_q = timed(client, reverse("evaluations:dashboard", args=[program.slug]))
    results_s, results_q = timed(client, reverse("evaluations:results", args=[survey.pk]))
    return {
        "pairs": pairs,
        "meetings": Meeting.objects.filter(match__program=program).count(),
        "answers": Answer.objects.filter(response__survey=survey).count(),
        "dashboard_s": round(dashboard_s, 3),
        "dashboard_queries": dashboard_q,
        "results_s": round(results_s, 3),
        "results_queries": results_q,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", default="500,5000")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    # Pages render without collectstatic having run.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    connection.settings_dict["TEST"]["NAME"] = "mentorship_bench"
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        for pairs in (int(p) for p in args.pairs.split(",")):
            print(json.dumps({"database": name, **run(pairs)}), flush=True)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
