"""The coordinators' review: list, decisions, places, mentor bank, CSV."""

import csv
import io

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.tests.factories import UserFactory
from mentorship.errors import ServiceError
from notifications.models import Notification
from notifications.services import notifications_deliver
from programs.models import Application, MentorBankEntry, Program, Role
from programs.services import application_decide, application_move_to_bank, mentor_bank_invite
from programs.tests.factories import (
    ApplicationFactory,
    MentorBankEntryFactory,
    OrganizationFactory,
    ProgramFactory,
    unit_named,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:programs_application_changelist")


@pytest.fixture
def program(coordinator):
    program = ProgramFactory(slug="skolledare", adept_places=2)
    program.coordinators.add(coordinator)
    return program


def act(client, action, applications, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [a.pk for a in applications], **extra},
        follow=True,
    )


def test_a_coordinator_reviews_only_submitted_applications_of_their_programs(
    client, coordinator, program
):
    mine = ApplicationFactory(program=program)
    ApplicationFactory(program=program, status=Application.Status.DRAFT)
    ApplicationFactory()  # another program
    client.force_login(coordinator)
    response = client.get(CHANGELIST)
    assert list(response.context["cl"].queryset) == [mine]


def test_another_programs_application_is_a_404_in_the_admin(client, other_coordinator, program):
    application = ApplicationFactory(program=program)
    client.force_login(other_coordinator)
    url = reverse("admin:programs_application_change", args=[application.pk])
    assert client.get(url).status_code == 404


def test_the_change_page_shows_the_letter_escaped_and_keeps_answers_read_only(
    client, coordinator, program
):
    application = ApplicationFactory(
        program=program, letter="<script>alert(1)</script>\nRad två", unit="Enhet A"
    )
    client.force_login(coordinator)
    url = reverse("admin:programs_application_change", args=[application.pk])
    html = client.get(url).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
    other = unit_named(application.organization, "Ändrad")
    client.post(url, {"internal_note": "Stark kandidat", "unit": other.pk})
    application.refresh_from_db()
    assert application.internal_note == "Stark kandidat"
    assert application.unit.name == "Enhet A"


def test_filters_search_and_eligibility(client, coordinator, program):
    eligible = ApplicationFactory(program=program)
    too_new = ApplicationFactory(program=program, manager_since=program.starts_on)
    mentor = ApplicationFactory(program=program, role=Role.MENTOR)
    client.force_login(coordinator)

    def listed(**params):
        return set(client.get(CHANGELIST, params).context["cl"].queryset)

    assert listed(eligible="yes") == {eligible, mentor}
    assert listed(eligible="no") == {too_new}
    assert listed(role="mentor") == {mentor}
    assert listed(q=eligible.applicant.email) == {eligible}


