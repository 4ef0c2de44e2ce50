"""The people a program's coordinators already have on a list (seed 003's registrations of
interest gathered by the HR network, seed 001's letters by e-mail) invited to apply from a
spreadsheet (issue 17): a preview row by row, then one invitation each; what the list says of
them fills in their form, which they check, consent to and submit themselves."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.privacy import age_out, user_data
from accounts.tests.factories import UserFactory
from notifications.models import Notification
from notifications.services import notifications_deliver
from programs import services
from programs.models import Application, ParticipantInvitation, Role, Unit
from programs.tests.factories import ApplicationFactory, OrganizationFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(coordinator):
    owner = OrganizationFactory(name="Myndighetsnätverket Västernorrland")
    town = OrganizationFactory(name="Härnösands kommun", short_name="HK")
    agency = OrganizationFactory(name="Länsstyrelsen Västernorrland")
    Unit.objects.create(organization=town, name="Socialförvaltningen")
    program = ProgramFactory(slug="natverket", name="Mentorsprogrammet 2027", owner=owner,
                             organizations=[town, agency], text_language="sv")  # fmt: skip
    program.coordinators.add(coordinator)
    return {"program": program, "town": town, "agency": agency}


def url(program):
    return reverse("admin:programs_program_participants", args=[program.pk])


def csv_file(text, name="intresseanmalningar.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


SHEET = """E-post;Namn;Roll;Organisation;Enhet;Befattning;Språk
anna@harnosand.example;Anna Adept;adept;HK;Socialförvaltningen;Enhetschef;
mats@lansstyrelsen.example;Mats Mentor;Mentor;Länsstyrelsen Västernorrland;Miljö;Avdelningschef;
dorte@example.dk;Dorte Dansk;mentee;;;;dansk
applied@example.org;Ada Applied;adept;HK;;;
fel;Fel;adept;;;;
olle@example.org;Olle Okänd;chef;;;;
x@example.org;Xena;adept;Sundsvalls kommun;;;
anna@harnosand.example;Anna Adept;adept;HK;;;
anna@harnosand.example;Anna Adept;mentor;HK;;;
"""


def test_the_preview_says_what_happens_and_saves_nothing(client, coordinator, network):
    program = network["program"]
    ApplicationFactory(program=program, applicant=UserFactory(email="applied@example.org"))
    client.force_login(coordinator)
    response = client.post(url(program), {"file": csv_file(SHEET)})
    assert response.status_code == 200
    plan = response.context["plan"]
    assert [(row.line, row.action) for row in plan.rows] == [
        (2, "new"),
        (3, "new"),
        (4, "new"),
        (5, "unchanged"),
        (6, "error"),
        (7, "error"),
        (8, "error"),
        (9, "unchanged"),
        (10, "new"),
    ]
    anna, mats, dorte = plan.rows[:3]
    assert (anna.role, anna.organization, anna.unit_id is not None) == (
        Role.ADEPT, "Härnösands kommun", True,
    )  # fmt: skip
    assert (mats.role, mats.unit_id, dorte.role, dorte.language) == (
        Role.MENTOR, None, Role.ADEPT, "da",
    )  # fmt: skip
    messages = [row.message for row in plan.rows]
    assert messages[1] == "Miljö is not in the organisation's list of units: they pick theirs."
    assert messages[3] == "They have applied or been invited in this role already."
    assert messages[5] == "chef is not a role: write adept or mentor."
    assert messages[6] == "Sundsvalls kommun does not take part in the program."
    assert "Importing the file invites 4 people to apply" in response.content.decode()
    assert not ParticipantInvitation.objects.exists()
    assert not User.objects.filter(email="anna@harnosand.example").exists()
    assert not Notification.objects.exists()


def test_each_is_invited_once_and_finds_the_form_filled_in_from_the_list(
    client, coordinator, network
):
    program = network["program"]
    client.force_login(coordinator)
    token = client.post(url(program), {"file": csv_file(SHEET)}).context["token"]
    response = client.post(url(program), {"token": token}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "5 people invited to apply; each gets one e-mail with the link."
    ]
    invited = set(ParticipantInvitation.objects.values_list("person__email", "role"))
    assert invited == {
        ("anna@harnosand.example", Role.ADEPT),
        ("anna@harnosand.example", Role.MENTOR),
        ("mats@lansstyrelsen.example", Role.MENTOR),
        ("dorte@example.dk", Role.ADEPT),
        ("applied@example.org", Role.ADEPT),
    }
    anna = User.objects.get(email="anna@harnosand.example")
    assert not anna.has_usable_password() and not anna.is_staff and anna.language == "sv"
    assert User.objects.get(email="dorte@example.dk").language == "da"
    # Nothing is applied for them: no application exists until they submit one.
    assert not Application.objects.filter(applicant=anna).exists()

    notifications_deliver()
    assert len(mail.outbox) == 5
    by_person = {}
    for message in mail.outbox:
        by_person.setdefault(message.to[0], []).append(message)
    (dorte,) = by_person["dorte@example.dk"]
    assert dorte.subject == "Du er inviteret til at søge Mentorsprogrammet 2027"
    swedish = next(m for m in by_person["anna@harnosand.example"] if "adept" in m.body)
    assert "Härnösands kommun" in swedish.body and "Enhetschef" in swedish.body
    assert "Socialförvaltningen" in swedish.body
    assert re.search(r"/accounts/password/reset/key/\S+", swedish.body)

    client.force_login(anna)
    apply = reverse("programs:apply", kwargs={"slug": program.slug, "role": "adept"})
    response = client.get(apply)
    initial = response.context["form"].initial
    assert initial["organization"] == network["town"].pk
    assert initial["job_title"] == "Enhetschef"
    assert initial["unit"] == Unit.objects.get(name="Socialförvaltningen").pk
    assert len(list(response.context["messages"])) == 1

    # The same file again: everyone has been invited; no one hears twice.
    client.force_login(coordinator)
    token = client.post(url(program), {"file": csv_file(SHEET)}).context["token"]
    response = client.post(url(program), {"token": token}, follow=True)
    assert "0 people invited" in response.content.decode()
    notifications_deliver()
    assert len(mail.outbox) == 5
    # Nor does the next edition's invitation reach them a second time in the same role.
    assert services.edition_invitees(program)[services.Invitees.BANK] == []


def test_a_closed_program_invites_no_one(client, coordinator, network):
    program = network["program"]
    program.applications_close_at = timezone.now() - datetime.timedelta(days=1)
    program.save()
    client.force_login(coordinator)
    response = client.post(url(program), {"file": csv_file(SHEET)})
    assert "is not open for applications" in response.content.decode()
    response = client.post(url(program), {"token": response.context["token"]}, follow=True)
    assert "is not open for applications." in response.content.decode()
    assert not ParticipantInvitation.objects.exists()
    assert not Notification.objects.exists()


def test_the_list_is_the_persons_data_and_goes_when_the_window_closes(coordinator, network):
    program = network["program"]
    services.participants_invite(
        program=program,
        people=[("anna@harnosand.example", "Anna", Role.ADEPT, network["town"], None,
                 "Enhetschef", "")],
        by=coordinator,
    )  # fmt: skip
    anna = User.objects.get(email="anna@harnosand.example")
    (row,) = user_data(anna)["invitations"]
    assert row["job_title"] == "Enhetschef"
    assert age_out([], timezone.now()) == 0
    assert age_out([], program.applications_close_at + datetime.timedelta(days=1)) >= 1
    assert not ParticipantInvitation.objects.exists()


def test_the_preview_and_the_import_take_the_same_queries_for_a_few_rows_or_many(
    client, coordinator, network, django_assert_max_num_queries
):
    program = network["program"]
    client.force_login(coordinator)

    def sheet(count):
        return "\n".join(f"p{n}@example.org;P {n};adept;HK;Socialförvaltningen;Chef" for n in
                         range(count))  # fmt: skip

    client.post(url(program), {"file": csv_file(sheet(3))})
    with django_assert_max_num_queries(30) as counted:
        client.post(url(program), {"file": csv_file(sheet(3))})
    with django_assert_max_num_queries(len(counted.captured_queries)):
        response = client.post(url(program), {"file": csv_file(sheet(60))})
    assert len(response.context["plan"].rows) == 60
    with django_assert_max_num_queries(45):
        client.post(url(program), {"token": response.context["token"]})
    assert ParticipantInvitation.objects.count() == 60
