"""The pairing rule as a property: whatever the program, no proposed pair breaks it.

Both sides are built from the database by the service (not from hand-made arrays), so the
numbering of organisations and units is what the engine really compares."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from matching import services
from matching.models import Match
from programs.models import Application, Program, Role
from programs.tests.factories import (
    ApplicationFactory,
    OrganizationFactory,
    ProgramFactory,
    unit_named,
)

pytestmark = pytest.mark.django_db

# Units of each organisation's list (by name, with the unit each is part of), and none.
TREE = {
    "Backaskolan": None,
    "Backaskolan ledningsgrupp": "Backaskolan",
    "Backaskolan fritids": "Backaskolan",
    "Ekskolan": None,
    "Ekskolan ledningsgrupp": "Ekskolan",
    "Förvaltningen": None,
}
UNITS = [*TREE, ""]

PERSON = st.tuples(
    st.sampled_from([Role.ADEPT, Role.MENTOR]),
    st.integers(min_value=0, max_value=2),  # organisation
    st.sampled_from(UNITS),
    st.integers(min_value=1, max_value=2),  # mentor capacity
)


def _same_unit(adept: Application, mentor: Application) -> bool:
    return adept.unit_id is not None and adept.unit_id == mentor.unit_id


def _same_group(adept: Application, mentor: Application) -> bool:
    """The same unit, or units under the same parent (a unit and the one it is part of)."""
    if adept.unit is None or mentor.unit is None:
        return False
    return adept.unit.group_id == mentor.unit.group_id


def _allowed(rule, adept, mentor) -> bool:
    if rule == Program.PairingRule.DIFFERENT_ORGANIZATION:
        return adept.organization_id != mentor.organization_id
    if rule == Program.PairingRule.DIFFERENT_UNIT:
        return not _same_unit(adept, mentor)
    if rule == Program.PairingRule.DIFFERENT_UNIT_GROUP:
        return not _same_unit(adept, mentor) and not _same_group(adept, mentor)
    return True


def _units(organization):
    for name, parent in TREE.items():
        unit_named(organization, name, unit_named(organization, parent) if parent else None)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.lists(PERSON, min_size=2, max_size=12),
    rule=st.sampled_from(Program.PairingRule.values),
)
def test_no_proposed_pair_breaks_the_pairing_rule(coordinator, people, rule):
    with transaction.atomic():
        organizations = [OrganizationFactory(name=f"Kommun {n}") for n in range(3)]
        for organization in organizations:
            _units(organization)
        program = ProgramFactory(organizations=organizations, pairing_rule=rule)
        program.matching_min_score = 0
        program.save(update_fields=["matching_min_score"])
        for role, organization, unit, capacity in people:
            ApplicationFactory(
                program=program,
                applicant=UserFactory(),
                role=role,
                status=Application.Status.ACCEPTED,
                organization=organizations[organization],
                unit=unit,
                mentor_capacity=capacity if role == Role.MENTOR else None,
            )
        services.matching_start(program=program, by=coordinator)
        proposed = list(
            Match.objects.filter(program=program).select_related("adept__unit", "mentor__unit")
        )
        for match in proposed:
            assert _allowed(rule, match.adept, match.mentor), (match.adept, match.mentor)
        # And the engine leaves nobody out that the rule allows: every unmatched adept has no
        # allowed mentor with a place left, or every allowed one is taken.
        matched = {m.adept_id for m in proposed}
        load = {}
        for m in proposed:
            load[m.mentor_id] = load.get(m.mentor_id, 0) + 1
        adepts = program.applications.filter(role=Role.ADEPT).select_related("unit")
        mentors = program.applications.filter(role=Role.MENTOR).select_related("unit")
        for adept in adepts.exclude(pk__in=matched):
            for mentor in mentors:
                if _allowed(rule, adept, mentor):
                    assert load.get(mentor.pk, 0) >= (mentor.mentor_capacity or 1)
        transaction.set_rollback(True)


def test_the_same_school_on_both_sides_is_the_same_unit(coordinator):
    """The case that was published: a deputy principal with her own principal."""
    school = OrganizationFactory(name="Kommunen")
    program = ProgramFactory(
        organizations=[school], pairing_rule=Program.PairingRule.DIFFERENT_UNIT
    )
    program.matching_min_score = 0
    program.save(update_fields=["matching_min_score"])

    def person(role, unit):
        return ApplicationFactory(
            program=program, role=role, status=Application.Status.ACCEPTED,
            organization=school, unit=unit,
        )  # fmt: skip

    # Numbered one side at a time, Backaskolan was 0 for the adepts and 1 for the mentors.
    deputy = person(Role.ADEPT, "Backaskolan")
    teacher = person(Role.ADEPT, "Ekskolan")
    ek_principal = person(Role.MENTOR, "Ekskolan")
    principal = person(Role.MENTOR, "backaskolan")
    services.matching_start(program=program, by=coordinator)
    pairs = {(m.adept_id, m.mentor_id) for m in Match.objects.filter(program=program)}
    assert pairs == {(deputy.pk, ek_principal.pk), (teacher.pk, principal.pk)}


def test_a_deputy_is_not_matched_with_the_principal_of_her_own_school(coordinator):
    """Seed 000 and 004: outside the unit and the units beside it. The school's leadership
    team and its after-school centre are both under the school; another school is fine."""
    town = OrganizationFactory(name="Kommunen")
    _units(town)
    program = ProgramFactory(
        organizations=[town], pairing_rule=Program.PairingRule.DIFFERENT_UNIT_GROUP
    )
    program.matching_min_score = 0
    program.save(update_fields=["matching_min_score"])

    def person(role, unit):
        return ApplicationFactory(
            program=program, role=role, status=Application.Status.ACCEPTED,
            organization=town, unit=unit,
        )  # fmt: skip

    deputy = person(Role.ADEPT, "Backaskolan ledningsgrupp")
    principal = person(Role.MENTOR, "Backaskolan")
    sister = person(Role.MENTOR, "Backaskolan fritids")
    services.matching_start(program=program, by=coordinator)
    assert not Match.objects.filter(program=program).exists()
    entry = program.matching_runs.latest("pk").unmatched_adepts[0]
    assert entry["reason"] == "no_allowed"
    # By hand the coordinator is told why, in words.
    for mentor in (principal, sister):
        with pytest.raises(services.ServiceError, match="under the same parent"):
            services.match_add(program=program, adept=deputy, mentor=mentor, by=coordinator)
    other = person(Role.MENTOR, "Ekskolan ledningsgrupp")
    services.matching_start(program=program, by=coordinator)
    assert set(Match.objects.filter(program=program).values_list("adept", "mentor")) == {
        (deputy.pk, other.pk)
    }
