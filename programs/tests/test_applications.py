import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from mentorship.errors import ServiceError
from notifications.models import Notification
from notifications.services import notifications_deliver
from programs.models import Application, Role
from programs.services import application_save, application_withdraw
from programs.tests.factories import (
    ApplicationFactory,
    FocusAreaFactory,
    MentorBankEntryFactory,
    OrganizationFactory,
    ProgramFactory,
    unit_named,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    organizations = [OrganizationFactory(name="Umeå kommun"), OrganizationFactory(name="KTH")]
    program = ProgramFactory(
        slug="skolledare",
        organizations=organizations,
        adept_min_manager_months=6,
        mentor_min_manager_months=36,
        letter_max_chars=500,
    )
    program.focus_areas.set([FocusAreaFactory(), FocusAreaFactory()])
    return program


def form_data(program, **overrides):
    data = {
        "organization": program.organizations.first().pk,
        "unit": unit_named(program.organizations.first(), "Grundskola Norr").pk,
        "job_title": "Rektor",
        "manager_since": (program.starts_on - datetime.timedelta(days=400)).isoformat(),
        "direct_reports": "14",
        "focus_areas": [program.focus_areas.first().pk],
        "meeting_format": "either",
        "region": "Umeå",
        "languages": ["sv", "en"],
        "wishes": "Gärna någon från en större kommun.",
        "letter": "Jag vill bli en tryggare chef.\r\nOch lära av andra.",
        "consent_processing": "on",
        "submit": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def apply_url(program, role="adept"):
    return reverse("programs:apply", kwargs={"slug": program.slug, "role": role})


def test_an_anonymous_visitor_is_sent_to_log_in_and_back_to_the_form(client, program):
    response = client.get(apply_url(program))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={apply_url(program)}"


def test_an_adept_saves_a_draft_then_submits_and_gets_one_confirmation(
    client, adept, program, django_capture_on_commit_callbacks
):
    client.force_login(adept)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            apply_url(program), {"letter": "Ett första utkast.", "job_title": "Rektor", "save": ""}
        )
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == application.get_absolute_url()
    assert application.status == Application.Status.DRAFT
    assert Notification.objects.count() == 0

    url = application.get_absolute_url()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form_data(program), follow=True)
    assert "Your application has been submitted" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.letter == "Jag vill bli en tryggare chef.\nOch lära av andra."
    assert application.consent_processing_at is not None
    assert application.languages == ["sv", "en"]

    # Submitting again (a double click, or an edit before the deadline) sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            form_data(
                program, unit=unit_named(program.organizations.first(), "Grundskola Söder").pk
            ),
        )
    notifications_deliver()
    notifications_deliver()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [adept.email]
    application.refresh_from_db()
    assert application.unit.name == "Grundskola Söder"


def test_applying_again_in_the_same_role_opens_the_existing_application(client, adept, program):
    existing = ApplicationFactory(program=program, applicant=adept)
    client.force_login(adept)
    response = client.get(apply_url(program))
    assert response.status_code == 302
    assert response["Location"] == existing.get_absolute_url()
    response = client.post(apply_url(program), form_data(program))
    assert Application.objects.count() == 1


def test_the_database_refuses_a_second_application_in_the_same_role(adept, program):
    ApplicationFactory(program=program, applicant=adept)
    duplicate = Application(program=program, applicant=adept, role=Role.ADEPT, letter="x")
    with pytest.raises(ServiceError, match="already applied"):
        application_save(
            application=duplicate,
            user=adept,
            focus_areas=[],
            consent_processing=True,
            submit=False,
        )


def test_one_person_may_apply_both_as_adept_and_as_mentor(client, adept, program):
    ApplicationFactory(program=program, applicant=adept, role=Role.ADEPT)
    client.force_login(adept)
    response = client.get(apply_url(program, "mentor"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (1, 30, "open on"),  # the window has not opened yet
        (-30, -1, "closed on"),  # the deadline has passed
    ],
)
def test_nothing_is_submitted_outside_the_window(adept, program, opens, closes, message):
    now = timezone.now()
    application = ApplicationFactory.build(
        program=program, applicant=adept, status=Application.Status.DRAFT
    )
    program.applications_open_at = now + datetime.timedelta(days=opens)
    program.applications_close_at = now + datetime.timedelta(days=closes)
    program.save()
    with pytest.raises(ServiceError, match=message):
        application_save(
            application=application,
            user=adept,
            focus_areas=[],
            consent_processing=True,
            submit=True,
        )
    assert not Application.objects.exists()


