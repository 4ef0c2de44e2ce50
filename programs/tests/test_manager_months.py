"""Time as a manager in both directions: a least and a most, counted when the program starts
or when the application is sent (seed 001's "relatively new in the role", seed 003's count at
registration). The SQL annotation and the Python rule agree; the program page prints each
role's rule the same way, and only what asks something."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from programs.models import Application, Program, Role
from programs.services import unmet_rules
from programs.tests.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def months_ago(months: int) -> datetime.date:
    from mentorship.months import add_months

    return add_months(timezone.localdate(), -months)


def test_counted_at_the_application_an_adept_four_months_in_is_refused_six_required():
    # The program starts in five months: at its start she would have nine.
    program = ProgramFactory(
        adept_min_manager_months=6,
        starts_on=timezone.localdate() + datetime.timedelta(days=150),
        ends_on=timezone.localdate() + datetime.timedelta(days=500),
    )
    adept = ApplicationFactory(program=program, role=Role.ADEPT, manager_since=months_ago(4))
    assert adept.is_eligible()
    program.manager_months_counted = Program.CountedAt.APPLICATION
    program.save()
    adept.refresh_from_db()
    assert not adept.is_eligible()
    assert unmet_rules(adept) == [
        "Adepts need at least 6 months as a manager with staff when they apply; you have 4."
    ]
    (annotated,) = Application.objects.with_eligibility()
    assert annotated.eligible is False


def test_new_in_the_role_at_most_24_months_refuses_a_seasoned_manager():
    program = ProgramFactory(adept_min_manager_months=0, adept_max_manager_months=24)
    program.manager_months_counted = Program.CountedAt.APPLICATION
    program.save()
    new = ApplicationFactory(program=program, role=Role.ADEPT, manager_since=months_ago(12))
    seasoned = ApplicationFactory(program=program, role=Role.ADEPT, manager_since=months_ago(30))
    assert new.is_eligible() and not seasoned.is_eligible()
    assert unmet_rules(seasoned) == [
        "Adepts may have at most 24 months as a manager with staff, counted when the "
        "application is sent; you have 30."
    ]
    by_pk = {a.pk: a.eligible for a in Application.objects.with_eligibility()}
    assert by_pk == {new.pk: True, seasoned.pk: False}


def test_the_sql_rule_and_the_python_rule_agree_on_both_bounds_at_month_ends():
    program = ProgramFactory(
        starts_on=datetime.date(2028, 3, 31), ends_on=datetime.date(2029, 3, 31),
        adept_min_manager_months=6, adept_max_manager_months=12,
        mentor_min_manager_months=0, mentor_max_manager_months=7,
    )  # fmt: skip
    days = [datetime.date(2027, 2, 25) + datetime.timedelta(days=n) for n in range(8)]
    days += [datetime.date(2027, 8, 28) + datetime.timedelta(days=n) for n in range(8)]
    for day in days:
        for role in (Role.ADEPT, Role.MENTOR):
            ApplicationFactory(program=program, role=role, manager_since=day)
    rows = list(Application.objects.with_eligibility().select_related("program"))
    for application in rows:
        assert application.eligible == application.is_eligible(), (
            application.role, application.manager_since,
        )  # fmt: skip
    assert {a.eligible for a in rows} == {True, False}


def test_a_maximum_under_the_minimum_is_refused():
    program = ProgramFactory(adept_min_manager_months=12, adept_max_manager_months=6)
    with pytest.raises(ValidationError) as error:
        program.full_clean()
    assert "adept_max_manager_months" in error.value.message_dict


def test_the_program_page_prints_each_roles_rule_alike_and_only_what_asks_something(client):
    program = ProgramFactory(
        slug="nya-chefer", adept_min_manager_months=0, adept_max_manager_months=24,
        mentor_min_manager_months=0, manager_months_counted=Program.CountedAt.APPLICATION,
    )  # fmt: skip
    page = client.get(program.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        "Adepts: at most 24 months as a manager with staff, when the application is sent." in page
    )
    assert "Mentors:" not in page  # asks nothing of mentors
    program.mentor_min_manager_months = 36
    program.adept_min_manager_months = 3
    program.manager_months_counted = Program.CountedAt.START
    program.save()
    page = client.get(program.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Adepts: from 3 to 24 months as a manager with staff, when the program starts." in page
    assert "Mentors: at least 36 months as a manager with staff, when the program starts." in page
