"""A network's coordinators imported from a spreadsheet (issue 17): a preview that says row by
row what would happen, then one invitation each, saying what the first login asks for."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import User
from accounts.tests.factories import UserFactory
from notifications.models import Notification
from notifications.services import notifications_deliver
from programs.models import OrganizationCoordinator
from programs.tests.factories import OrganizationFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(coordinator):
    town = OrganizationFactory(name="Härnösands kommun", short_name="HK")
    agency = OrganizationFactory(name="Länsstyrelsen Västernorrland")
    program = ProgramFactory(slug="natverket", owner=town, organizations=[town, agency])
    program.coordinators.add(coordinator)
    return {"program": program, "town": town, "agency": agency}


def url(program):
    return reverse("admin:programs_program_coordinators", args=[program.pk])


def csv_file(text, name="koordinatorer.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


SHEET = """E-post;Namn;Organisation
hr@harnosand.example;Hanna HR;Härnösands kommun
Personal@Lansstyrelsen.example;Per Personal;Länsstyrelsen Västernorrland
known@example.org;Kim Känd;HK
lead@example.org;Lena Lead;
not-an-address;Nils Nej;Härnösands kommun
x@example.org;Xena;Sundsvalls kommun
hr@harnosand.example;Hanna HR;Härnösands kommun
karin@example.org;Karin Koordinator;
"""


def test_the_preview_says_what_happens_and_saves_nothing(client, coordinator, network):
    UserFactory(email="known@example.org", full_name="Kim Känd")
    client.force_login(coordinator)
    response = client.post(url(network["program"]), {"file": csv_file(SHEET)})
    assert response.status_code == 200
    plan = response.context["plan"]
    assert [(row.line, row.action) for row in plan.rows] == [
        (2, "new"),
        (3, "new"),
        (4, "existing"),
        (5, "new"),
        (6, "error"),
        (7, "error"),
        (8, "unchanged"),
        (9, "unchanged"),
    ]
    # The short name is understood and shown as the program names the organisation.
    assert plan.rows[2].organization == "Härnösands kommun"
    page = response.content.decode()
    assert "not-an-address is not an e-mail address." in page
    assert "Sundsvalls kommun does not take part in the program." in page
    assert "The file names this person twice." in page
    assert "Importing the file invites 4 coordinators" in page
    assert not OrganizationCoordinator.objects.exists()
    assert not User.objects.filter(email__iexact="hr@harnosand.example").exists()
    assert not Notification.objects.exists()


def test_importing_invites_each_once_with_the_steps_of_the_first_login(
    client, coordinator, network
):
    known = UserFactory(email="known@example.org", full_name="Kim Känd")
    program = network["program"]
    client.force_login(coordinator)
    token = client.post(url(program), {"file": csv_file(SHEET)}).context["token"]
    response = client.post(url(program), {"token": token}, follow=True)
    assert "4 coordinators invited" in response.content.decode()

    roles = set(
        OrganizationCoordinator.objects.filter(program=program).values_list(
            "user__email", "organization__name"
        )
    )
    assert roles == {
        ("hr@harnosand.example", "Härnösands kommun"),
        ("Personal@lansstyrelsen.example", "Länsstyrelsen Västernorrland"),
        ("known@example.org", "Härnösands kommun"),
    }
    lead = User.objects.get(email="lead@example.org")
    assert program.coordinators.filter(pk=lead.pk).exists()
    assert lead.full_name == "Lena Lead" and lead.is_staff and not lead.has_usable_password()
    known.refresh_from_db()
    assert known.is_staff and known.has_usable_password()

    notifications_deliver()
    by_person = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == 4
    new = by_person["hr@harnosand.example"]
    assert "Härnösands kommun" in new.subject
    assert re.search(r"/accounts/password/reset/key/\S+", new.body)
    assert "second factor" in new.body
    # Someone with a password is not sent a link to set one.
    assert "/accounts/password/reset/key/" not in by_person["known@example.org"].body

    # The same file again: everyone coordinates already; nothing is sent twice.
    token = client.post(url(program), {"file": csv_file(SHEET)}).context["token"]
    client.post(url(program), {"token": token})
    notifications_deliver()
    assert len(mail.outbox) == 4


def test_an_excel_file_without_headings_is_read_in_the_described_order(
    client, coordinator, network
):
    book = Workbook()
    book.active.append(["ida@example.org", "Ida Idé", "Länsstyrelsen Västernorrland"])
    content = io.BytesIO()
    book.save(content)
    upload = SimpleUploadedFile("list.xlsx", content.getvalue())
    client.force_login(coordinator)
    response = client.post(url(network["program"]), {"file": upload})
    (row,) = response.context["plan"].rows
    assert (row.line, row.email, row.name, row.action) == (1, "ida@example.org", "Ida Idé", "new")


def test_a_changed_or_foreign_preview_imports_nothing(client, coordinator, network):
    program = network["program"]
    other = ProgramFactory(organizations=[network["town"]])
    other.coordinators.add(coordinator)
    client.force_login(coordinator)
    token = client.post(url(other), {"file": csv_file(SHEET)}).context["token"]
    for bad in (token, token[:-3] + "abc", "junk"):
        response = client.post(url(program), {"token": bad}, follow=True)
        assert "upload the file again" in response.content.decode()
    assert not OrganizationCoordinator.objects.exists()


def test_the_preview_takes_the_same_queries_for_a_few_rows_or_many(
    client, coordinator, network, django_assert_max_num_queries
):
    client.force_login(coordinator)
    few = "\n".join(f"p{n}@example.org;P {n};HK" for n in range(3))
    many = "\n".join(f"p{n}@example.org;P {n};HK" for n in range(60))
    client.post(url(network["program"]), {"file": csv_file(few)})
    with django_assert_max_num_queries(30) as counted:
        client.post(url(network["program"]), {"file": csv_file(few)})
    with django_assert_max_num_queries(len(counted.captured_queries)):
        response = client.post(url(network["program"]), {"file": csv_file(many)})
    assert len(response.context["plan"].rows) == 60


@pytest.mark.parametrize("bad", ["abc", "-1", "99999999999", "1e309", ""])
def test_a_tampered_organisation_on_the_program_form_is_a_form_error(
    client, coordinator, network, bad
):
    from programs.tests.test_admin import program_form_data

    program = network["program"]
    client.force_login(coordinator)
    data = program_form_data(
        network["town"], name=program.name, slug=program.slug, status="open",
        organizations=[network["town"].pk, network["agency"].pk],
        invite_coordinator="ny@example.org", invite_organization=bad,
        **{"milestones-TOTAL_FORMS": 0},
    )  # fmt: skip
    response = client.post(reverse("admin:programs_program_change", args=[program.pk]), data)
    assert response.status_code in (200, 302)
    if bad:
        assert response.status_code == 200
        assert "invite_organization" in response.context["adminform"].form.errors
    assert not OrganizationCoordinator.objects.exists()