def test_after_the_deadline_the_application_is_read_only(client, adept, program):
    application = ApplicationFactory(program=program, applicant=adept)
    program.applications_close_at = timezone.now() - datetime.timedelta(minutes=1)
    program.applications_open_at = timezone.now() - datetime.timedelta(days=30)
    program.save()
    client.force_login(adept)
    page = client.get(application.get_absolute_url())
    assert "can no longer be changed" in page.content.decode()
    client.post(
        application.get_absolute_url(),
        form_data(program, unit=unit_named(program.organizations.first(), "Ändrad").pk),
    )
    application.refresh_from_db()
    assert application.unit.name == "Grundskola Norr"


def test_the_apply_page_of_a_closed_program_says_so(client, adept, program):
    program.applications_open_at = timezone.now() - datetime.timedelta(days=30)
    program.applications_close_at = timezone.now() - datetime.timedelta(minutes=1)
    program.save()
    client.force_login(adept)
    response = client.get(apply_url(program), follow=True)
    assert "is not open for applications" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "months", "accepted"),
    [
        ("adept", 6, True),
        ("adept", 5, False),
        ("mentor", 36, True),
        ("mentor", 35, False),
    ],
)
def test_months_as_a_manager_are_counted_at_the_program_start(
    client, adept, program, role, months, accepted
):
    since = program.starts_on - relativedelta(months=months)
    client.force_login(adept)
    extra = {"mentor_capacity": "2"} if role == "mentor" else {}
    response = client.post(
        apply_url(program, role), form_data(program, manager_since=since.isoformat(), **extra)
    )
    application = Application.objects.filter(status=Application.Status.SUBMITTED).first()
    if accepted:
        assert response.status_code == 302
        assert application is not None
    else:
        assert response.status_code == 200
        assert "months as a manager with staff" in response.content.decode()
        assert application is None
        # Nothing typed is lost: the letter is still in the form.
        assert "Jag vill bli en tryggare chef." in response.content.decode()


def test_a_required_membership_must_be_confirmed(client, adept, program):
    program.membership_required = True
    program.membership_label = "Jag är medlem i Skolledarfacket"
    program.save()
    client.force_login(adept)
    response = client.post(apply_url(program), form_data(program))
    assert response.status_code == 200
    assert "Jag är medlem i Skolledarfacket" in response.content.decode()
    assert not Application.objects.exists()
    response = client.post(apply_url(program), form_data(program, membership_confirmed="on"))
    assert response.status_code == 302
    assert Application.objects.get().membership_confirmed


def test_the_letter_limit_is_enforced_with_the_count_and_nothing_lost(client, adept, program):
    client.force_login(adept)
    letter = "a" * 501
    response = client.post(apply_url(program), form_data(program, letter=letter))
    html = response.content.decode()
    assert response.status_code == 200
    assert "501" in html and "500" in html
    assert letter in html
    assert not Application.objects.exists()


def test_a_letter_at_the_limit_with_line_breaks_is_accepted(client, adept, program):
    client.force_login(adept)
    letter = ("x" * 99 + "\r\n") * 5  # 500 characters as the browser counts them
    response = client.post(apply_url(program), form_data(program, letter=letter))
    assert response.status_code == 302
    assert len(Application.objects.get().letter) == 499  # the last line break is trimmed


def test_an_organisation_outside_the_program_is_refused_even_if_tampered(client, adept, program):
    outside = OrganizationFactory(name="Fel organisation")
    client.force_login(adept)
    response = client.post(apply_url(program), form_data(program, organization=outside.pk))
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert not Application.objects.exists()


def test_the_service_refuses_an_organisation_outside_the_program(adept, program):
    application = ApplicationFactory.build(
        program=program, applicant=adept, organization=OrganizationFactory()
    )
    application.organization.save()
    with pytest.raises(ServiceError, match="participating organisations"):
        application_save(
            application=application,
            user=adept,
            focus_areas=[],
            consent_processing=True,
            submit=False,
        )


def test_submitting_needs_consent_and_a_complete_form(client, adept, program):
    client.force_login(adept)
    response = client.post(apply_url(program), form_data(program, consent_processing=None))
    assert "consent_processing" in response.context["form"].errors
    response = client.post(apply_url(program), form_data(program, job_title=""))
    assert "job_title" in response.context["form"].errors
    assert not Application.objects.exists()


