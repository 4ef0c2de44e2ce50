"""What the program's imports of people (its coordinators, its mentor bank, its participants
from a list) share: bad input to any of them is a message or a form error, never a 500, and
nothing is saved."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from programs.models import MentorBankEntry, OrganizationCoordinator, ParticipantInvitation
from programs.tests.factories import OrganizationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

IMPORTS = ["coordinators", "mentor_bank", "participants"]


@pytest.fixture
def program(coordinator):
    town = OrganizationFactory(name="Härnösands kommun", short_name="HK")
    program = ProgramFactory(owner=town, organizations=[town], mentor_bank=True)
    program.coordinators.add(coordinator)
    return program


@pytest.mark.parametrize("name", IMPORTS)
def test_only_the_programs_lead_coordinators_import(client, coordinator, program, name):
    url = reverse(f"admin:programs_program_{name}", args=[program.pk])
    sheet = SimpleUploadedFile("a.csv", b"ny@example.org;Ny Person;adept\n")
    assert client.get(url).status_code == 302  # anonymous: to the login
    hr = UserFactory(is_staff=True)
    OrganizationCoordinator.objects.create(program=program, organization=program.owner, user=hr)
    for someone in (UserFactory(is_staff=True), hr, UserFactory()):
        client.force_login(someone)
        assert client.get(url).status_code in (404, 302)
        sheet.seek(0)
        assert client.post(url, {"file": sheet}).status_code in (404, 302)
    client.force_login(coordinator)
    assert client.get(url).status_code == 200
    change = client.get(reverse("admin:programs_program_change", args=[program.pk]))
    assert url in change.content.decode()
    assert not OrganizationCoordinator.objects.exclude(user=hr).exists()
    assert not MentorBankEntry.objects.exists()
    assert not ParticipantInvitation.objects.exists()


@pytest.mark.parametrize("name", IMPORTS)
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    token=st.one_of(st.none(), st.text(max_size=60)),
    content=st.binary(max_size=300),
    filename=st.sampled_from(["a.csv", "a.xlsx", "a.txt", "a", "a.CSV"]),
)
def test_bad_input_to_an_import_is_a_message_never_a_500(
    client, coordinator, program, name, token, content, filename
):
    client.force_login(coordinator)
    body = {"file": SimpleUploadedFile(filename, content)}
    if token is not None:
        body = {"token": token}
    response = client.post(reverse(f"admin:programs_program_{name}", args=[program.pk]), body)
    assert response.status_code in (200, 302)
    assert not OrganizationCoordinator.objects.exists()
    assert not MentorBankEntry.objects.exists()
    assert not ParticipantInvitation.objects.exists()


@pytest.mark.parametrize("name", IMPORTS)
@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("list.pdf", b"%PDF", "Choose a .csv or .xlsx file."),
        ("list.csv", b"E-post\n", "The file has no rows to import."),
        ("list.xlsx", b"not a workbook", "could not be read as an Excel workbook"),
    ],
)
def test_a_bad_file_is_told_on_the_form(
    client, coordinator, program, name, filename, content, message
):
    client.force_login(coordinator)
    url = reverse(f"admin:programs_program_{name}", args=[program.pk])
    response = client.post(url, {"file": SimpleUploadedFile(filename, content)})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "<title>Error:" in page
