import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs.models import Program
from programs.tests.factories import MilestoneFactory, OrganizationFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def test_the_list_shows_open_and_upcoming_programs_but_nothing_else(client):
    now = timezone.now()
    ProgramFactory(name="Öppet program")
    ProgramFactory(
        name="Kommande program",
        applications_open_at=now + datetime.timedelta(days=10),
        applications_close_at=now + datetime.timedelta(days=40),
    )
    ProgramFactory(name="Utkastet", status=Program.Status.DRAFT)
    ProgramFactory(name="Pågående program", status=Program.Status.RUNNING)
    ProgramFactory(
        name="Passerad deadline",
        applications_open_at=now - datetime.timedelta(days=40),
        applications_close_at=now - datetime.timedelta(minutes=1),
    )

    response = client.get(reverse("programs:list"))

    assert list(response.context["open_programs"].values_list("name", flat=True)) == [
        "Öppet program"
    ]
    assert list(response.context["upcoming_programs"].values_list("name", flat=True)) == [
        "Kommande program"
    ]
    html = response.content.decode()
    for hidden in ["Utkastet", "Pågående program", "Passerad deadline"]:
        assert hidden not in html


def test_the_program_page_shows_eligibility_deadline_and_timeline_in_order(client):
    program = ProgramFactory(
        slug="skolledare",
        adept_min_manager_months=6,
        mentor_min_manager_months=36,
        membership_required=True,
        membership_label="Jag är medlem i förbundet",
    )
    start = timezone.make_aware(datetime.datetime.combine(program.starts_on, datetime.time(10)))
    MilestoneFactory(program=program, kind="closing", starts_at=start + datetime.timedelta(300))
    MilestoneFactory(program=program, kind="kick_off", title_sv="", starts_at=start)
    MilestoneFactory(program=program, kind="half_time", starts_at=start + datetime.timedelta(150))

    html = client.get(program.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "at least 6 months as a manager" in html
    assert "at least 36 months as a manager" in html
    assert 'Required: <span lang="sv">Jag är medlem i förbundet</span>' in html
    assert "Application deadline" in html
    assert html.index("Kick-off") < html.index("Half-time seminar") < html.index("Closing")


def test_the_program_page_is_in_swedish_by_default(client):
    program = ProgramFactory()
    html = client.get(program.get_absolute_url()).content.decode()
    assert '<html lang="sv">' in html
    assert "Vem programmet är för" in html
    assert "Sista ansökningsdag" in html


@pytest.mark.parametrize(
    ("language", "heading"),
    [("sv", "Vem programmet är för"), ("en", "Who it is for"), ("da", "Hvem programmet er for")],
)
def test_the_program_page_renders_in_each_language(client, language, heading):
    program = ProgramFactory()
    MilestoneFactory(program=program)
    client.cookies["django_language"] = language
    html = client.get(program.get_absolute_url()).content.decode()
    assert f'<html lang="{language}">' in html
    assert heading in html


def make_programs(count):
    organizations = [OrganizationFactory() for _ in range(3)]
    for _ in range(count):
        program = ProgramFactory(organizations=organizations)
        MilestoneFactory(program=program)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_program_list_runs_the_same_queries_for_3_and_30_programs(client):
    make_programs(3)
    few = count_queries(client, reverse("programs:list"))
    make_programs(27)
    assert count_queries(client, reverse("programs:list")) == few


def test_the_program_page_runs_the_same_queries_for_3_and_30_milestones(
    client, django_assert_max_num_queries
):
    program = ProgramFactory(organizations=[OrganizationFactory() for _ in range(3)])
    for _ in range(3):
        MilestoneFactory(program=program)
    few = count_queries(client, program.get_absolute_url())
    for _ in range(27):
        MilestoneFactory(program=program)
    with django_assert_max_num_queries(few):
        client.get(program.get_absolute_url())


def test_an_n_plus_one_query_in_a_view_fails_the_test_run(client):
    # The detector is on in tests: touching a relation per row in a loop raises.
    from zeal.errors import NPlusOneError

    for _ in range(3):
        MilestoneFactory()
    with pytest.raises(NPlusOneError):
        from zeal import zeal_context

        with zeal_context():
            for program in Program.objects.all():
                _ = program.owner.name


def test_equal_ranges_read_as_one_number_and_empty_rules_are_left_out(client):
    program = ProgramFactory(
        slug="ett-ar", meetings_min=12, meetings_max=12, meeting_minutes_min=60,
        meeting_minutes_max=60, adept_min_manager_months=0, mentor_min_manager_months=36,
    )  # fmt: skip
    client.cookies["django_language"] = "en"
    page = client.get(program.get_absolute_url()).content.decode()
    assert "12 meetings of 60 minutes" in page
    assert "12–12" not in page and "60–60" not in page
    assert "at least 0 months" not in page
    assert "Mentors: at least 36 months" in page
