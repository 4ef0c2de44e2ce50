"""The access table: what every project URL gives anonymous visitors, participants,
coordinators and superusers. A URL without an entry here fails the build, so no view ships
without its access rule. The admin and allauth bring their own access control.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from evaluations.services import survey_create
from matching.models import Match, MatchConsultation
from matching.services import consultation_token
from matching.views import REVIEW_ACTIONS
from meetings.models import CalendarFeed, Goal, Meeting
from programs.models import (
    Application,
    LineManagerSupport,
    OrganizationCoordinator,
    Program,
    Role,
)
from programs.services import bank_leave_token, line_manager_token
from programs.tests.factories import (
    ApplicationFactory,
    MentorBankEntryFactory,
    MilestoneFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db

# "user" owns the application in the cases and is the mentor of a pair whose adept is
# "adept"; "other_user" is in another pair, in another program.
ROLES = [
    "anonymous",
    "user",
    "adept",
    "other_user",
    "other_coordinator",
    # Coordinates the organisation of "user" in the program: applications and pairs in the
    # admin, none of the lead coordinators' pages below.
    "organization_coordinator",
    # The line manager of "adept" (issue 18): their own page, none of the pair's.
    "line_manager",
    # The line manager of another adept of the program, and of one in another program.
    "other_line_manager",
    "coordinator",
    "superuser",
]
LOGIN = "login"  # expected: a redirect to the login page


@dataclass
class Case:
    name: str
    expect: dict[str, int | str]
    kwargs: dict | Callable = field(default_factory=dict)
    method: str = "get"
    data: dict | Callable = field(default_factory=dict)
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


def pair_only(code):
    """Pages of the pair: its two members, nobody else (coordinators see metadata in the
    admin)."""
    return {**owner_only(code), "adept": code}


def coordinators_only(code):
    """The program's coordinators and superusers; everyone else a 404."""
    return {**everyone(404), "anonymous": LOGIN, "coordinator": code, "superuser": code}


