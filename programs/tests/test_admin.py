import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import Milestone, Program
from programs.tests.factories import OrganizationFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_program(other_coordinator):
    program = ProgramFactory(name="Nätverkets program", slug="natverket")
    program.coordinators.add(other_coordinator)
    return program


def change_url(program):
    return reverse("admin:programs_program_change", args=[program.pk])


def test_a_coordinator_lists_only_the_programs_they_coordinate(
    client, coordinator, program, other_program
):
    client.force_login(coordinator)
    response = client.get(reverse("admin:programs_program_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [program]
    assert "Nätverkets program" not in response.content.decode()


def test_another_programs_coordinator_gets_404_on_the_change_page(
    client, other_coordinator, program
):
    client.force_login(other_coordinator)
    assert client.get(change_url(program)).status_code == 404
    assert client.post(change_url(program), {"name": "Kapat"}).status_code == 404
    assert (
        client.get(reverse("admin:programs_program_history", args=[program.pk])).status_code == 404
    )
    program.refresh_from_db()
    assert program.name != "Kapat"


def test_a_coordinator_opens_their_own_program(client, coordinator, program):
    client.force_login(coordinator)
    assert client.get(change_url(program)).status_code == 200


def test_a_superuser_sees_every_program(client, superuser, program, other_program):
    client.force_login(superuser)
    response = client.get(reverse("admin:programs_program_changelist"))
    assert set(response.context["cl"].queryset) == {program, other_program}
    assert client.get(change_url(other_program)).status_code == 200


def test_a_participant_cannot_open_the_admin(client, adept, program):
    client.force_login(adept)
    assert client.get(change_url(program)).status_code in (302, 403)
    assert client.get(reverse("admin:index")).status_code in (302, 403)


def test_the_admin_login_goes_through_allauth(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def program_form_data(organization, **overrides):
    now = timezone.localtime()
    data = {
        "name": "Nytt program",
        "slug": "nytt-program",
        "status": "draft",
        "summary": "Kort",
        "description": "Lång",
        "audience": "Chefer",
        "text_language": "sv",
        "owner": organization.pk,
        "organizations": [organization.pk],
        "applications_open_at": f"{now.date().isoformat()}T08:00",
        "applications_close_at": f"{(now + datetime.timedelta(days=30)).date().isoformat()}T23:59",
        "starts_on": (now + datetime.timedelta(days=60)).date().isoformat(),
        "ends_on": (now + datetime.timedelta(days=400)).date().isoformat(),
        "adept_places": 10,
        "meetings_min": 8,
        "meetings_max": 10,
        "meeting_minutes_min": 90,
        "meeting_minutes_max": 120,
        "adept_min_manager_months": 6,
        "mentor_min_manager_months": 36,
        "manager_months_counted": "start",
        "membership_label": "",
        "pairing_rule": "different_organization",
        "letter_max_chars": 3500,
        "mentor_bank": "on",
        "line_managers": "none",
        "weight_needs": 5,
        "weight_region": 2,
        "weight_format": 2,
        "weight_language": 1,
        "weight_experience": 1,
        "weight_wishes": 1,
        "weight_preferences": 10,
        "shortlist_size": 5,
        "matching_min_score": 40,
        "reminder_day": 1,
        "retention_months": 12,
        "rejected_retention_months": 3,
        "milestones-TOTAL_FORMS": 1,
        "milestones-INITIAL_FORMS": 0,
        "milestones-0-kind": "kick_off",
        "milestones-0-title_sv": "Uppstart",
        "milestones-0-starts_at": f"{(now + datetime.timedelta(days=61)).date().isoformat()}T10:00",
        "milestones-0-audience": "both",
        "milestones-0-notice_days": "14,1",
        "questions-TOTAL_FORMS": 0,
        "questions-INITIAL_FORMS": 0,
        "email_texts-TOTAL_FORMS": 0,
        "email_texts-INITIAL_FORMS": 0,
        "organization_coordinators-TOTAL_FORMS": 0,
        "organization_coordinators-INITIAL_FORMS": 0,
    }
    data.update(overrides)
    return data


def test_a_coordinator_creates_a_program_with_milestones_and_keeps_coordinating_it(
    client, coordinator
):
    client.force_login(coordinator)
    organization = OrganizationFactory()
    response = client.post(reverse("admin:programs_program_add"), program_form_data(organization))
    assert response.status_code == 302, response.context["adminform"].form.errors
    program = Program.objects.get(slug="nytt-program")
    assert list(program.coordinators.all()) == [coordinator]
    milestone = program.milestones.get()
    assert milestone.kind == Milestone.Kind.KICK_OFF
    assert milestone.notice_days == [14, 1]
    from audit.models import AuditEntry

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.program) == ("program_created", coordinator, program)
    assert "name" in entry.detail


def test_the_admin_refuses_a_deadline_after_the_program_start(client, coordinator):
    client.force_login(coordinator)
    organization = OrganizationFactory()
    late = (timezone.localdate() + datetime.timedelta(days=90)).isoformat()
    response = client.post(
        reverse("admin:programs_program_add"),
        program_form_data(organization, applications_close_at=f"{late}T23:59"),
    )
    assert response.status_code == 200
    assert "applications_close_at" in response.context["adminform"].form.errors
    assert not Program.objects.filter(slug="nytt-program").exists()


def test_a_coordinator_may_delete_a_draft_but_not_a_published_program(client, coordinator):
    draft = ProgramFactory(status=Program.Status.DRAFT)
    published = ProgramFactory()
    for program in (draft, published):
        program.coordinators.add(coordinator)
    client.force_login(coordinator)
    delete = "admin:programs_program_delete"
    assert client.get(reverse(delete, args=[draft.pk])).status_code == 200
    assert client.get(reverse(delete, args=[published.pk])).status_code == 403


def test_the_changelist_runs_the_same_queries_for_3_and_30_programs(
    client, superuser, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(superuser)
    url = reverse("admin:programs_program_changelist")
    for _ in range(3):
        ProgramFactory()
    client.get(url)  # the first request of a session records the session once
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(27):
        ProgramFactory()
    with django_assert_max_num_queries(len(few)):
        client.get(url)


def test_the_programs_page_in_the_admin_links_to_its_dashboard_and_matching(
    client, coordinator, program
):
    client.force_login(coordinator)
    page = client.get(reverse("admin:programs_program_change", args=[program.pk]))
    html = page.content.decode()
    assert reverse("evaluations:dashboard", args=[program.slug]) in html
    assert reverse("matching:review", args=[program.slug]) in html


def test_a_focus_area_needs_a_name_in_one_language_only_and_falls_back_to_it(db):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from programs.models import FocusArea

    area = FocusArea(code="trivsel", name_da="Trivsel")
    area.full_clean()
    area.save()
    for language in ("sv", "en", "da"):
        with translation.override(language):
            assert area.name == "Trivsel"
    with pytest.raises(ValidationError, match="at least one language"):
        FocusArea(code="tom").full_clean()


def test_a_coordinator_invites_a_co_coordinator_who_gets_one_email_with_the_steps(
    client, coordinator
):
    import re

    from django.core import mail

    from accounts.models import User
    from accounts.tests.factories import UserFactory
    from notifications.services import notifications_deliver

    UserFactory(email="twin@example.org", full_name="Karin Koordinator", is_staff=True)
    client.force_login(coordinator)
    organization = OrganizationFactory()
    data = program_form_data(organization, invite_coordinator="Ny.Kollega@Example.org")
    response = client.post(reverse("admin:programs_program_add"), data, follow=True)
    assert "now coordinates this program" in response.content.decode()
    program = Program.objects.get(slug="nytt-program")
    colleague = User.objects.get(email__iexact="ny.kollega@example.org")
    assert colleague.is_staff and not colleague.has_usable_password()
    assert set(program.coordinators.all()) == {coordinator, colleague}

    # Two coordinators of one name are told apart by their e-mail where they are picked.
    page = client.get(change_url(program)).content.decode()
    assert "Karin Koordinator (karin@example.org)" in page
    assert "Karin Koordinator (twin@example.org)" in page

    notifications_deliver()
    (message,) = mail.outbox
    assert message.to == [colleague.email]
    assert "second factor" in message.body and "password" in message.body
    link = re.search(r"(/accounts/password/reset/key/\S+)", message.body).group(1)
    # The link sets a password; then the login needs no separate address confirmation.
    client.logout()
    page = client.get(link, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    client.post(
        form_url, {"password1": "en-ny-lang-fras-2026", "password2": "en-ny-lang-fras-2026"}
    )
    colleague.refresh_from_db()
    assert colleague.check_password("en-ny-lang-fras-2026")
    response = client.post(
        reverse("account_login"),
        {"login": colleague.email, "password": "en-ny-lang-fras-2026"},
    )
    assert response.status_code == 302
    assert "confirm-email" not in response["Location"]


def test_closing_in_the_admin_completes_the_pairs_and_a_closed_program_stays_closed(
    client, coordinator
):
    from matching.models import Match
    from programs.models import Role
    from programs.tests.factories import ApplicationFactory

    client.force_login(coordinator)
    data = program_form_data(OrganizationFactory(), status="running")
    data["milestones-TOTAL_FORMS"] = 0
    assert client.post(reverse("admin:programs_program_add"), data).status_code == 302
    program = Program.objects.get(slug="nytt-program")
    adept = ApplicationFactory(program=program, status="accepted")
    mentor = ApplicationFactory(program=program, role=Role.MENTOR, status="accepted")
    match = Match.objects.create(program=program, adept=adept, mentor=mentor, status="published")

    data["status"] = "closed"
    response = client.post(change_url(program), data, follow=True)
    assert "1 pair has completed it" in response.content.decode()
    match.refresh_from_db()
    assert match.status == Match.Status.COMPLETED

    data["status"] = "running"
    response = client.post(change_url(program), data)
    assert response.status_code == 200
    assert "stays closed" in str(response.context["adminform"].form.errors["status"])
    program.refresh_from_db()
    assert program.status == Program.Status.CLOSED


@pytest.mark.parametrize("kind", ["organization", "focusarea"])
def test_a_shared_record_is_changed_only_by_who_coordinates_every_program_using_it(
    client, coordinator, other_coordinator, superuser, kind
):
    from programs.tests.factories import FocusAreaFactory

    record = OrganizationFactory(name="Delad") if kind == "organization" else FocusAreaFactory()
    mine, theirs = ProgramFactory(), ProgramFactory()
    mine.coordinators.add(coordinator)
    theirs.coordinators.add(other_coordinator)
    field = "organizations" if kind == "organization" else "focus_areas"
    getattr(mine, field).add(record)
    getattr(theirs, field).add(record)
    url = reverse(f"admin:programs_{kind}_change", args=[record.pk])
    data = (
        {"name": "Omdöpt", "short_name": "O", "units-TOTAL_FORMS": 0, "units-INITIAL_FORMS": 0}
        if kind == "organization"
        else {"code": record.code, "name_sv": "Omdöpt", "name_en": "", "name_da": ""}
    )

    client.force_login(coordinator)
    page = client.get(url)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]  # read-only, and told why
    assert "Programs you do not coordinate use this" in page.content.decode()
    assert client.post(url, data).status_code == 403
    record.refresh_from_db()
    assert "Omdöpt" not in str(record)

    theirs.coordinators.add(coordinator)  # now coordinating both
    page = client.get(url)
    assert page.context["has_change_permission"]
    assert "Programs you do not coordinate use this" not in page.content.decode()
    assert client.post(url, data).status_code == 302
    client.force_login(superuser)
    page = client.get(url)
    assert page.context["has_change_permission"]
    assert "Programs you do not coordinate use this" not in page.content.decode()
