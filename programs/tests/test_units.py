"""Units as lists the coordinators keep: applicants pick theirs, may propose a missing one
where the program allows it, and coordinators import, confirm and merge them."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from accounts.tests.factories import UserFactory
from audit.models import AuditEntry
from programs.models import Application, Program, Unit
from programs.tests.factories import (
    ApplicationFactory,
    FocusAreaFactory,
    OrganizationFactory,
    ProgramFactory,
    unit_named,
)
from programs.tests.test_applications import apply_url, form_data

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:programs_unit_import")
UNITS = reverse("admin:programs_unit_changelist")


@pytest.fixture
def department(coordinator):
    """Seed 004: a school and day-care department whose leadership teams are its units."""
    kommune = OrganizationFactory(name="Børne- og Skoleforvaltningen")
    program = ProgramFactory(
        owner=kommune,
        organizations=[kommune],
        pairing_rule=Program.PairingRule.DIFFERENT_UNIT_GROUP,
    )
    program.coordinators.add(coordinator)
    program.focus_areas.add(FocusAreaFactory())
    north = unit_named(kommune, "Område Nord")
    unit_named(kommune, "LT Nord", north)
    unit_named(kommune, "Ledelsesteam Nord", north)
    unit_named(kommune, "LT Syd", unit_named(kommune, "Område Syd"))
    return program


def test_the_applicant_picks_a_unit_of_their_organisation_from_the_list(client, department):
    client.force_login(UserFactory())
    page = client.get(apply_url(department)).content.decode()
    # Grouped by organisation, a team under the unit it is part of.
    assert '<optgroup label="Børne- og Skoleforvaltningen">' in page
    assert "Område Nord › LT Nord" in page
    assert 'data-grouped-by="id_organization"' in page
    team = Unit.objects.get(name="LT Nord")
    response = client.post(apply_url(department), form_data(department, unit=team.pk))
    assert response.status_code == 302
    assert Application.objects.get(program=department).unit == team


def test_a_unit_of_another_organisation_is_refused_with_a_message(client, department):
    stranger = unit_named(OrganizationFactory(name="Annan kommun"), "LT Nord")
    client.force_login(UserFactory())
    response = client.post(apply_url(department), form_data(department, unit=stranger.pk))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not Application.objects.filter(program=department).exists()


def test_a_unit_rule_asks_for_the_unit_before_sending(client, department):
    client.force_login(UserFactory())
    response = client.post(apply_url(department), form_data(department, unit=""))
    assert response.status_code == 200
    assert "Pick your unit" in str(response.context["form"].errors["unit"])
    # A draft may leave it for later.
    data = form_data(department, unit="")
    del data["submit"]
    assert client.post(apply_url(department), data).status_code == 302


def test_a_missing_unit_is_proposed_and_waits_for_a_coordinator(client, department):
    client.force_login(UserFactory())
    assert "proposed_unit" not in client.get(apply_url(department)).context["form"].fields
    department.units_proposable = True
    department.save()
    data = form_data(department, unit="", proposed_unit="  LT   Vest ")
    assert client.post(apply_url(department), data).status_code == 302
    application = Application.objects.get(program=department)
    assert (application.unit.name, application.unit.confirmed) == ("LT Vest", False)
    # Nobody else is offered a proposal until it is confirmed.
    client.force_login(UserFactory())
    assert "LT Vest" not in client.get(apply_url(department)).content.decode()


def test_a_proposal_that_names_a_listed_unit_is_that_unit(client, department):
    department.units_proposable = True
    department.save()
    client.force_login(UserFactory())
    data = form_data(department, unit="", proposed_unit="lt nord")
    assert client.post(apply_url(department), data).status_code == 302
    assert Application.objects.get(program=department).unit == Unit.objects.get(name="LT Nord")
    assert Unit.objects.filter(name__iexact="lt nord").count() == 1


def test_picking_and_proposing_at_once_is_refused(client, department):
    department.units_proposable = True
    department.save()
    client.force_login(UserFactory())
    team = Unit.objects.get(name="LT Nord")
    response = client.post(
        apply_url(department), form_data(department, unit=team.pk, proposed_unit="LT Vest")
    )
    assert "proposed_unit" in response.context["form"].errors
    assert not Unit.objects.filter(name="LT Vest").exists()


# --------------------------------------------------------------------------------------------
# The coordinators' list: import, confirm, merge
# --------------------------------------------------------------------------------------------


def _csv(text: str, name="enheter.csv"):
    upload = io.BytesIO(("\ufeff" + text).encode())
    upload.name = name
    return upload


def _xlsx(rows, name="enheder.xlsx"):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = name
    return upload


def test_the_import_previews_row_by_row_and_saves_nothing_until_asked(
    client, coordinator, department
):
    kommune = department.owner
    client.force_login(coordinator)
    text = (
        "Enhed;Del af\n"
        "Ledelsesteam Syd;Område Syd\n"  # new, under a listed unit
        "Dagtilbud Øst;Område Øst\n"  # new, under a unit that comes later in the file
        "Område Øst;\n"  # new, at the top
        "LT Nord;Område Syd\n"  # moved
        "Område Nord;\n"  # already there
        "Skole X;Findes ikke\n"  # a parent nobody knows
        ";Område Nord\n"  # no name
    )
    response = client.post(IMPORT, {"organization": kommune.pk, "file": _csv(text)})
    assert response.status_code == 200
    plan = response.context["plan"]
    assert [row.action for row in plan.rows] == [
        "new", "new", "new", "parent", "unchanged", "error", "error",
    ]  # fmt: skip
    assert [row.line for row in plan.rows] == [2, 3, 4, 5, 6, 7, 8]
    assert plan.changes == 4 and plan.errors == 2
    page = response.content.decode()
    assert "Findes ikke is neither in the organisation" in page
    assert not Unit.objects.filter(name="Ledelsesteam Syd").exists()

    response = client.post(IMPORT, {"token": response.context["token"]}, follow=True)
    assert "4 units imported or changed" in response.content.decode()
    units = {u.name: u for u in Unit.objects.filter(organization=kommune)}
    assert units["Ledelsesteam Syd"].parent == units["Område Syd"]
    assert units["Dagtilbud Øst"].parent == units["Område Øst"]
    assert units["LT Nord"].parent == units["Område Syd"]
    assert "Skole X" not in units
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UNITS_CHANGED).exists()


def test_an_excel_file_with_an_organisation_column_sets_up_a_network(client, superuser):
    client.force_login(superuser)
    rows = [
        ["Organisation", "Enhet", "Del av"],
        ["Myndighet A", "Avdelning 1", ""],
        ["Myndighet A", "Enhet 1a", "Avdelning 1"],
        ["Kommun B", "Förvaltningen", None],
    ]
    response = client.post(IMPORT, {"file": _xlsx(rows)})
    assert [row.action for row in response.context["plan"].rows] == ["new_organization"] * 3
    client.post(IMPORT, {"token": response.context["token"]})
    assert Unit.objects.get(name="Enhet 1a").parent.name == "Avdelning 1"
    assert Unit.objects.get(name="Förvaltningen").organization.name == "Kommun B"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (_csv("x", name="enheter.pdf"), "Choose a .csv or .xlsx file"),
        (_xlsx([], name="trasig.xlsx"), "no rows to import"),
        (io.BytesIO(b"PK\x03\x04 not really"), "could not be read"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(client, coordinator, department, upload, message):
    if not hasattr(upload, "name"):
        upload.name = "trasig.xlsx"
    client.force_login(coordinator)
    response = client.post(IMPORT, {"organization": department.owner.pk, "file": upload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "plan" not in response.context


def test_a_changed_or_stale_preview_is_refused(client, coordinator, department):
    client.force_login(coordinator)
    response = client.post(IMPORT, {"token": "forged"}, follow=True)
    assert "upload the file again" in response.content.decode()


def test_a_coordinator_imports_only_into_organisations_no_one_else_uses(
    client, coordinator, other_coordinator, department
):
    theirs = ProgramFactory(organizations=[department.owner])
    theirs.coordinators.add(other_coordinator)
    client.force_login(coordinator)
    rows = [["Organisation", "Enhed"], [department.owner.name, "Nyt team"]]
    response = client.post(IMPORT, {"file": _xlsx(rows)})
    assert response.context["plan"].rows[0].action == "error"
    client.post(IMPORT, {"token": response.context["token"]})
    assert not Unit.objects.filter(name="Nyt team").exists()


@pytest.mark.parametrize("who", ["anonymous", "participant"])
def test_the_import_is_for_coordinators_only(client, who):
    if who == "participant":
        client.force_login(UserFactory())
    response = client.get(IMPORT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not Unit.objects.exists()


def test_a_coordinator_sees_the_units_of_their_programs_only(
    client, coordinator, other_coordinator, department
):
    elsewhere = unit_named(OrganizationFactory(name="Någon annans"), "Deras enhet")
    ProgramFactory(organizations=[elsewhere.organization]).coordinators.add(other_coordinator)
    client.force_login(coordinator)
    page = client.get(UNITS).content.decode()
    assert "LT Nord" in page and "Deras enhet" not in page
    url = reverse("admin:programs_unit_change", args=[elsewhere.pk])
    assert client.get(url).status_code == 404


def test_merging_moves_applicants_and_teams_and_confirms_the_kept_unit(
    client, coordinator, department
):
    kommune = department.owner
    proposal = Unit.objects.create(
        organization=kommune, name="Ledelsesteamet Nord", confirmed=False
    )
    applicant = ApplicationFactory(program=department, organization=kommune, unit=proposal)
    listed = Unit.objects.get(name="Ledelsesteam Nord")
    client.force_login(coordinator)
    selected = {"action": "merge", "_selected_action": [proposal.pk, listed.pk]}
    page = client.post(UNITS, selected)
    assert page.status_code == 200 and "Merge units" in page.content.decode()
    response = client.post(UNITS, {**selected, "apply": "1", "keep": listed.pk}, follow=True)
    assert "1 unit merged into Område Nord › Ledelsesteam Nord" in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.unit == listed
    assert not Unit.objects.filter(pk=proposal.pk).exists()


def test_confirming_puts_a_proposal_in_the_list(client, coordinator, department):
    proposal = Unit.objects.create(organization=department.owner, name="LT Vest", confirmed=False)
    client.force_login(coordinator)
    client.post(UNITS, {"action": "confirm", "_selected_action": [proposal.pk]})
    proposal.refresh_from_db()
    assert proposal.confirmed


def test_a_unit_cannot_be_part_of_itself_or_of_another_organisation(department):
    from django.core.exceptions import ValidationError

    north = Unit.objects.get(name="Område Nord")
    team = Unit.objects.get(name="LT Nord")
    north.parent = team
    with pytest.raises(ValidationError, match="part of itself"):
        north.full_clean()
    team.parent = unit_named(OrganizationFactory(), "Fremmed")
    with pytest.raises(ValidationError, match="same organisation"):
        team.full_clean()