def test_a_mentor_gives_a_capacity_from_1_to_3(client, adept, program):
    client.force_login(adept)
    response = client.post(apply_url(program, "mentor"), form_data(program, mentor_capacity="4"))
    assert "mentor_capacity" in response.context["form"].errors
    response = client.post(
        apply_url(program, "mentor"),
        form_data(program, mentor_capacity="3", consent_bank="on", manager_since="2015-01-01"),
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.mentor_capacity == 3
    assert application.consent_bank_at is not None


def test_withdrawing_needs_a_post_and_is_final(client, adept, program):
    application = ApplicationFactory(program=program, applicant=adept)
    client.force_login(adept)
    url = reverse("programs:application_withdraw", args=[application.pk])
    assert "cannot be undone" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "Your application has been withdrawn." in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    with pytest.raises(ServiceError):
        application_withdraw(application=application, user=adept)


def test_someone_elses_application_is_a_404(client, adept, outsider, program):
    application = ApplicationFactory(program=program, applicant=adept)
    client.force_login(outsider)
    assert client.get(application.get_absolute_url()).status_code == 404
    url = reverse("programs:application_withdraw", args=[application.pk])
    assert client.post(url).status_code == 404
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_the_internal_note_never_reaches_the_applicant(client, adept, program):
    application = ApplicationFactory(
        program=program, applicant=adept, internal_note="HEMLIG-ANTECKNING"
    )
    client.force_login(adept)
    for url in [
        application.get_absolute_url(),
        reverse("programs:my_applications"),
        reverse("programs:application_withdraw", args=[application.pk]),
    ]:
        assert "HEMLIG-ANTECKNING" not in client.get(url).content.decode()
    program.applications_close_at = timezone.now() - datetime.timedelta(minutes=1)
    program.applications_open_at = timezone.now() - datetime.timedelta(days=9)
    program.save()
    assert "HEMLIG-ANTECKNING" not in client.get(application.get_absolute_url()).content.decode()


def make_applications(user, count):
    for _ in range(count):
        ApplicationFactory(applicant=user)


def test_my_applications_runs_the_same_queries_for_5_and_50(
    client, adept, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(adept)
    make_applications(adept, 5)
    client.get(
        reverse("programs:my_applications")
    )  # the first request of a session records the session once
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("programs:my_applications"))
    make_applications(adept, 45)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("programs:my_applications"))
    assert len(response.context["applications"]) == 50


def test_the_letter_counter_shows_the_saved_count_without_javascript(client, adept, program):
    application = ApplicationFactory(
        program=program, applicant=adept, status=Application.Status.DRAFT, letter="x" * 42
    )
    client.force_login(adept)
    html = client.get(application.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "42 of 500 characters used" in html


def test_a_banked_mentor_gets_a_prefilled_form(client, program):

    mentor = UserFactory()
    earlier = ApplicationFactory(
        applicant=mentor, role=Role.MENTOR, job_title="Förvaltningschef", letter="Mitt brev"
    )
    MentorBankEntryFactory(mentor=mentor, application=earlier)
    client.force_login(mentor)
    response = client.get(apply_url(program, "mentor") + "?from_bank=1")
    form = response.context["form"]
    assert form.initial["job_title"] == "Förvaltningschef"
    assert form.initial["letter"] == "Mitt brev"
    assert "Förvaltningschef" in response.content.decode()


def test_a_mentor_leaves_the_bank(client, program):
    from programs.models import MentorBankEntry

    mentor = UserFactory()
    MentorBankEntryFactory(
        mentor=mentor, application=ApplicationFactory(applicant=mentor, role=Role.MENTOR)
    )
    client.force_login(mentor)
    response = client.post(reverse("programs:mentor_bank"), follow=True)
    assert "You have left the mentor bank." in response.content.decode()
    assert not MentorBankEntry.objects.exists()


def test_the_review_lists_eligibility_by_the_same_rule_as_the_form(program):
    """The admin filter computes eligibility in SQL; it must agree with the Python rule,
    month ends and leap days included."""
    program.starts_on = datetime.date(2028, 3, 31)
    program.ends_on = datetime.date(2029, 3, 31)
    program.save()
    days = [datetime.date(2027, 9, 28) + datetime.timedelta(days=n) for n in range(8)]
    days += [datetime.date(2025, 3, 29) + datetime.timedelta(days=n) for n in range(5)]
    for day in days:
        for role in (Role.ADEPT, Role.MENTOR):
            ApplicationFactory(program=program, role=role, manager_since=day)
    for application in Application.objects.with_eligibility().select_related("program"):
        assert application.eligible == application.is_eligible(), application.manager_since
    assert Application.objects.with_eligibility().filter(eligible=True).exists()
    assert Application.objects.with_eligibility().filter(eligible=False).exists()


def test_a_pasted_letter_longer_than_a_page_is_kept_and_the_person_told(client, adept, program):
    """The field has no maxlength that would cut it; a draft keeps it whole, sending says how
    long it is and what the limit is."""
    client.force_login(adept)
    page = client.get(apply_url(program)).content.decode()
    assert 'maxlength="500"' not in page
    letter = "Ett långt brev. " * 60  # 960 characters
    client.post(apply_url(program), form_data(program, letter=letter, submit=None, save=""))
    draft = Application.objects.get()
    assert draft.letter == letter.strip()
    response = client.post(draft.get_absolute_url(), form_data(program, letter=letter))
    html = response.content.decode()
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    assert "Your letter has 959 characters" in html and "at most 500" in html
    assert Application.objects.get().status == Application.Status.DRAFT
    assert letter.strip() in html
    assert "shorten the letter before you send it" in html