def answer_link_cases(name, key, answer):
    """A page an e-mail's signed link opens to take an answer without a login: whoever has
    the link (objects[key]) reads it and answers; a made-up one finds nothing."""
    return [
        Case(name, everyone(200), kwargs=lambda o: {"token": o[key]}),
        Case(
            name,
            everyone(302),
            kwargs=lambda o: {"token": o[key]},
            method="post",
            data=answer,
            label="answer",
        ),
        Case(name, everyone(404), kwargs={"token": "x:y:z"}, label="unknown"),
    ]


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
    Case("programs:privacy", everyone(200), kwargs={"slug": "the-program"}),
    Case("accessibility", everyone(200)),
    # Without a Danish WAS statement set, /was is not there (see test_accessibility.py).
    Case("was", everyone(404)),
    # The idle-logout warning's renewal: anyone logged in, by POST only.
    Case("accounts:keep_alive", everyone(405)),
    Case("accounts:keep_alive", {**everyone(200), "anonymous": 401}, method="post"),
    Case("accounts:profile", signed_in(200)),
    Case("accounts:my_data", signed_in(200)),
    Case("accounts:delete", signed_in(200)),
    # The wrong confirmation deletes nothing and shows the form again.
    Case("accounts:delete", signed_in(200), method="post", data={"email": "nope"}, label="wrong"),
    Case("accounts:set_language", everyone(405)),
    Case("accounts:set_language", everyone(302), method="post", data={"language": "en"}),
    # The adept has applied already and is sent to that application.
    Case(
        "programs:apply",
        {**signed_in(200), "adept": 302},
        kwargs={"slug": "the-program", "role": "adept"},
    ),
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
        {**everyone(404), "anonymous": LOGIN, "coordinator": 405, "superuser": 405},
        kwargs={"slug": "the-program"},
        method="post",
        label="post",
    ),
    # One view per action on the review: a POST by the program's coordinators, back to the
    # review (with the service's message when there is nothing to act on); GET is refused.
    *(
        Case(
            f"matching:{action}",
            {**everyone(404), "anonymous": LOGIN, "coordinator": 302, "superuser": 302},
            kwargs={"slug": "the-program"},
            method="post",
            # The program's own pair: the service is reached (and may say no).
            data=lambda o: {"match": o["match"].pk, "other": o["match"].pk, "reason": "Byte"},
        )
        for action in REVIEW_ACTIONS
    ),
    Case(
        "matching:publish",
        {**everyone(404), "anonymous": LOGIN, "coordinator": 405, "superuser": 405},
        kwargs={"slug": "the-program"},
        label="get",
    ),
    Case(
        "matching:run_status",
        {**everyone(404), "anonymous": LOGIN, "coordinator": 200, "superuser": 200},
        kwargs={"slug": "the-program"},
    ),
    # A participant's own page: coordinators see matches in the review, not here.
    Case("matching:rematch", pair_only(200), kwargs=lambda o: {"pk": o["match"].pk}),
    # The check after a month: the pair's two people, each their own answer.
    Case("matching:pulse", pair_only(200), kwargs=lambda o: {"pk": o["match"].pk}),
    Case(
        "matching:pulse",
        pair_only(302),
        kwargs=lambda o: {"pk": o["match"].pk},
        method="post",
        data={"working": "4"},
        label="answer",
    ),
    Case("meetings:mentorships", {**signed_in(200), "user": 302, "adept": 302, "other_user": 302}),
    Case("meetings:mentorship", pair_only(200), kwargs=lambda o: {"pk": o["match"].pk}),
    Case("meetings:goal_add", pair_only(200), kwargs=lambda o: {"pk": o["match"].pk}),
    Case(
        "meetings:goal_add",
        pair_only(302),
        kwargs=lambda o: {"pk": o["match"].pk},
        method="post",
        data={"goal-title": "Bli tryggare", "goal-status": "open"},
        label="save",
    ),
    Case("meetings:goal_edit", pair_only(200), kwargs=lambda o: o["goal_kwargs"]),
    Case(
        "meetings:goal_move",
        pair_only(302),
        kwargs=lambda o: o["goal_kwargs"],
        method="post",
        data={"direction": "up"},
    ),
    Case(
        "meetings:goal_comment",
        pair_only(302),
        kwargs=lambda o: o["goal_kwargs"],
        method="post",
        data={"text": "Bra mål"},
    ),
    Case("meetings:meeting_add", pair_only(200), kwargs=lambda o: {"pk": o["match"].pk}),
    Case("meetings:meeting", pair_only(200), kwargs=lambda o: {"meeting_id": o["meeting"].pk}),
    Case("meetings:meeting_ics", pair_only(200), kwargs=lambda o: {"meeting_id": o["meeting"].pk}),
    Case("meetings:calendar", signed_in(200)),
    Case("meetings:calendar", signed_in(302), method="post", data={"action": "create"}),
    # The secret address is the key: whoever has it gets the feed, a wrong one gets nothing.
    Case("meetings:feed", everyone(200), kwargs=lambda o: {"token": o["feed"].token}),
    Case("meetings:feed", everyone(404), kwargs={"token": "not-a-token"}, label="unknown"),
    Case("evaluations:list", signed_in(200)),
    Case("evaluations:answer", pair_only(200), kwargs=lambda o: {"pk": o["survey"].pk}),
    Case(
        "evaluations:answer",
        pair_only(302),
        kwargs=lambda o: {"pk": o["survey"].pk},
        method="post",
        data={"action": "save"},
        label="save",
    ),
    Case("evaluations:results", coordinators_only(200), kwargs=lambda o: {"pk": o["survey"].pk}),
    Case(
        "evaluations:results_csv", coordinators_only(200), kwargs=lambda o: {"pk": o["survey"].pk}
    ),
    Case(
        "evaluations:results_xlsx", coordinators_only(200), kwargs=lambda o: {"pk": o["survey"].pk}
    ),
    Case("evaluations:dashboard", coordinators_only(200), kwargs={"slug": "the-program"}),
    Case("programs:mentor_bank", signed_in(200)),
    Case("programs:mentor_bank", signed_in(302), method="post", label="leave"),
    # The link in the bank's e-mails is its own key, like the calendar feed: whoever has it
    # may take that person out of that bank; a made-up one does nothing.
    Case("programs:mentor_bank_leave", everyone(200), kwargs=lambda o: {"token": o["leave"]}),
    Case(
        "programs:mentor_bank_leave",
        everyone(200),
        kwargs=lambda o: {"token": o["leave"]},
        method="post",
        label="leave",
    ),
    Case("programs:mentor_bank_leave", everyone(200), kwargs={"token": "x:y"}, label="unknown"),
    # The line manager's link is its key too; a made-up one finds nothing.
    *answer_link_cases("programs:line_manager", "manager", {"answer": "supported"}),
    # A line manager's own page: the people they support; someone who supports nobody finds
    # nothing there.
    Case(
        "meetings:line_manager_page",
        {**everyone(404), "anonymous": LOGIN, "line_manager": 200, "other_line_manager": 200},
    ),
    Case(
        "meetings:line_manager_withdraw",
        {**everyone(404), "anonymous": LOGIN, "line_manager": 302},
        kwargs=lambda o: {"pk": o["support"].pk},
        method="post",
        data={"confirm": "yes"},
    ),
    Case(
        "meetings:line_manager_withdraw",
        {**everyone(405), "anonymous": LOGIN},
        kwargs=lambda o: {"pk": o["support"].pk},
        label="get",
    ),
    # The question about the proposed mentor: its link is its key, as above.
    *answer_link_cases("matching:line_manager_match", "proposal", {"answer": "agreed"}),
    # The preference round's shortlist: the accepted adept only (mentors rank only where the
    # program says so; this one does not).
    Case(
        "matching:preferences",
        {**everyone(404), "anonymous": LOGIN, "adept": 200},
        kwargs={"slug": "the-program"},
    ),
    Case(
        "matching:preferences",
        {**everyone(404), "anonymous": LOGIN, "adept": 302},
        kwargs={"slug": "the-program"},
        method="post",
        label="save",
    ),
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
        "adept": UserFactory(),
        "other_user": UserFactory(),
        "other_coordinator": UserFactory(is_staff=True),
        "organization_coordinator": UserFactory(is_staff=True),
        "line_manager": UserFactory(),
        "other_line_manager": UserFactory(),
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
    OrganizationCoordinator.objects.create(
        program=program, organization=mentoring.organization, user=cast["organization_coordinator"]
    )
    program.line_managers = Program.LineManagers.SUPPORT
    program.line_manager_say = True
    program.preferences_open_at = timezone.now() - datetime.timedelta(days=1)
    program.preferences_close_at = timezone.now() + datetime.timedelta(days=5)
    program.save()
    adept = ApplicationFactory(
        program=program, applicant=cast["adept"], status=Application.Status.ACCEPTED
    )
    match = Match.objects.create(
        program=program, adept=adept, mentor=mentoring, status=Match.Status.PUBLISHED
    )
    support = LineManagerSupport.objects.create(
        application=adept, manager=cast["line_manager"], asked_at=timezone.now()
    )
    elsewhere = ApplicationFactory(applicant=cast["other_user"])
    LineManagerSupport.objects.create(
        application=elsewhere, manager=cast["other_line_manager"], asked_at=timezone.now()
    )
    proposed = Match.objects.create(
        program=program,
        adept=ApplicationFactory(program=program),
        mentor=ApplicationFactory(program=program, role=Role.MENTOR),
    )
    Match.objects.create(
        program=elsewhere.program,
        adept=elsewhere,
        mentor=ApplicationFactory(program=elsewhere.program, role=Role.MENTOR),
        status=Match.Status.PUBLISHED,
    )
    goal = Goal.objects.create(match=match, title="Leda förändring")
    objects = {
        "application": mentoring,
        "match": match,
        "goal_kwargs": {"pk": match.pk, "goal_id": goal.pk},
        # A planning meeting with the line manager: still the pair's page, not theirs.
        "meeting": Meeting.objects.create(
            match=match, kind="planning", starts_at=timezone.now() + datetime.timedelta(days=70)
        ),
        "feed": CalendarFeed.objects.create(user=cast["user"]),
        "leave": bank_leave_token(
            mentor_id=MentorBankEntryFactory(application=mentoring).mentor_id,
            owner_id=program.owner_id,
        ),
        "manager": line_manager_token(
            LineManagerSupport.objects.create(
                application=ApplicationFactory(
                    program=program, line_manager_name="Chef", line_manager_email="chef@example.org"
                ),
                manager=cast["other_line_manager"],
                asked_at=timezone.now(),
            )
        ),
        "support": support,
        "proposal": consultation_token(
            MatchConsultation.objects.create(
                match=proposed,
                mentor=proposed.mentor,
                manager=cast["other_line_manager"],
                answer_by=timezone.localdate() + datetime.timedelta(days=7),
                asked_at=timezone.now(),
            )
        ),
        "survey": survey_create(
            milestone=MilestoneFactory(program=program, kind="half_time"),
            phase="half_time",
            opens_at=timezone.now() - datetime.timedelta(days=1),
            closes_at=timezone.now() + datetime.timedelta(days=1),
        ),
    }
    if cast[role] is not None:
        client.force_login(cast[role])

    kwargs = case.kwargs(objects) if callable(case.kwargs) else case.kwargs
    url = reverse(case.name, kwargs=kwargs)
    data = case.data(objects) if callable(case.data) else case.data
    response = getattr(client, case.method)(url, data)

    # Every page carries the security headers, whatever the answer.
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "object-src 'none'" in response["Content-Security-Policy"]
    assert "base-uri 'none'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert (
        "'unsafe-inline'"
        not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]

    expected = case.expect[role]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == expected


def test_every_coordinator_page_outside_the_admin_carries_the_coordinators_gate():
    """So that a new coordinator page cannot miss the second factor: every route under
    manage/ is wrapped by accounts.decorators.coordinator_required."""
    from django.urls import get_resolver
    from django.urls.resolvers import URLPattern, URLResolver

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if not route.startswith("admin/"):
                    yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route, pattern.callback

    routes = [(route, view) for route, view in walk(get_resolver().url_patterns)]
    manage = [(route, view) for route, view in routes if route.startswith("manage/")]
    assert len(manage) >= 4
    assert [route for route, view in manage if not getattr(view, "coordinator_only", False)] == []
