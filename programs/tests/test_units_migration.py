"""The free-text units applicants typed become list entries per organisation."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.tests.factories import UserFactory

BEFORE = [("programs", "0011_manager_months_both_ways")]
AFTER = [("programs", "0012_units")]


@pytest.mark.django_db(transaction=True)
def test_typed_units_become_one_list_entry_per_organisation_and_spelling():
    people = [UserFactory() for _ in range(6)]
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Organization = apps.get_model("programs", "Organization")
    Program = apps.get_model("programs", "Program")
    Application = apps.get_model("programs", "Application")
    north, south = (Organization.objects.create(name=n) for n in ("Nord", "Syd"))
    now = timezone.now()
    program = Program.objects.create(
        name="P", slug="p", summary="s", description="d", audience="a", owner=north,
        applications_open_at=now, applications_close_at=now + datetime.timedelta(days=9),
        starts_on=datetime.date(2027, 1, 1), ends_on=datetime.date(2027, 12, 1), adept_places=5,
    )  # fmt: skip
    typed = [
        (north, "LT Nord"), (north, "lt  nord "), (north, "Ledelsesteam Nord"),
        (south, "LT Nord"), (north, ""), (None, "Utan organisation"),
    ]  # fmt: skip
    for user, (organization, unit) in zip(people, typed, strict=True):
        Application.objects.create(
            program=program, applicant_id=user.pk, role="adept", organization=organization,
            unit=unit,
        )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Unit = apps.get_model("programs", "Unit")
    Application = apps.get_model("programs", "Application")
    assert sorted(Unit.objects.values_list("organization__name", "name")) == [
        ("Nord", "LT Nord"), ("Nord", "Ledelsesteam Nord"), ("Syd", "LT Nord"),
    ]  # fmt: skip
    units = [
        (a.organization.name if a.organization else None, a.unit.name if a.unit else None)
        for a in Application.objects.order_by("pk").select_related("organization", "unit")
    ]
    assert units == [
        ("Nord", "LT Nord"), ("Nord", "LT Nord"), ("Nord", "Ledelsesteam Nord"),
        ("Syd", "LT Nord"), ("Nord", None), (None, None),
    ]  # fmt: skip
    # And back: the names return as text.
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    names = apps.get_model("programs", "Application").objects.order_by("pk")
    assert [a.unit for a in names][:4] == ["LT Nord", "LT Nord", "Ledelsesteam Nord", "LT Nord"]
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
