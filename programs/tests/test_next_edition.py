"""The next edition in one step (seed 001's yearly program, seed 000's spring round after its
autumn pilot): the settings, people, milestones and questions come along, the dates move, the
applications stay behind."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AuditEntry
from programs.models import EmailText, Milestone, Option, Program, Question
from programs.tests.factories import (
    ApplicationFactory,
    FocusAreaFactory,
    MilestoneFactory,
    OrganizationFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db


def local(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def edition(coordinator):
    """A program that starts in the winter: its kick-off is at ten, in winter time."""
    starts_on = datetime.date(2027, 1, 18)
    program = ProgramFactory(
        name="Mentorsprogram för skolledare 2027",
        slug="skolledare-2027",
        status=Program.Status.RUNNING,
        applications_open_at=local(datetime.date(2026, 10, 1), 8),
        applications_close_at=local(datetime.date(2026, 11, 30), 23),
        starts_on=starts_on,
        ends_on=datetime.date(2027, 11, 30),
        adept_places=5,
        adept_max_manager_months=24,
        organizations=[OrganizationFactory(name="Sundsvalls kommun")],
    )
    program.coordinators.add(coordinator)
    program.focus_areas.add(FocusAreaFactory())
    MilestoneFactory(program=program, kind=Milestone.Kind.KICK_OFF, starts_at=local(starts_on, 10))
    MilestoneFactory(
        program=program, kind=Milestone.Kind.CLOSING, title_sv="Avslutning",
        starts_at=local(datetime.date(2027, 11, 25), 13),
        ends_at=local(datetime.date(2027, 11, 25), 16),
    )  # fmt: skip
    role = Question.objects.create(
        program=program, kind=Question.Kind.CHOICE, text_sv="Din roll", required=True
    )
    Option.objects.create(question=role, text_sv="Rektor", places=3)
    Option.objects.create(question=role, text_sv="Biträdande rektor", position=1, places=2)
    ApplicationFactory(program=program)
    return program


def url(program):
    return reverse("admin:programs_program_next_edition", args=[program.pk])


def test_the_next_edition_is_offered_a_year_on_with_the_years_in_its_name_moved(
    client, coordinator, edition
):
    client.force_login(coordinator)
    change = client.get(reverse("admin:programs_program_change", args=[edition.pk]))
    assert url(edition) in change.content.decode()
    page = client.get(url(edition))
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial == {
        "name": "Mentorsprogram för skolledare 2028",
        "starts_on": datetime.date(2028, 1, 18),
    }


def test_the_next_edition_copies_the_program_and_moves_its_dates(client, coordinator, edition):
    client.force_login(coordinator)
    response = client.post(
        url(edition),
        {"name": "Mentorsprogram för skolledare 2027 (höst)", "starts_on": "2027-08-16"},
    )
    new = Program.objects.exclude(pk=edition.pk).get()
    assert response.status_code == 302
    assert response.url == reverse("admin:programs_program_change", args=[new.pk])
    message = client.get(response.url).content.decode()
    assert "is ready as a draft, with this program&#x27;s milestones and questions" in message

    assert new.status == Program.Status.DRAFT
    assert new.slug == "mentorsprogram-for-skolledare-2027-host"
    assert (new.adept_places, new.adept_max_manager_months) == (5, 24)
    assert list(new.coordinators.all()) == [coordinator]
    assert set(new.organizations.all()) == set(edition.organizations.all())
    assert set(new.focus_areas.all()) == set(edition.focus_areas.all())
    # 210 days later: every date, and each milestone at the same hour on the clock, although
    # the kick-off moves from winter to summer time.
    assert new.starts_on == datetime.date(2027, 8, 16)
    assert new.ends_on == datetime.date(2028, 6, 27)
    assert timezone.localtime(new.applications_open_at) == local(datetime.date(2027, 4, 29), 8)
    kick_off, closing = new.milestones.order_by("starts_at")
    assert timezone.localtime(kick_off.starts_at).hour == 10
    assert kick_off.starts_at.date() == datetime.date(2027, 8, 16)
    assert timezone.localtime(closing.ends_at) == local(datetime.date(2028, 6, 22), 16)
    assert closing.title_sv == "Avslutning"
    # The questions with their answers and places; the applications stay behind.
    question = new.questions.get()
    assert (question.text_sv, question.required) == ("Din roll", True)
    assert [(o.text_sv, o.places) for o in question.options.order_by("position")] == [
        ("Rektor", 3),
        ("Biträdande rektor", 2),
    ]
    assert not new.applications.exists()
    assert edition.questions.get().options.count() == 2  # the old edition keeps its own
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.PROGRAM_CREATED, program=new, actor=coordinator
    ).exists()


def test_a_second_copy_with_the_same_name_gets_a_slug_of_its_own(client, coordinator, edition):
    client.force_login(coordinator)
    data = {"name": "Mentorsprogram 2028", "starts_on": "2028-01-17"}
    assert client.post(url(edition), data).status_code == 302
    assert client.post(url(edition), data).status_code == 302
    assert set(Program.objects.exclude(pk=edition.pk).values_list("slug", flat=True)) == {
        "mentorsprogram-2028",
        "mentorsprogram-2028-2",
    }


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"name": "", "starts_on": "2028-01-17"}, "name", "This field is required."),
        ({"name": "Nästa", "starts_on": "17/1 2028"}, "starts_on", "Enter a valid date."),
        (
            {"name": "Nästa", "starts_on": "2027-01-18"},
            "starts_on",
            "The new edition must start after this one, which starts on",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_made(
    client, coordinator, edition, data, field, message
):
    client.force_login(coordinator)
    response = client.post(url(edition), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert "Error:" in response.content.decode().split("</title>")[0]
    assert Program.objects.count() == 1


def test_only_the_programs_coordinators_make_its_next_edition(
    client, coordinator, other_coordinator, superuser, edition
):
    data = {"name": "Nästa", "starts_on": "2028-01-17"}
    # Anonymous and participants are sent to the admin's log-in.
    assert client.get(url(edition)).status_code == 302
    client.force_login(UserFactory())
    assert client.post(url(edition), data).status_code == 302
    # Another program's coordinator: not found, and nothing made.
    client.force_login(other_coordinator)
    assert client.get(url(edition)).status_code == 404
    assert client.post(url(edition), data).status_code == 404
    assert Program.objects.count() == 1
    client.force_login(superuser)
    assert client.get(url(edition)).status_code == 200
    client.force_login(coordinator)
    assert client.post(url(edition), data).status_code == 302
    assert Program.objects.count() == 2


@pytest.mark.parametrize("more", [0, 8])
def test_the_copy_takes_the_same_queries_however_many_milestones_and_questions(
    client, coordinator, edition, django_assert_max_num_queries, more
):
    for n in range(more):
        MilestoneFactory(program=edition, kind=Milestone.Kind.OTHER, title_sv=f"Träff {n}")
        question = Question.objects.create(
            program=edition, kind=Question.Kind.YES_NO, text_sv=f"Fråga {n}"
        )
        Option.objects.filter(question=question).update(places=2)
    for kind in EmailText.Kind.values[:more]:  # all five paragraphs, or none
        EmailText.objects.create(program=edition, kind=kind, text_sv=f"Stycke: {kind}")
    client.force_login(coordinator)
    with django_assert_max_num_queries(16):
        client.get(url(edition))
    with django_assert_max_num_queries(32):
        response = client.post(url(edition), {"name": "Nästa", "starts_on": "2028-01-17"})
    assert response.status_code == 302
    new = Program.objects.get(name="Nästa")
    assert new.milestones.count() == 2 + more
    assert Option.objects.filter(question__program=new).count() == 2 + 2 * more
    assert new.email_texts.count() == min(more, 5)
