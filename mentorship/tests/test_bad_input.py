"""Generated bad input to every form: a form error, a message or a 400, never a 500."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.models import Match
from matching.views import REVIEW_ACTIONS
from meetings.models import Goal, Meeting
from programs.models import Role
from programs.tests.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

JUNK = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "-1", "0", "99999999999999999999", "abc", "2027-02-30", "1e309", "null",
                     "<script>", "=1+1", "\x00", "../../etc", "on", "true", "T" * 5000]),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
)  # fmt: skip

# The actions the forms know, so that each path behind them is reached.
ACTIONS = st.sampled_from(["run", "publish", "lock", "unlock", "remove", "swap", "add", "end",
                           "waitlist_adepts", "bank_mentors", "held", "cancel", "plan", "save",
                           "create", "revoke", "renew"])  # fmt: skip

FIELDS = [
    "organization", "unit", "job_title", "manager_since", "direct_reports", "focus_areas",
    "meeting_format", "region", "languages", "wishes", "mentor_capacity", "letter",
    "membership_confirmed", "consent_processing", "consent_bank", "submit", "save", "full_name",
    "language", "monthly_reminders", "starts_at", "duration_minutes", "location", "agenda",
    "notes", "action", "goal-title", "goal-status", "goal-description", "text", "reason",
    "match", "other", "adept", "mentor", "direction", "next",
]  # fmt: skip


@pytest.fixture
def world(client, coordinator):
    today = timezone.localdate()
    program = ProgramFactory(
        slug="fuzz",
        starts_on=today + datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=300),
    )
    program.coordinators.add(coordinator)
    adept = ApplicationFactory(program=program, applicant=coordinator)
    mentor = ApplicationFactory(program=program, role=Role.MENTOR)
    match = Match.objects.create(
        program=program, adept=adept, mentor=mentor, status=Match.Status.PUBLISHED
    )
    goal = Goal.objects.create(match=match, title="Mål")
    meeting = Meeting.objects.create(
        match=match, starts_at=timezone.now() + datetime.timedelta(days=40)
    )
    client.force_login(coordinator)  # a coordinator who is also in a pair reaches every form
    return [
        reverse("programs:apply", args=["fuzz", "mentor"]),
        adept.get_absolute_url(),
        reverse("programs:application_withdraw", args=[adept.pk]),
        reverse("accounts:profile"),
        reverse("accounts:set_language"),
        reverse("meetings:meeting_add", args=[match.pk]),
        meeting.get_absolute_url(),
        reverse("meetings:goal_add", args=[match.pk]),
        reverse("meetings:goal_edit", args=[match.pk, goal.pk]),
        reverse("meetings:goal_move", args=[match.pk, goal.pk]),
        reverse("meetings:goal_comment", args=[match.pk, goal.pk]),
        reverse("meetings:calendar"),
        reverse("matching:review", args=["fuzz"]),
        reverse("matching:rematch", args=[match.pk]),
        reverse("programs:mentor_bank"),
        # The review's actions, one view each (after the fifteen forms, whose places the
        # tests below name).
        *(reverse(f"matching:{action}", args=["fuzz"]) for action in REVIEW_ACTIONS),
    ]


@pytest.mark.parametrize("form", range(15 + len(REVIEW_ACTIONS)))
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_form_answers_bad_input_with_a_500(client, world, form, data):
    url = world[form]
    # Every field may be there or not, with one or more bad values.
    optional = {name: st.lists(JUNK, min_size=1, max_size=3) for name in FIELDS}
    optional["action"] = st.lists(ACTIONS | JUNK, min_size=1, max_size=2)
    body = data.draw(st.fixed_dictionaries({}, optional=optional))
    response = client.post(url, body)
    assert response.status_code in (200, 302, 400, 403, 404, 405), (url, body)


def test_too_many_fields_is_a_400(client, world):
    body = {f"field{n}": "x" for n in range(1500)}
    client.raise_request_exception = False
    assert client.post(world[3], body).status_code == 400


@pytest.mark.parametrize("action", ["lock", "unlock", "remove", "swap", "end"])
@pytest.mark.parametrize("bad", ["", "abc", "-1", "99999999999999999999"])
def test_tampered_ids_on_the_matching_review_are_a_404(client, world, action, bad):
    assert world[12] == reverse("matching:review", args=["fuzz"])
    url = reverse(f"matching:{action}", args=["fuzz"])
    response = client.post(url, {"match": bad, "other": bad})
    assert response.status_code == 404


# Query strings: every admin changelist with each of its filters' parameters (and the admin's
# own: ordering, page, search), and our own views that read the query string.
BAD_VALUES = ["abc", "99999999999999999999", "\x00", "2027-02-30"]


def _filter_parameters(model_admin, request):
    names = {"o", "p", "q", "all", "_facets", "e"}
    for item in model_admin.get_list_filter(request):
        if isinstance(item, str):
            names |= {f"{item}__exact", f"{item}__id__exact", f"{item}__isnull", item}
        elif isinstance(item, tuple):
            names |= {f"{item[0]}__id__exact", f"{item[0]}__exact"}
        else:
            names.add(getattr(item, "parameter_name", "") or "")
    return sorted(name for name in names if name)


@pytest.mark.parametrize("who", ["coordinator", "superuser"])
def test_no_admin_list_or_view_answers_a_bad_query_string_with_a_500(
    client, world, coordinator, superuser, rf, who
):
    from django.contrib import admin

    user = coordinator if who == "coordinator" else superuser
    client.force_login(user)
    request = rf.get("/")
    request.user = user
    failures = []
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for name in _filter_parameters(model_admin, request):
            for value in BAD_VALUES:
                response = client.get(url, {name: value})
                if response.status_code not in (200, 302, 400, 403):
                    failures.append((url, name, value, response.status_code))
    for url in [*world, reverse("programs:apply", args=["fuzz", "mentor"])]:
        for value in BAD_VALUES:
            params = {"from_bank": value, "from": value, "next": value, "program": value}
            response = client.get(url, params)
            if response.status_code not in (200, 302, 400, 403, 404, 405):
                failures.append((url, value, response.status_code))
    assert failures == []


def test_a_tampered_program_filter_lists_as_if_absent(client, world, coordinator):
    client.force_login(coordinator)
    url = reverse("admin:programs_application_changelist")
    assert client.get(url, {"program": "abc"}).status_code == 200
    assert client.get(url, {"program": "99999999"}).status_code == 200


@pytest.mark.parametrize(
    ("character", "why"),
    [("\u202e", "a right-to-left override"), ("\x07", "a bell"), ("\u2066", "an isolate"),
     ("\x00", "NUL")],
)  # fmt: skip
def test_invisible_control_characters_are_refused_with_a_message_and_never_stored(
    client, world, character, why
):
    """In a name others read, in a goal, a comment, a meeting's notes, a letter."""
    from accounts.models import User
    from meetings.models import GoalComment

    name = f"Anna{character}gpj.exe"
    pages = [
        (world[3], {"full_name": name, "language": "sv"}),
        (world[7], {"goal-title": name, "goal-status": "open"}),
        (world[10], {"text": name}),
        (world[6], {"starts_at": "2027-01-01T10:00", "duration_minutes": "60",
                    "meeting_format": "digital", "notes": name, "action": "save"}),
    ]  # fmt: skip

    def stored():
        # (PostgreSQL cannot even be asked about a NUL: nothing may reach it.)
        return (
            list(User.objects.values_list("full_name", flat=True)),
            list(Goal.objects.values_list("title", flat=True)),
            GoalComment.objects.count(),
            list(Meeting.objects.values_list("notes", flat=True)),
        )

    before = stored()
    for url, body in pages:
        response = client.post(url, body, follow=True)
        assert response.status_code == 200, (url, why)
        page = response.content.decode()
        assert "control characters" in page or "Null characters" in page, (url, why)
    assert stored() == before


def test_a_five_megabyte_letter_is_a_400_and_nothing_is_stored(client, world):
    from programs.models import Application

    before = Application.objects.count()
    client.raise_request_exception = False
    response = client.post(world[0], {"letter": "x" * 5_000_000, "save": "1"})
    assert response.status_code == 400
    assert Application.objects.count() == before


def test_a_pair_adding_goals_in_a_loop_is_stopped_with_a_message(client, world):
    from meetings.services import PER_DAY

    url = world[7]
    for n in range(PER_DAY["goals"] + 5):
        response = client.post(url, {"goal-title": f"Mål {n}", "goal-status": "open"}, follow=True)
    assert "goals a day; try again tomorrow" in response.content.decode()
    assert Goal.objects.count() == PER_DAY["goals"]  # the world's one goal counts too
