import pytest
from django.urls import reverse

from audit.models import AuditEntry
from matching import services as matching
from programs.models import Application, Role
from programs.services import application_decide
from programs.tests.factories import ApplicationFactory, OrganizationFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(coordinator):
    program = ProgramFactory(slug="granskad")
    program.coordinators.add(coordinator)
    return program


def actions():
    return list(AuditEntry.objects.order_by("pk").values_list("action", "detail"))


def test_decisions_letter_views_and_exports_are_logged_with_who_and_what(
    client, coordinator, program
):
    application = ApplicationFactory(program=program)
    application_decide(application=application, decision="accepted", by=coordinator)
    client.force_login(coordinator)
    client.get(reverse("admin:programs_application_change", args=[application.pk]))
    client.post(
        reverse("admin:programs_application_changelist"),
        {"action": "export_csv_with_letters", "_selected_action": [application.pk]},
    )
    assert actions() == [
        ("decision", "accepted"),
        ("letter_viewed", ""),
        ("export", "applications with letters"),
    ]
    entry = AuditEntry.objects.order_by("pk").first()
    assert (entry.actor, entry.program, entry.object_type, entry.object_id) == (
        coordinator,
        program,
        "application",
        str(application.pk),
    )


def test_program_edits_and_matching_are_logged(client, coordinator, program):
    other = OrganizationFactory()
    program.organizations.add(other)
    program.matching_min_score = 0
    program.save()
    adept = ApplicationFactory(program=program, status=Application.Status.ACCEPTED)
    ApplicationFactory(
        program=program, role=Role.MENTOR, organization=other, status=Application.Status.ACCEPTED
    )
    matching.matching_start(program=program, by=coordinator)
    matching.matches_publish(program=program, by=coordinator)
    match = adept.adept_matches.get()
    matching.match_end(match=match, by=coordinator, reason="Fungerade inte")
    assert [a for a, _detail in actions()] == ["matching_run", "matches_published", "match_ended"]


def test_the_trail_cannot_be_changed_or_deleted(client, superuser, program):
    entry = AuditEntry.objects.create(actor=superuser, action="export", program=program)
    entry.detail = "ändrat"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    client.force_login(superuser)
    url = reverse("admin:audit_auditentry_change", args=[entry.pk])
    assert client.post(url, {"detail": "ändrat"}).status_code == 403
    delete = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get().detail == ""


def test_coordinators_read_only_their_programs_trail(
    client, coordinator, other_coordinator, program
):
    AuditEntry.objects.create(actor=coordinator, action="export", program=program)
    elsewhere = ProgramFactory()
    elsewhere.coordinators.add(other_coordinator)
    AuditEntry.objects.create(actor=other_coordinator, action="export", program=elsewhere)
    client.force_login(coordinator)
    listed = client.get(reverse("admin:audit_auditentry_changelist")).context["cl"].queryset
    assert [e.program for e in listed] == [program]
    # Another program's entry is a 404, as every other page (not the admin's redirect that
    # would confirm it exists); one's own opens.
    theirs = AuditEntry.objects.get(program=elsewhere)
    mine = AuditEntry.objects.get(program=program)
    change = "admin:audit_auditentry_change"
    assert client.get(reverse(change, args=[theirs.pk])).status_code == 404
    assert client.get(reverse(change, args=[999999])).status_code == 404
    assert client.get(reverse(change, args=[mine.pk])).status_code == 200
