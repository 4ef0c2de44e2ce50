"""E-mail texts the program owns: a paragraph of its own in the introduction (who books the
first meeting, what to bring), the decisions and the closing e-mail, in its languages; the
app keeps the fixed parts."""

import datetime

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from matching.models import Match
from notifications.emails import render_notification
from notifications.models import Notification
from programs import services
from programs.models import Application, EmailText, Role
from programs.tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

BOOKING = {
    "text_sv": "Adepten bokar första mötet. Ta med dina mål för året.",
    "text_da": "Mentee booker det første møde. Tag dine mål for året med.",
}


def paragraph(program, kind, **texts):
    return EmailText.objects.create(program=program, kind=kind, **texts)


def rendered(recipient, kind, **context):
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        key=f"test:{kind}:{sorted(context.items())}",
        context=context,
    )
    message = render_notification(notification)
    return message.body, message.alternatives[0][0]


def pair(program):
    adept = ApplicationFactory(program=program, role=Role.ADEPT, status="accepted",
                               applicant=UserFactory(language="da"))  # fmt: skip
    mentor = ApplicationFactory(program=program, role=Role.MENTOR, status="accepted",
                                applicant=UserFactory(language="sv"))  # fmt: skip
    return Match.objects.create(program=program, adept=adept, mentor=mentor, status="published")


def test_the_introduction_says_who_books_as_the_program_does_in_each_readers_language(program):
    paragraph(program, EmailText.Kind.INTRODUCTION, **BOOKING)
    match = pair(program)
    body, html = rendered(match.adept.applicant, "introduction", match=match.pk)
    assert "Mentee booker det første møde." in body
    assert '<p lang="da">Mentee booker det første møde.' in html
    # The app's own sentence on who books gives way; its fixed parts stay.
    assert "booker jeres første møde" not in body and "booker det første møde" in body
    assert match.mentor.applicant.full_name in body
    body, html = rendered(match.mentor.applicant, "introduction", match=match.pk)
    assert "Adepten bokar första mötet." in body
    assert "Som mentor bokar du" not in body


def test_a_paragraph_written_in_one_language_reaches_everyone_marked_with_its_language(program):
    paragraph(
        program, EmailText.Kind.ACCEPTED, text_sv="Uppstarten är den 15 september i Härnösand."
    )
    application = ApplicationFactory(program=program, applicant=UserFactory(language="en"))
    body, html = rendered(application.applicant, "decision", application=application.pk,
                          decision="accepted")  # fmt: skip
    assert "You have been accepted" in body
    assert "Uppstarten är den 15 september i Härnösand." in body
    assert '<p lang="sv">Uppstarten är den 15 september i Härnösand.</p>' in html
    # Each decision has its own: the waiting list does not get the welcome's paragraph.
    body, _ = rendered(application.applicant, "decision", application=application.pk,
                       decision="waitlisted")  # fmt: skip
    assert "Härnösand" not in body


def test_without_paragraphs_the_e_mails_say_what_the_app_says(program):
    match = pair(program)
    body, html = rendered(match.mentor.applicant, "introduction", match=match.pk)
    assert "Som mentor bokar du det första mötet." in body
    assert 'lang="' not in html.split("<body", 1)[1].split(">", 1)[1]


def test_the_closing_e_mail_carries_the_programs_last_word(program):
    paragraph(program, EmailText.Kind.CLOSING, text_sv="Välkommen som mentor nästa år!")
    match = pair(program)
    body, html = rendered(match.mentor.applicant, "program_closed", program=program.pk,
                          match=match.pk)  # fmt: skip
    assert "Välkommen som mentor nästa år!" in body and "Välkommen som mentor" in html


def test_a_batch_of_e_mails_reads_the_paragraphs_once(program, django_assert_num_queries):
    from programs.emails import _applications

    paragraph(program, EmailText.Kind.ACCEPTED, text_sv="Välkommen!")
    applications = [ApplicationFactory(program=program) for _ in range(4)]
    for a in applications:
        context = {"application": a.pk, "decision": "accepted"}
        Notification.objects.create(
            recipient=a.applicant, kind="decision", key=f"d:{a.pk}", context=context
        )
    notifications = list(Notification.objects.select_related("recipient"))
    with django_assert_num_queries(2):  # the applications, then the programs' paragraphs
        cache = {"application": _applications([a.pk for a in applications])}
    with django_assert_num_queries(0):
        bodies = [render_notification(n, cache).body for n in notifications]
    assert all("Välkommen!" in body for body in bodies)


def test_the_coordinator_writes_them_in_the_admin_and_the_next_edition_keeps_them(
    client, coordinator
):
    from programs.tests.factories import OrganizationFactory
    from programs.tests.test_admin import program_form_data

    client.force_login(coordinator)
    page = client.get(reverse("admin:programs_program_add")).content.decode()
    assert 'name="email_texts-TOTAL_FORMS"' in page
    data = program_form_data(OrganizationFactory(), **{
        "email_texts-TOTAL_FORMS": 2,
        "email_texts-0-kind": "introduction", "email_texts-0-text_sv": BOOKING["text_sv"],
        "email_texts-0-text_da": BOOKING["text_da"],
        "email_texts-1-kind": "accepted",  # written in no language
    })  # fmt: skip
    response = client.post(reverse("admin:programs_program_add"), data)
    assert response.status_code == 200
    assert "Write the paragraph in at least one language." in response.content.decode()
    data["email_texts-1-text_en"] = "The kick-off is in September."
    response = client.post(reverse("admin:programs_program_add"), data)
    assert response.status_code == 302
    texts = EmailText.objects.filter(program__slug="nytt-program")
    assert {t.kind: t.text_da for t in texts} == {"introduction": BOOKING["text_da"],
                                                  "accepted": ""}  # fmt: skip

    program = texts[0].program
    next_year = program.starts_on + datetime.timedelta(days=365)
    edition = services.program_next_edition(
        program=program, name="Nästa år", starts_on=next_year, by=coordinator
    )
    assert set(edition.email_texts.values_list("kind", "text_en")) == {
        ("introduction", ""), ("accepted", "The kick-off is in September."),
    }  # fmt: skip
    assert texts.count() == 2  # the old edition keeps its own


def test_an_empty_paragraph_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        EmailText(kind=EmailText.Kind.ACCEPTED).clean()


def test_decisions_made_in_the_app_carry_the_paragraph(program, coordinator, mailoutbox):
    from notifications.services import notifications_deliver

    paragraph(program, EmailText.Kind.REJECTED, text_sv="Sök gärna igen nästa år.")
    application = ApplicationFactory(program=program, status=Application.Status.SUBMITTED,
                                     applicant=UserFactory(language="sv"))  # fmt: skip
    services.application_decide(
        application=application,
        decision=Application.Status.REJECTED,
        by=coordinator,
        reason=Application.RejectionReason.NO_PLACE,
    )
    notifications_deliver()
    (message,) = mailoutbox
    assert "Sök gärna igen nästa år." in message.body
