import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from matching.models import Match
from programs.models import Application, Milestone, Program, Role
from programs.tests.factories import ApplicationFactory, MilestoneFactory, ProgramFactory


def add_pairs(program, count, *, start=0, status=Match.Status.PUBLISHED, published_days_ago=30):
    """Pairs in bulk: a few statements whatever the count."""
    users = User.objects.bulk_create(
        User(email=f"p{start + i}-{side}@{program.slug}.example.org", full_name=f"{side} {i}")
        for i in range(count)
        for side in ("adept", "mentor")
    )
    apps = Application.objects.bulk_create(
        ApplicationFactory.build(
            program=program,
            applicant=user,
            role=Role.ADEPT if n % 2 == 0 else Role.MENTOR,
            status=Application.Status.ACCEPTED,
            organization=program.owner,
        )
        for n, user in enumerate(users)
    )
    published = timezone.now() - datetime.timedelta(days=published_days_ago)
    return Match.objects.bulk_create(
        Match(
            program=program,
            adept=apps[i],
            mentor=apps[i + 1],
            status=status,
            published_at=published,
        )
        for i in range(0, len(apps), 2)
    )


@pytest.fixture
def running(coordinator):
    """A program half-way through its year, with a half-time seminar today."""
    today = timezone.localdate()
    program = ProgramFactory(
        slug="halvtid",
        status=Program.Status.RUNNING,
        applications_open_at=timezone.now() - datetime.timedelta(days=300),
        applications_close_at=timezone.now() - datetime.timedelta(days=250),
        starts_on=today - datetime.timedelta(days=180),
        ends_on=today + datetime.timedelta(days=180),
        meetings_min=8,
    )
    program.coordinators.add(coordinator)
    return program


@pytest.fixture
def half_time(running):
    return MilestoneFactory(
        program=running,
        kind=Milestone.Kind.HALF_TIME,
        starts_at=timezone.now() + datetime.timedelta(hours=2),
    )


@pytest.fixture
def pair(running, adept):
    mentor = UserFactory(email="maja@example.org", full_name="Maja Mentor")
    return Match.objects.create(
        program=running,
        adept=ApplicationFactory(program=running, applicant=adept, status="accepted"),
        mentor=ApplicationFactory(
            program=running, applicant=mentor, role=Role.MENTOR, status="accepted"
        ),
        status=Match.Status.PUBLISHED,
        published_at=timezone.now() - datetime.timedelta(days=150),
    )
