"""The access table: what every project URL gives anonymous visitors, participants,
coordinators and superusers. A URL without an entry here fails the build, so no view ships
without its access rule. The admin and allauth bring their own access control.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.tests.factories import UserFactory
from matching.models import Match
from programs.models import Program, Role
from programs.tests.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

# "user" is a participant who owns the application in the cases; "other_user" is another.
ROLES = ["anonymous", "user", "other_user", "other_coordinator", "coordinator", "superuser"]
LOGIN = "login"  # expected: a redirect to the login page


@dataclass
class Case:
    name: str
    expect: dict[str, int | str]
    kwargs: dict | Callable = field(default_factory=dict)
    method: str = "get"
    data: dict = field(default_factory=dict)
    program_status: str = Program.Status.OPEN
    label: str = ""

    @property
    def id(self):
        return f"{self.name}{'-' + self.label if self.label else ''}-{self.method}"


def everyone(code):
    return dict.fromkeys(ROLES, code)


def signed_in(code):
    return {**everyone(code), "anonymous": LOGIN}


def owner_only(code):
    return {**everyone(404), "anonymous": LOGIN, "user": code}


def own_application(objects):
    return {"pk": objects["application"].pk}


ACCESS = [
    Case("programs:list", everyone(200)),
    Case("programs:detail", everyone(200), kwargs={"slug": "the-program"}),
    Case(
        "programs:detail",
        {**everyone(404), "coordinator": 200, "superuser": 200},
        kwargs={"slug": "the-program"},
        program_status=Program.Status.DRAFT,
        label="draft",
    ),
    Case("programs:detail", everyone(404), kwargs={"slug": "no-such-program"}, label="unknown"),
    Case("accessibility", everyone(200)),
    Case("accounts:profile", signed_in(200)),
    Case("accounts:set_language", everyone(405)),
    Case("accounts:set_language", everyone(302), method="post", data={"language": "en"}),
    Case("programs:apply", signed_in(200), kwargs={"slug": "the-program", "role": "adept"}),
    Case(
        "programs:apply",
        signed_in(404),
        kwargs={"slug": "the-program", "role": "boss"},
        label="unknown-role",
    ),
    # A draft is hidden from everyone but its coordinators, and closed to applications: they
    # are sent back to the program page.
    Case(
        "programs:apply",
        {**signed_in(404), "coordinator": 302, "superuser": 302},
        kwargs={"slug": "the-program", "role": "mentor"},
        program_status=Program.Status.DRAFT,
        label="draft",
    ),
    Case("programs:my_applications", signed_in(200)),
    Case("programs:application", owner_only(200), kwargs=own_application),
    Case("programs:application_withdraw", owner_only(200), kwargs=own_application),
    Case(
        "programs:application_withdraw",
        owner_only(302),
        kwargs=own_application,
        method="post",
        label="confirm",
    ),
    Case(
        "matching:review",
        {**everyone(404), "anonymous": LOGIN, "coordinator": 200, "superuser": 200},
        kwargs={"slug": "the-program"},
    ),
    Case(
        "matching:review",
        {**everyone(404), "anonymous": LOGIN, "coordinator": 302, "superuser": 302},
        kwargs={"slug": "the-program"},
        method="post",
        data={"action": "run"},
        label="run",
    ),
    # A participant's own page: coordinators see matches in the review, not here.
    Case("matching:rematch", owner_only(200), kwargs=lambda o: {"pk": o["match"].pk}),
    Case("programs:mentor_bank", signed_in(200)),
    Case("programs:mentor_bank", signed_in(302), method="post", label="leave"),
]


def project_url_names(patterns=None, namespace=""):
    """Every named URL of ours, walking the resolver (admin and allauth left out)."""
    names = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            module = getattr(entry.urlconf_module, "__name__", "")
            if entry.namespace == "admin" or module.startswith("allauth"):
                continue
            prefix = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= project_url_names(entry.url_patterns, prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_project_url_has_an_access_rule():
    covered = {case.name for case in ACCESS}
    assert project_url_names() - covered == set(), "URLs without an entry in ACCESS"
    assert covered - project_url_names() == set(), "ACCESS lists URLs that do not exist"


@pytest.fixture
def cast(db):
    program_coordinator = UserFactory(is_staff=True)
    return {
        "anonymous": None,
        "user": UserFactory(),
        "other_user": UserFactory(),
        "other_coordinator": UserFactory(is_staff=True),
        "coordinator": program_coordinator,
        "superuser": UserFactory(is_staff=True, is_superuser=True),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", ACCESS, ids=lambda case: case.id)
def test_access(client, cast, case, role):
    program = ProgramFactory(slug="the-program", status=case.program_status)
    program.coordinators.add(cast["coordinator"])
    ProgramFactory(slug="another-program").coordinators.add(cast["other_coordinator"])
    mentoring = ApplicationFactory(program=program, applicant=cast["user"], role=Role.MENTOR)
    objects = {
        "application": mentoring,
        "match": Match.objects.create(
            program=program,
            adept=ApplicationFactory(program=program),
            mentor=mentoring,
            status=Match.Status.PUBLISHED,
        ),
    }
    if cast[role] is not None:
        client.force_login(cast[role])

    kwargs = case.kwargs(objects) if callable(case.kwargs) else case.kwargs
    url = reverse(case.name, kwargs=kwargs)
    response = getattr(client, case.method)(url, case.data)

    expected = case.expect[role]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == expected
