"""Seed 003's light registration of interest: the program chooses, per role, which of the
form's fixed fields may be left empty, and its pages and e-mails say 'register interest'."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import UserFactory
from mentorship.errors import ServiceError
from notifications.services import notifications_deliver
from programs import services
from programs.models import Application, OptionalField, Program, Role
from programs.tests.factories import ApplicationFactory
from programs.tests.test_admin import program_form_data
from programs.tests.test_applications import apply_url, form_data
from programs.tests.test_applications import program as program  # the fixture

pytestmark = pytest.mark.django_db

LIGHT = {"letter": "", "job_title": "", "direct_reports": ""}


@pytest.fixture
def interest(program):
    """The adept may leave out the letter, the title and the reports; a mentor only the letter."""
    program.registration_of_interest = True
    program.adept_optional = [OptionalField.LETTER, OptionalField.JOB_TITLE,
                              OptionalField.DIRECT_REPORTS]  # fmt: skip
    program.mentor_optional = [OptionalField.LETTER]
    program.save()
    return program


def test_an_adept_registers_interest_without_a_letter_and_is_told_so(
    client, interest, django_capture_on_commit_callbacks
):
    adept = UserFactory(language="sv")
    client.force_login(adept)
    page = client.get(apply_url(interest)).content.decode()
    assert "<h1>Registrera intresse som adept</h1>" in page
    assert "Personligt brev (frivilligt)" in page and "Befattning (frivilligt)" in page
    assert ">Registrera intresse</button>" in page
    assert "Anmäl ditt intresse senast" in page
    assert "behandlar det jag skriver här för att matcha adepter och mentorer" in page
    assert "inklusive mitt personliga brev" not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(apply_url(interest), form_data(interest, **LIGHT), follow=True)
    application = Application.objects.get()
    assert application.status == Application.Status.SUBMITTED
    assert (application.letter, application.job_title, application.direct_reports) == ("", "", None)
    assert "Din intresseanmälan är registrerad" in response.content.decode()
    notifications_deliver()
    (message,) = mail.outbox
    assert message.subject == f"Vi har tagit emot din intresseanmälan till {interest.name}"
    assert "Tack för att du anmält intresse" in message.body


def test_what_the_program_leaves_required_stays_required_per_role(client, interest):
    client.force_login(UserFactory(language="en"))
    data = form_data(interest, **LIGHT, mentor_capacity="1", manager_since="2015-01-01")
    response = client.post(apply_url(interest, "mentor"), data)
    assert response.status_code == 200  # the mentor's title and reports are still asked for
    errors = response.context["form"].errors
    assert set(errors) == {"job_title", "direct_reports"}
    assert not Application.objects.filter(status=Application.Status.SUBMITTED).exists()

    data.update(job_title="Avdelningschef", direct_reports="12")
    assert client.post(apply_url(interest, "mentor"), data).status_code == 302
    assert Application.objects.get().letter == ""


def test_the_service_checks_the_same_rule_as_the_form(interest):
    organization = interest.organizations.first()
    adept = ApplicationFactory(program=interest, role=Role.ADEPT, letter="", job_title="",
                               organization=organization, unit=None,
                               direct_reports=None, status=Application.Status.DRAFT)  # fmt: skip
    services.application_save(application=adept, user=adept.applicant,
                              focus_areas=[interest.focus_areas.first()],
                              consent_processing=True, submit=True)  # fmt: skip
    assert adept.status == Application.Status.SUBMITTED

    mentor = ApplicationFactory(program=interest, role=Role.MENTOR, letter="", job_title="",
                                organization=organization, unit=None,
                                mentor_capacity=1, status=Application.Status.DRAFT)  # fmt: skip
    with pytest.raises(ServiceError, match="job title"):
        services.application_save(application=mentor, user=mentor.applicant,
                                  focus_areas=[interest.focus_areas.first()],
                                  consent_processing=True, submit=True)  # fmt: skip


def test_an_ordinary_program_asks_for_everything_and_says_apply(client, program):
    client.force_login(UserFactory(language="en"))
    page = client.get(program.get_absolute_url()).content.decode()
    assert "Apply as adept" in page and "Register interest" not in page
    response = client.post(apply_url(program), form_data(program, **LIGHT))
    assert set(response.context["form"].errors) == {"letter", "job_title", "direct_reports"}
    page = response.content.decode()
    assert "(optional)" not in page and "including my motivation letter" in page


def test_the_program_page_and_list_say_register_interest_in_danish(client, interest):
    client.force_login(UserFactory(language="da"))
    page = client.get(interest.get_absolute_url()).content.decode()
    assert "Tilmeld interesse som mentee" in page and "Tilmeld interesse som mentor" in page
    listing = client.get(reverse("programs:list")).content.decode()
    assert "Tilmeld interesse senest" in listing


def test_the_coordinator_sets_it_up_in_the_admin_and_the_next_edition_keeps_it(client, coordinator):
    from programs.tests.factories import OrganizationFactory

    client.force_login(coordinator)
    organization = OrganizationFactory()
    page = client.get(reverse("admin:programs_program_add")).content.decode()
    assert 'name="adept_optional"' in page and 'name="registration_of_interest"' in page
    data = program_form_data(
        organization, registration_of_interest="on",
        adept_optional=["letter", "direct_reports"], mentor_optional=["letter"],
    )  # fmt: skip
    response = client.post(reverse("admin:programs_program_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    program = Program.objects.get(slug="nytt-program")
    assert program.registration_of_interest
    assert program.required_to_submit(Role.ADEPT) == ("organization", "job_title", "manager_since")
    assert program.mentor_optional == ["letter"]

    # A value that is not one of the fields is refused, not stored.
    data["adept_optional"] = ["manager_since"]
    response = client.post(reverse("admin:programs_program_change", args=[program.pk]), data)
    assert "adept_optional" in response.context["adminform"].form.errors

    with translation.override("en"):
        edition = services.program_next_edition(
            program=program, name="Nästa", starts_on=program.starts_on.replace(
                year=program.starts_on.year + 1), by=coordinator,
        )  # fmt: skip
    assert (edition.registration_of_interest, edition.adept_optional) == (
        True, ["letter", "direct_reports"],
    )  # fmt: skip


def test_withdrawing_and_the_decision_say_registration_of_interest(client, interest, coordinator):
    adept = UserFactory(language="da")
    application = ApplicationFactory(program=interest, applicant=adept)
    client.force_login(adept)
    url = reverse("programs:application_withdraw", args=[application.pk])
    page = client.get(url).content.decode()
    assert "<h1>Træk interessetilmeldingen tilbage</h1>" in page
    assert f"interessetilmelding til {interest.name} som mentee tilbage?" in page
    assert "ansøgning" not in page.split("<main", 1)[1]
    response = client.post(url, follow=True)
    assert "Din interessetilmelding er trukket tilbage." in response.content.decode()

    other = ApplicationFactory(program=interest, applicant=UserFactory(language="sv"))
    services.applications_decide(
        applications=[other],
        decision=Application.Status.REJECTED,
        by=coordinator,
        reason=Application.RejectionReason.NO_PLACE,
    )
    notifications_deliver()
    (message,) = mail.outbox
    assert message.subject == f"Din intresseanmälan till {interest.name}"
    assert "Tack för din intresseanmälan" in message.body
    assert "Fler anmälde intresse än det finns platser." in message.body
    assert "ansökan" not in message.body.lower()
