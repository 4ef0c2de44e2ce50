import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from evaluations.models import Survey
from programs.models import Application, Milestone, Program

pytestmark = pytest.mark.django_db


def counts():
    return (
        User.objects.count(),
        Program.objects.count(),
        Milestone.objects.count(),
        Application.objects.count(),
        Survey.objects.count(),
    )


def test_seed_demo_is_idempotent_and_shows_open_and_upcoming_programs(client):
    call_command("seed_demo", stdout=None)
    first = counts()
    call_command("seed_demo", stdout=None)
    assert counts() == first
    response = client.get(reverse("programs:list"))
    assert len(response.context["open_programs"]) == 2
    assert len(response.context["upcoming_programs"]) == 1
    kinds = set(Milestone.objects.values_list("kind", flat=True))
    assert {"kick_off", "half_time", "closing", "adept_intro", "inspiration"} <= kinds


def test_the_demo_coordinator_can_work_through_every_admin_screen(client):
    call_command("seed_demo", stdout=None)
    coordinator = User.objects.get(email="coordinator@example.org")
    client.force_login(coordinator)
    application = Application.objects.filter(program__coordinators=coordinator).first()
    program = application.program
    survey = Survey.objects.filter(program__coordinators=coordinator, phase="half_time").get()
    assert survey.questions.count() == 7
    for url in [
        reverse("admin:index"),
        reverse("admin:programs_program_changelist"),
        reverse("admin:programs_program_change", args=[program.pk]),
        reverse("admin:programs_application_changelist"),
        reverse("admin:programs_application_change", args=[application.pk]),
        reverse("admin:programs_mentorbankentry_changelist"),
        reverse("admin:notifications_notification_changelist"),
        reverse("admin:programs_organization_changelist"),
        reverse("admin:programs_focusarea_changelist"),
        reverse("admin:evaluations_survey_changelist"),
        reverse("admin:evaluations_survey_add"),
        reverse("admin:evaluations_survey_change", args=[survey.pk]),
        reverse("evaluations:results", args=[survey.pk]),
        reverse("evaluations:dashboard", args=[survey.program.slug]),
        reverse("evaluations:dashboard", args=[program.slug]),
    ]:
        assert client.get(url).status_code == 200, url
    # The network's program is not theirs.
    other = Program.objects.exclude(coordinators=coordinator).get()
    assert client.get(reverse("admin:programs_program_change", args=[other.pk])).status_code == 404
