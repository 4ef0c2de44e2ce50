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
from programs.tests.factories import ApplicationFactory, OrganizationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

# Unit names as people type them: the same school in other cases and spacing, and empty.
UNITS = ["Backaskolan", "backaskolan ", "BACKASKOLAN", "Ekskolan", "Ekskolan", "", "Förvaltningen"]

PERSON = st.tuples(
    st.sampled_from([Role.ADEPT, Role.MENTOR]),
    st.integers(min_value=0, max_value=2),  # organisation
    st.sampled_from(UNITS),
    st.integers(min_value=1, max_value=2),  # mentor capacity
)


def _same_unit(adept: Application, mentor: Application) -> bool:
    unit = " ".join(adept.unit.casefold().split())
    return (
        bool(unit)
        and adept.organization_id == mentor.organization_id
        and unit == " ".join(mentor.unit.casefold().split())
    )


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
        proposed = list(Match.objects.filter(program=program).select_related("adept", "mentor"))
        for match in proposed:
            if rule == Program.PairingRule.DIFFERENT_UNIT:
                assert not _same_unit(match.adept, match.mentor), (match.adept, match.mentor)
            if rule == Program.PairingRule.DIFFERENT_ORGANIZATION:
                assert match.adept.organization_id != match.mentor.organization_id
        # And the engine leaves nobody out that the rule allows: every unmatched adept has no
        # allowed mentor with a place left, or every allowed one is taken.
        matched = {m.adept_id for m in proposed}
        load = {}
        for m in proposed:
            load[m.mentor_id] = load.get(m.mentor_id, 0) + 1
        adepts = program.applications.filter(role=Role.ADEPT)
        mentors = program.applications.filter(role=Role.MENTOR)
        for adept in adepts.exclude(pk__in=matched):
            for mentor in mentors:
                allowed = (
                    rule == Program.PairingRule.ANY
                    or (
                        rule == Program.PairingRule.DIFFERENT_UNIT and not _same_unit(adept, mentor)
                    )
                    or (
                        rule == Program.PairingRule.DIFFERENT_ORGANIZATION
                        and adept.organization_id != mentor.organization_id
                    )
                )
                if allowed:
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