def test_accepting_sends_one_email_in_the_applicants_language_even_if_done_twice(
    client, coordinator, program, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(program=program, applicant=UserFactory(language="da"))
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        act(client, "accept", [application])
        act(client, "accept", [application])
    notifications_deliver()
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert application.decided_by == coordinator
    (message,) = mail.outbox
    assert message.to == [application.applicant.email]
    assert message.extra_headers["Content-Language"] == "da"
    assert program.name in message.subject
    html = message.alternatives[0][0]
    assert 'lang="da"' in html


def test_each_decision_sends_its_own_email(coordinator, program):
    application = ApplicationFactory(program=program)
    application_decide(application=application, decision="waitlisted", by=coordinator)
    application_decide(application=application, decision="accepted", by=coordinator)
    kinds = Notification.objects.values_list("key", flat=True)
    assert sorted(kinds) == [
        f"decision:{application.pk}:accepted",
        f"decision:{application.pk}:waitlisted",
    ]


def test_accepting_more_adepts_than_places_is_refused(client, coordinator, program):
    applications = [ApplicationFactory(program=program) for _ in range(3)]
    client.force_login(coordinator)
    response = act(client, "accept", applications)
    statuses = [Application.objects.get(pk=a.pk).status for a in applications]
    assert statuses.count(Application.Status.ACCEPTED) == 2
    assert "all 2 adept places" in response.content.decode()


def test_mentors_do_not_take_adept_places(coordinator, program):
    for _ in range(2):
        application_decide(
            application=ApplicationFactory(program=program), decision="accepted", by=coordinator
        )
    mentor = ApplicationFactory(program=program, role=Role.MENTOR)
    assert application_decide(application=mentor, decision="accepted", by=coordinator)


def test_a_withdrawn_application_cannot_be_decided(coordinator, program):
    application = ApplicationFactory(program=program, status=Application.Status.WITHDRAWN)
    with pytest.raises(ServiceError):
        application_decide(application=application, decision="accepted", by=coordinator)


def test_the_review_list_shows_places_and_accepted_adepts(client, coordinator, program):
    ApplicationFactory(program=program, status=Application.Status.ACCEPTED)
    client.force_login(coordinator)
    counts = {p.pk: p for p in client.get(CHANGELIST).context["place_counts"]}
    assert counts[program.pk].accepted_adepts == 1
    assert counts[program.pk].adept_places == 2


def test_the_review_list_runs_the_same_queries_for_5_and_50(
    client, coordinator, program, django_assert_max_num_queries
):
    client.force_login(coordinator)
    for _ in range(5):
        ApplicationFactory(program=program, organization=program.owner)
    client.get(CHANGELIST)  # the first request of a session records the session once
    with CaptureQueriesContext(connection) as few:
        client.get(CHANGELIST)
    for _ in range(45):
        ApplicationFactory(program=program, organization=program.owner)
    with django_assert_max_num_queries(len(few)):
        response = client.get(CHANGELIST)
    assert response.context["cl"].result_count == 50


def test_a_mentor_who_agreed_moves_to_the_bank_and_is_told(
    client, coordinator, program, django_capture_on_commit_callbacks
):
    mentor = ApplicationFactory(program=program, role=Role.MENTOR)
    unwilling = ApplicationFactory(program=program, role=Role.MENTOR, consent_bank_at=None)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = act(client, "move_to_mentor_bank", [mentor, unwilling])
    notifications_deliver()
    assert "has not agreed to join the mentor bank" in response.content.decode()
    assert list(MentorBankEntry.objects.values_list("mentor", flat=True)) == [mentor.applicant_id]
    assert Application.objects.get(pk=mentor.pk).status == Application.Status.BANKED
    assert [m.to for m in mail.outbox] == [[mentor.applicant.email]]


def test_adepts_cannot_be_moved_to_the_bank(coordinator, program):
    with pytest.raises(ServiceError):
        application_move_to_bank(application=ApplicationFactory(program=program), by=coordinator)


def test_banked_mentors_are_invited_once_to_an_open_program(coordinator, program):
    old = ProgramFactory()
    entry = MentorBankEntryFactory(
        mentor=UserFactory(),
        application=ApplicationFactory(program=old, role=Role.MENTOR),
    )
    assert mentor_bank_invite(entries=[entry], program=program, by=coordinator) == 1
    assert mentor_bank_invite(entries=[entry], program=program, by=coordinator) == 0
    notifications_deliver()
    (message,) = mail.outbox
    assert "from_bank=1" in message.body
    assert f"/programs/{program.slug}/apply/mentor/" in message.body


def test_the_invite_action_asks_for_the_program_then_invites(client, coordinator, program):
    entry = MentorBankEntryFactory(
        mentor=UserFactory(),
        application=ApplicationFactory(program=program, role=Role.MENTOR),
    )
    other = ProgramFactory(slug="nasta")
    other.coordinators.add(coordinator)
    client.force_login(coordinator)
    url = reverse("admin:programs_mentorbankentry_changelist")
    form = client.post(url, {"action": "invite", "_selected_action": [entry.pk]})
    assert form.status_code == 200
    assert "Send invitations" in form.content.decode()
    client.post(
        url,
        {"action": "invite", "_selected_action": [entry.pk], "apply": "1", "program": other.pk},
    )
    assert Notification.objects.filter(kind="bank_invitation", program=other).count() == 1


def test_the_csv_export_is_safe_against_formulas_and_leaves_letters_out(
    client, coordinator, program
):
    ApplicationFactory(
        program=program,
        unit='=HYPERLINK("http://evil")',
        letter="Ett personligt brev",
        organization=OrganizationFactory(name="+Plus kommun"),
    )
    client.force_login(coordinator)
    selected = list(Application.objects.all())
    response = client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [a.pk for a in selected]}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert '\'=HYPERLINK("http://evil")' in rows[1]
    assert "'+Plus kommun" in rows[1]
    assert "Ett personligt brev" not in response.content.decode()

    response = client.post(
        CHANGELIST,
        {"action": "export_csv_with_letters", "_selected_action": [a.pk for a in selected]},
    )
    assert "Ett personligt brev" in response.content.decode()

    # The same as Excel: the CSV's rows, the texts as written and stored as text.
    as_csv = rows
    response = client.post(
        CHANGELIST, {"action": "export_xlsx", "_selected_action": [a.pk for a in selected]}
    )
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [list(row) for row in sheet.iter_rows()]
    assert [c.value for c in cells[0]] == as_csv[0]
    assert '=HYPERLINK("http://evil")' in [c.value for c in cells[1]]
    assert all(c.data_type != "f" for row in cells for c in row)
    response = client.post(
        CHANGELIST,
        {"action": "export_xlsx_with_letters", "_selected_action": [a.pk for a in selected]},
    )
    letters = load_workbook(io.BytesIO(response.content)).active
    assert "Ett personligt brev" in [c.value for c in next(letters.iter_rows(min_row=2))]


def test_a_participant_cannot_open_the_review(client, adept, program):
    client.force_login(adept)
    assert client.get(CHANGELIST).status_code in (302, 403)


def test_program_status_choices_stay_in_sync(program):
    assert Program.Status.OPEN in Program.Status.values


def test_rejecting_asks_why_and_the_email_says_it(client, coordinator, program):
    too_new = ApplicationFactory(program=program, manager_since=program.starts_on)
    late = ApplicationFactory(program=program)
    other = ApplicationFactory(program=program)
    client.force_login(coordinator)
    # The action first asks for the reason, and rejects nothing yet.
    page = act(client, "reject", [too_new]).content.decode()
    assert "Why" in page and "More applicants than places" in page
    assert Application.objects.get(pk=too_new.pk).status == Application.Status.SUBMITTED
    # "Another reason" needs the words the applicant will read.
    page = act(client, "reject", [other], apply="1", reason="other", message=" ").content.decode()
    assert "Write the reason the applicant will read." in page
    assert Application.objects.get(pk=other.pk).status == Application.Status.SUBMITTED

    act(client, "reject", [too_new], apply="1", reason="not_eligible")
    act(client, "reject", [late], apply="1", reason="no_place")
    act(client, "reject", [other], apply="1", reason="other",
        message="Programmet vänder sig till chefer i kommunen.")  # fmt: skip
    notifications_deliver()
    by_person = {m.to[0]: m.body for m in mail.outbox}
    assert "at least" in by_person[too_new.applicant.email]
    assert "more applications than there are places" in by_person[late.applicant.email]
    assert "more applications" not in by_person[too_new.applicant.email]
    assert "chefer i kommunen" in by_person[other.applicant.email]
    assert "more applications" not in by_person[other.applicant.email]
    assert Application.objects.get(pk=too_new.pk).rejection_reason == "not_eligible"
