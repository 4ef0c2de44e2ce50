import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Survey
from evaluations.services import response_save, survey_create
from programs.tests.factories import MilestoneFactory, ProgramFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def survey_form(milestone, **overrides):
    now = timezone.localtime()
    data = {
        "milestone": milestone.pk,
        "phase": "half_time",
        "opens_at": f"{now.date().isoformat()}T08:00",
        "closes_at": f"{(now.date() + 14 * DAY).isoformat()}T17:00",
        "intro_sv": "",
        "intro_en": "",
        "intro_da": "",
        "start_with": "default",
    }
    data.update(overrides)
    return data


def test_a_coordinator_adds_the_half_time_survey_from_the_ready_set(
    client, coordinator, running, half_time
):
    client.force_login(coordinator)
    response = client.post(reverse("admin:evaluations_survey_add"), survey_form(half_time))
    assert response.status_code == 302, response.context["adminform"].form.errors
    survey = Survey.objects.get()
    assert survey.program == running
    assert survey.questions.count() == 7
    # The questions are then edited on the survey's page.
    page = client.get(reverse("admin:evaluations_survey_change", args=[survey.pk]))
    assert "Våra möten har varit värdefulla för mig." in page.content.decode()


def test_the_admin_refuses_a_second_half_time_survey_with_a_clear_message(
    client, coordinator, half_time
):
    client.force_login(coordinator)
    client.post(reverse("admin:evaluations_survey_add"), survey_form(half_time))
    response = client.post(reverse("admin:evaluations_survey_add"), survey_form(half_time))
    assert response.status_code == 200
    assert "already has a survey for this evaluation" in response.content.decode()
    assert Survey.objects.count() == 1


def test_milestones_and_surveys_of_other_programs_are_out_of_reach(
    client, coordinator, other_coordinator, half_time
):
    elsewhere = MilestoneFactory(program=ProgramFactory(), kind="half_time")
    elsewhere.program.coordinators.add(other_coordinator)
    client.force_login(coordinator)
    response = client.post(reverse("admin:evaluations_survey_add"), survey_form(elsewhere))
    assert "Select a valid choice" in response.content.decode()
    now = timezone.now()
    theirs = survey_create(
        milestone=elsewhere, phase="half_time", opens_at=now, closes_at=now + DAY
    )
    assert (
        client.get(reverse("admin:evaluations_survey_change", args=[theirs.pk])).status_code == 404
    )
    changelist = client.get(reverse("admin:evaluations_survey_changelist")).content.decode()
    assert f"/{theirs.pk}/change/" not in changelist


def test_once_answered_questions_cannot_change_kind_or_be_removed(
    client, coordinator, half_time, pair
):
    now = timezone.now()
    survey = survey_create(
        milestone=half_time, phase="half_time", opens_at=now - DAY, closes_at=now + DAY
    )
    scale = {q.pk: 4 for q in survey.questions.filter(kind="scale")}
    response_save(survey=survey, user=pair.adept.applicant, answers=scale, submit=True)
    client.force_login(coordinator)
    page = client.get(reverse("admin:evaluations_survey_change", args=[survey.pk]))
    formset = page.context["inline_admin_formsets"][0]
    assert not formset.has_add_permission and not formset.has_delete_permission
    assert "kind" in formset.readonly_fields
    assert {"milestone", "phase"} <= set(page.context["adminform"].readonly_fields)
