"""A new edition asks people back (seed 001's union: its mentor bank and last year's waiting
list; seed 000's spring round: the autumn pilot's mentors): one e-mail each, in the role they
had, with a link that fills in the form from their application of last time."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AuditEntry
from notifications.emails import render_notification
from notifications.models import Notification
from notifications.services import notifications_deliver
from programs.models import Application, MentorBankEntry, Option, Program, Question, Role
from programs.services import Invitees, edition_invitees, program_next_edition
from programs.tests.factories import (
    ApplicationFactory,
    MentorBankEntryFactory,
    OrganizationFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db
Status = Application.Status


@pytest.fixture
def last_year(coordinator):
    program = ProgramFactory(
        name="Mentorprogrammet 2026", slug="mentor-2026", status=Program.Status.CLOSED,
        starts_on=datetime.date(2026, 2, 1), ends_on=datetime.date(2026, 12, 15),
    )  # fmt: skip
    program.coordinators.add(coordinator)
    school = Question.objects.create(
        program=program, kind=Question.Kind.CHOICE, text_sv="Din roll", role=Role.ADEPT
    )
    Option.objects.create(question=school, text_sv="Rektor")
    Option.objects.create(question=school, text_sv="Biträdande rektor", position=1)
    Question.objects.create(program=program, kind=Question.Kind.SHORT_TEXT, text_sv="Kommun")
    return program


@pytest.fixture
def people(last_year):
    """Last year's waiting list (an adept and a mentor), a mentor who took part, one who
    did not, and a mentor in the bank from an edition before."""
    earlier = ProgramFactory(owner=last_year.owner, status=Program.Status.CLOSED)
    banked = ApplicationFactory(program=earlier, role=Role.MENTOR, status=Status.BANKED,
                                job_title="Förbundssekreterare")  # fmt: skip
    MentorBankEntryFactory(mentor=banked.applicant, application=banked)
    waiting = ApplicationFactory(
        program=last_year, status=Status.WAITLISTED, job_title="Biträdande rektor",
        letter="Jag vill bli en bättre ledare för min skola.", direct_reports=7,
    )  # fmt: skip
    deputy = last_year.questions.get(kind=Question.Kind.CHOICE).options.get(position=1)
    waiting.answers.create(question=deputy.question).options.set([deputy])
    waiting.answers.create(question=last_year.questions.get(text_sv="Kommun"), text="Sundsvall")
    return {
        "banked": banked,
        "waiting": waiting,
        "waiting_mentor": ApplicationFactory(
            program=last_year, role=Role.MENTOR, status=Status.WAITLISTED
        ),
        "mentor": ApplicationFactory(program=last_year, role=Role.MENTOR, status=Status.ACCEPTED),
        "withdrawn": ApplicationFactory(
            program=last_year, role=Role.MENTOR, status=Status.WITHDRAWN
        ),
        "accepted_adept": ApplicationFactory(program=last_year, status=Status.ACCEPTED),
    }


@pytest.fixture
def this_year(last_year, coordinator):
    program = program_next_edition(
        program=last_year, name="Mentorprogrammet 2027", starts_on=datetime.date(2027, 2, 1),
        by=coordinator,
    )  # fmt: skip
    now = timezone.now()
    Program.objects.filter(pk=program.pk).update(
        status=Program.Status.OPEN,
        applications_open_at=now - datetime.timedelta(days=1),
        applications_close_at=now + datetime.timedelta(days=30),
    )
    program.refresh_from_db()
    return program


def url(program):
    return reverse("admin:programs_program_invite", args=[program.pk])


def invited(program):
    return {
        (n.recipient_id, n.kind, n.context["role"])
        for n in Notification.objects.filter(program=program)
    }


def applications(invitees):
    return [invitee.application for invitee in invitees]


def test_the_groups_are_the_bank_the_waiting_list_and_the_mentors_who_took_part(this_year, people):
    groups = {group: applications(i) for group, i in edition_invitees(this_year).items()}
    assert groups[Invitees.BANK] == [people["banked"]]
    assert set(groups[Invitees.WAITLIST]) == {people["waiting"], people["waiting_mentor"]}
    assert groups[Invitees.MENTORS] == [people["mentor"]]


def test_the_coordinator_invites_each_group_once_each_person_in_their_role(
    client, coordinator, this_year, people
):
    client.force_login(coordinator)
    change = client.get(reverse("admin:programs_program_change", args=[this_year.pk]))
    assert url(this_year) in change.content.decode()
    page = client.get(url(this_year))
    assert "(2 people not yet invited)" in page.content.decode()
    response = client.post(url(this_year), {"groups": ["bank", "waitlist"]}, follow=True)
    assert "3 invitations to apply to Mentorprogrammet 2027 are on their way." in (
        response.content.decode()
    )
    assert invited(this_year) == {
        (people["banked"].applicant_id, "bank_invitation", Role.MENTOR),
        (people["waiting"].applicant_id, "edition_invitation", Role.ADEPT),
        (people["waiting_mentor"].applicant_id, "edition_invitation", Role.MENTOR),
    }
    notifications_deliver()
    assert {m.to[0] for m in mail.outbox} == {
        people[name].applicant.email for name in ("banked", "waiting", "waiting_mentor")
    }
    entry = AuditEntry.objects.get(action=AuditEntry.Action.INVITATIONS_SENT)
    assert (entry.program, entry.detail) == (this_year, "3 people invited to apply")
    # Sent again, with the mentors added: only the mentors are new.
    response = client.post(url(this_year), {"groups": Invitees.GROUPS}, follow=True)
    assert "1 invitation to apply to Mentorprogrammet 2027 is on its way." in (
        response.content.decode()
    )
    response = client.post(url(this_year), {"groups": Invitees.GROUPS}, follow=True)
    assert "No one in the groups you chose is left to invite" in response.content.decode()
    assert Notification.objects.filter(program=this_year).count() == 4
    assert "(0 people not yet invited)" in client.get(url(this_year)).content.decode()


def test_people_who_applied_already_or_were_invited_from_the_bank_are_left_out(this_year, people):
    from programs.services import mentor_bank_invite

    ApplicationFactory(program=this_year, applicant=people["waiting"].applicant)
    mentor_bank_invite(
        entries=MentorBankEntry.objects.all(), program=this_year, by=this_year.coordinators.get()
    )
    groups = {group: applications(i) for group, i in edition_invitees(this_year).items()}
    assert groups[Invitees.BANK] == []
    assert groups[Invitees.WAITLIST] == [people["waiting_mentor"]]


def test_the_e_mail_says_why_and_links_to_a_form_filled_in_from_last_time(
    client, this_year, people
):
    from programs.services import edition_invite

    edition_invite(program=this_year, groups=[Invitees.WAITLIST], by=None)
    waiting = people["waiting"]
    waiting.applicant.language = "da"
    waiting.applicant.save()
    notification = Notification.objects.get(recipient=waiting.applicant)
    message = render_notification(notification)
    assert message.subject == "Du er inviteret til at søge Mentorprogrammet 2027"
    assert "venteliste" in message.body
    apply = reverse("programs:apply", args=[this_year.slug, "adept"])
    link = f"{apply}?from={waiting.pk}"
    assert link in message.body
    # The link fills in the new form from the old application, the answers to the copied
    # questions included; another person's application fills in nothing.
    client.force_login(waiting.applicant)
    page = client.get(link)
    assert "Skemaet er udfyldt fra din tidligere ansøgning." in page.content.decode()
    form = page.context["form"]
    assert form["job_title"].value() == "Biträdande rektor"
    assert form["direct_reports"].value() == 7
    assert form["letter"].value() == "Jag vill bli en bättre ledare för min skola."
    role, municipality = sorted(this_year.questions.all(), key=lambda q: q.kind)
    assert form[f"question_{role.pk}"].value() == str(role.options.get(position=1).pk)
    assert form[f"question_{municipality.pk}"].value() == "Sundsvall"
    other = people["accepted_adept"].pk
    form = client.get(f"{apply}?from={other}").context["form"]
    assert form["letter"].value() in (None, "")
    for bad in ("x1", "9" * 30, "-1"):
        form = client.get(f"{apply}?from={bad}").context["form"]
        assert form["letter"].value() in (None, "")


def test_invitations_wait_until_the_edition_is_open(client, coordinator, last_year, people):
    draft = program_next_edition(
        program=last_year, name="Nästa", starts_on=datetime.date(2027, 2, 1), by=coordinator
    )
    client.force_login(coordinator)
    page = client.get(url(draft)).content.decode()
    assert "The invitations can go out once the program is open" in page
    assert 'value="Send the invitations"' not in page
    response = client.post(url(draft), {"groups": ["waitlist"]}, follow=True)
    assert "Nästa is not open for applications." in response.content.decode()
    assert not Notification.objects.exists()


def test_a_group_must_be_chosen(client, coordinator, this_year, people):
    client.force_login(coordinator)
    response = client.post(url(this_year), {})
    assert response.status_code == 200
    assert "Choose at least one group to invite." in response.content.decode()
    assert "Error:" in response.content.decode().split("</title>")[0]
    response = client.post(url(this_year), {"groups": ["everyone"]})
    assert "Select a valid choice." in response.content.decode()
    assert not Notification.objects.exists()


def test_only_the_programs_coordinators_invite(
    client, coordinator, other_coordinator, superuser, this_year, people
):
    data = {"groups": ["waitlist"]}
    assert client.get(url(this_year)).status_code == 302
    client.force_login(UserFactory())
    assert client.post(url(this_year), data).status_code == 302
    client.force_login(other_coordinator)
    assert client.get(url(this_year)).status_code == 404
    assert client.post(url(this_year), data).status_code == 404
    assert not Notification.objects.exists()
    client.force_login(superuser)
    assert client.get(url(this_year)).status_code == 200
    client.force_login(coordinator)
    assert client.post(url(this_year), data).status_code == 302
    assert Notification.objects.count() == 2


def test_the_bank_is_the_organisations_not_another_ones(this_year, people):
    elsewhere = ApplicationFactory(
        program=ProgramFactory(owner=OrganizationFactory()), role=Role.MENTOR,
        status=Status.BANKED,
    )  # fmt: skip
    MentorBankEntryFactory(mentor=elsewhere.applicant, application=elsewhere)
    assert applications(edition_invitees(this_year)[Invitees.BANK]) == [people["banked"]]


@pytest.mark.parametrize("more", [1, 12])
def test_the_page_and_the_sending_take_the_same_queries_however_many_people(
    client, coordinator, this_year, last_year, django_assert_max_num_queries, more
):
    for _ in range(more):
        ApplicationFactory(program=last_year, status=Status.WAITLISTED)
        ApplicationFactory(program=last_year, role=Role.MENTOR, status=Status.ACCEPTED)
    client.force_login(coordinator)
    # 22: the invitations from a list count as invited too (one query).
    with django_assert_max_num_queries(22):
        assert client.get(url(this_year)).status_code == 200
    with django_assert_max_num_queries(30):
        client.post(url(this_year), {"groups": Invitees.GROUPS})
    assert Notification.objects.filter(program=this_year).count() == 2 * more
