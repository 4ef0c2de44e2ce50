"""The mentor bank imported from the coordinators' own list (issue 17, seed 001's union): a
preview row by row, then each new mentor in the bank once, told so by e-mail with who keeps
their name and why and a way out that needs no login; a bank mentor is invited to a new
edition and applies, with or without an earlier application."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from accounts.models import User
from accounts.tests.factories import UserFactory
from audit.models import AuditEntry
from notifications.models import Notification
from notifications.services import notifications_deliver
from programs import services
from programs.models import MentorBankEntry, Role
from programs.tests.factories import (
    MentorBankEntryFactory,
    OrganizationFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def union(coordinator):
    owner = OrganizationFactory(name="Skolledarfacket")
    program = ProgramFactory(slug="facket-2027", name="Mentorprogram 2027", owner=owner,
                             mentor_bank=True, text_language="sv")  # fmt: skip
    program.coordinators.add(coordinator)
    return program


def url(program):
    return reverse("admin:programs_program_mentor_bank", args=[program.pk])


def csv_file(text, name="mentorbanken.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


SHEET = """E-post;Namn;Anteckning;Språk
maria@skola.example;Maria Mentor;Mentor 2024;
Jens@Skole.example;Jens Jensen;Mentor 2025, pilot;dansk
known@example.org;Kim Känd;;
inne@example.org;Inge Inne;;
not-an-address;Nils Nej;;
nyan@example.org;;;
maria@skola.example;Maria Mentor;;
lang@example.org;Lars Lång;;klingon
"""


def test_the_preview_says_what_happens_and_saves_nothing(client, coordinator, union):
    UserFactory(email="known@example.org", full_name="Kim Känd")
    inne = UserFactory(email="inne@example.org")
    MentorBankEntryFactory(mentor=inne, application=None, owner=union.owner)
    client.force_login(coordinator)
    response = client.post(url(union), {"file": csv_file(SHEET)})
    assert response.status_code == 200
    plan = response.context["plan"]
    assert [(row.line, row.action) for row in plan.rows] == [
        (2, "new"),
        (3, "new"),
        (4, "existing"),
        (5, "unchanged"),
        (6, "error"),
        (7, "error"),
        (8, "unchanged"),
        (9, "error"),
    ]
    assert plan.rows[1].language == "da"
    page = response.content.decode()
    assert "not-an-address is not an e-mail address." in page
    assert "Someone new to the app needs a name." in page
    assert "klingon is not a language the app writes in" in page
    assert "The file names this person twice." in page
    assert "Importing the file adds 3 mentors to the mentor bank of Skolledarfacket" in page
    assert MentorBankEntry.objects.count() == 1
    assert not User.objects.filter(email__iexact="maria@skola.example").exists()
    assert not Notification.objects.exists()


def test_importing_adds_each_once_and_tells_them_who_keeps_their_name(client, coordinator, union):
    known = UserFactory(email="known@example.org", full_name="Kim Känd", language="en")
    client.force_login(coordinator)
    token = client.post(url(union), {"file": csv_file(SHEET)}).context["token"]
    response = client.post(url(union), {"token": token}, follow=True)
    assert "4 mentors added to the mentor bank" in response.content.decode()
    bank = {
        entry.mentor.email: entry
        for entry in MentorBankEntry.objects.filter(owner=union.owner).select_related("mentor")
    }
    assert set(bank) == {
        "maria@skola.example", "Jens@skole.example", "known@example.org", "inne@example.org"
    }  # fmt: skip
    maria = bank["maria@skola.example"]
    assert (maria.note, maria.application, maria.why) == ("Mentor 2024", None, "Mentor 2024")
    assert maria.mentor.full_name == "Maria Mentor" and maria.mentor.language == "sv"
    assert not maria.mentor.is_staff and not maria.mentor.has_usable_password()
    assert bank["Jens@skole.example"].mentor.language == "da"
    known.refresh_from_db()
    assert known.has_usable_password() and known.language == "en" and not known.is_staff
    audit = AuditEntry.objects.filter(action=AuditEntry.Action.BANK_CHANGED)
    assert audit.count() == 4 and {a.program for a in audit} == {union}

    notifications_deliver()
    by_person = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == 4
    danish = by_person["Jens@skole.example"]
    assert danish.subject == "Du er i mentorbanken hos Skolledarfacket"
    assert "navn, din e-mailadresse" in danish.body
    assert re.search(r"/mentor-bank/leave/\S+", danish.body)
    english = by_person["known@example.org"]
    assert english.subject == "You are in the mentor bank of Skolledarfacket"
    assert f"/programs/{union.slug}/privacy/" in english.body

    # The same file again: everyone is in the bank; no one is told twice.
    token = client.post(url(union), {"file": csv_file(SHEET)}).context["token"]
    client.post(url(union), {"token": token})
    notifications_deliver()
    assert len(mail.outbox) == 4


def test_another_organisations_bank_is_its_own(client, coordinator, union):
    """A person in the bank of one organisation is added to another's too, and each bank's
    coordinators see only theirs."""
    other = ProgramFactory(owner=OrganizationFactory(name="Lärarkåren"), mentor_bank=True)
    someone = UserFactory(email="maria@skola.example")
    MentorBankEntryFactory(mentor=someone, application=None, owner=other.owner, note="Hemligt")
    assert services.mentor_bank_add(
        program=union, people=[("maria@skola.example", "Maria", "Mentor 2024", "")],
        by=coordinator,
    ) == 1  # fmt: skip
    assert someone.mentor_bank_entries.count() == 2
    client.force_login(coordinator)
    page = client.get(reverse("admin:programs_mentorbankentry_changelist")).content.decode()
    assert "Mentor 2024" in page and "Hemligt" not in page
    assert url(union) in page


def test_an_imported_mentor_is_invited_to_the_next_edition_and_applies(client, coordinator):
    owner = OrganizationFactory(name="Skolledarfacket")
    edition = ProgramFactory(owner=owner, mentor_bank=True, name="Mentorprogram 2028")
    edition.coordinators.add(coordinator)
    services.mentor_bank_add(
        program=edition, people=[("maria@skola.example", "Maria Mentor", "", "")],
        by=coordinator,
    )  # fmt: skip
    notifications_deliver()
    groups = services.edition_invitees(edition)
    (invitee,) = groups[services.Invitees.BANK]
    assert (invitee.name, invitee.role, invitee.application) == ("Maria Mentor", Role.MENTOR, None)
    assert services.edition_invite(program=edition, groups=["bank"], by=coordinator) == 1
    notifications_deliver()
    message = mail.outbox[-1]
    assert message.subject == "Vill du bli mentor i Mentorprogram 2028?"
    # No earlier application to fill the form from, and no password yet: the e-mail says so.
    password = re.search(r"/accounts/password/reset/key/\S+", message.body)
    assert password and "fills in the form" not in message.body
    maria = User.objects.get(email="maria@skola.example")
    client.force_login(maria)
    apply = reverse("programs:apply", kwargs={"slug": edition.slug, "role": "mentor"})
    response = client.get(apply + "?from_bank=1")
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert not any(initial.get(name) for name in ("job_title", "letter", "organization"))
    assert list(response.context["messages"]) == []
    assert services.edition_invite(program=edition, groups=["bank"], by=coordinator) == 0


def test_the_mentor_sees_each_bank_and_leaves_one(client, union):
    maria = UserFactory(language="sv")
    MentorBankEntryFactory(mentor=maria, application=None, owner=union.owner, note="Mentor 2024")
    other = MentorBankEntryFactory(
        mentor=maria, application=None, owner=OrganizationFactory(name="Lärarkåren")
    )
    client.force_login(maria)
    page = client.get(reverse("programs:mentor_bank")).content.decode()
    assert "Skolledarfacket" in page and "Lärarkåren" in page and "Mentor 2024" in page
    client.post(reverse("programs:mentor_bank"), {"owner": str(union.owner_id)})
    assert list(maria.mentor_bank_entries.all()) == [other]
    # A changed owner field leaves nothing it should not, and is never a 500.
    for bad in ("abc", "-1", "99999999999999999999", ""):
        assert client.post(reverse("programs:mentor_bank"), {"owner": bad}).status_code == 302
        assert maria.mentor_bank_entries.exists()


def test_a_program_without_a_bank_has_no_import_to_it(client, coordinator, union):
    union.mentor_bank = False
    union.save()
    client.force_login(coordinator)
    change = client.get(reverse("admin:programs_program_change", args=[union.pk]))
    assert url(union) not in change.content.decode()
    response = client.get(url(union), follow=True)
    assert "keeps no mentor bank" in response.content.decode()


def test_an_excel_file_without_headings_is_read_in_the_described_order(client, coordinator, union):
    book = Workbook()
    book.active.append(["ida@example.org", "Ida Idé", "Mentor 2023", "en"])
    content = io.BytesIO()
    book.save(content)
    client.force_login(coordinator)
    response = client.post(url(union), {"file": SimpleUploadedFile("b.xlsx", content.getvalue())})
    (row,) = response.context["plan"].rows
    assert (row.line, row.email, row.note, row.language, row.action) == (
        1, "ida@example.org", "Mentor 2023", "en", "new",
    )  # fmt: skip


def test_the_preview_takes_the_same_queries_for_a_few_rows_or_many(
    client, coordinator, union, django_assert_max_num_queries
):
    client.force_login(coordinator)
    few = "\n".join(f"p{n}@example.org;P {n}" for n in range(3))
    many = "\n".join(f"p{n}@example.org;P {n}" for n in range(60))
    client.post(url(union), {"file": csv_file(few)})
    with django_assert_max_num_queries(30) as counted:
        client.post(url(union), {"file": csv_file(few)})
    with django_assert_max_num_queries(len(counted.captured_queries)):
        response = client.post(url(union), {"file": csv_file(many)})
    assert len(response.context["plan"].rows) == 60
    token = response.context["token"]
    with django_assert_max_num_queries(40):
        client.post(url(union), {"token": token})
    assert MentorBankEntry.objects.count() == 60


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(token=st.text(max_size=80).filter(lambda t: "/" not in t and t.strip()))
def test_a_made_up_leave_link_is_a_page_never_a_500(client, token):
    assert client.get(reverse("programs:mentor_bank_leave", args=[token])).status_code == 200
    assert client.post(reverse("programs:mentor_bank_leave", args=[token])).status_code == 200


@pytest.mark.parametrize("banks", [1, 6])
def test_the_bank_pages_take_the_same_queries_however_many_banks(
    client, union, django_assert_max_num_queries, banks
):
    maria = UserFactory()
    entries = [
        MentorBankEntryFactory(mentor=maria, application=None, owner=OrganizationFactory())
        for _ in range(banks)
    ]
    client.force_login(maria)
    with django_assert_max_num_queries(13):
        assert client.get(reverse("programs:mentor_bank")).status_code == 200
    client.logout()
    leave = reverse(
        "programs:mentor_bank_leave",
        args=[services.bank_leave_token(mentor_id=maria.pk, owner_id=entries[0].owner_id)],
    )
    with django_assert_max_num_queries(6):
        assert client.get(leave).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.post(leave).status_code == 200
    assert maria.mentor_bank_entries.count() == banks - 1
