"""User text is shown escaped everywhere and is formula-safe in every CSV."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import Match, RematchRequest
from meetings.models import Goal, GoalComment, Meeting
from programs.models import Application, Role
from programs.tests.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'
FORMULA = '=HYPERLINK("http://evil.example","click")'
PAYLOAD = f"{FORMULA} {SCRIPT}"


@pytest.fixture
def planted(coordinator):
    today = timezone.localdate()
    program = ProgramFactory(
        slug="xss",
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=300),
        applications_open_at=timezone.now() - datetime.timedelta(days=60),
        applications_close_at=timezone.now() - datetime.timedelta(days=20),
    )
    program.coordinators.add(coordinator)
    fields = {"letter": PAYLOAD, "wishes": PAYLOAD, "unit": PAYLOAD, "job_title": PAYLOAD,
              "region": PAYLOAD}  # fmt: skip
    adept = ApplicationFactory(program=program, status=Application.Status.ACCEPTED, **fields)
    mentor = ApplicationFactory(
        program=program, role=Role.MENTOR, status=Application.Status.ACCEPTED, **fields
    )
    match = Match.objects.create(
        program=program, adept=adept, mentor=mentor, status=Match.Status.PUBLISHED
    )
    goal = Goal.objects.create(match=match, title=PAYLOAD, description=PAYLOAD)
    GoalComment.objects.create(goal=goal, author=mentor.applicant, text=PAYLOAD)
    meeting = Meeting.objects.create(
        match=match, starts_at=timezone.now(), agenda=PAYLOAD, notes=PAYLOAD, location=PAYLOAD
    )
    RematchRequest.objects.create(match=match, requested_by=adept.applicant, reason=PAYLOAD)
    return {"program": program, "adept": adept, "mentor": mentor, "match": match,
            "meeting": meeting}  # fmt: skip


def assert_escaped(response):
    html = response.content.decode()
    assert response.status_code == 200
    assert SCRIPT not in html
    assert "alert(" in html or "alert(&quot;" in html or "&lt;script&gt;" in html


def test_participant_pages_escape_what_people_wrote(client, planted):
    client.force_login(planted["adept"].applicant)
    for url in [
        planted["adept"].get_absolute_url(),
        reverse("meetings:mentorship", args=[planted["match"].pk]),
        planted["meeting"].get_absolute_url(),
    ]:
        assert_escaped(client.get(url))


def test_coordinator_pages_and_the_admin_escape_it(client, coordinator, planted):
    client.force_login(coordinator)
    assert_escaped(client.get(reverse("matching:review", args=["xss"])))
    assert_escaped(
        client.get(reverse("admin:programs_application_change", args=[planted["adept"].pk]))
    )
    response = client.get(reverse("admin:programs_application_changelist"), {"q": "x"})
    assert SCRIPT not in response.content.decode()


def test_every_csv_export_neutralises_formulas(client, coordinator, planted):
    client.force_login(coordinator)
    exports = [
        ("admin:programs_application_changelist", "export_csv_with_letters",
         [planted["adept"].pk, planted["mentor"].pk]),
        ("admin:meetings_pairactivity_changelist", "export_csv", [planted["match"].pk]),
    ]  # fmt: skip
    for changelist, action, ids in exports:
        response = client.post(reverse(changelist), {"action": action, "_selected_action": ids})
        cells = [
            c for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for c in row
        ]
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells), changelist


def test_evaluation_pages_escape_questions_and_answers(client, coordinator, planted):
    from evaluations.services import response_save, survey_create
    from evaluations.tests.conftest import add_pairs
    from programs.tests.factories import MilestoneFactory

    program = planted["program"]
    survey = survey_create(
        milestone=MilestoneFactory(program=program, kind="half_time"),
        phase="half_time",
        opens_at=timezone.now() - datetime.timedelta(days=1),
        closes_at=timezone.now() + datetime.timedelta(days=1),
        start_with="empty",
    )
    question = survey.questions.create(kind="text", text_sv=PAYLOAD, text_en=PAYLOAD)
    choice = survey.questions.create(
        kind="choice", text_sv="Val", choices_sv=f"{PAYLOAD}\nNej", choices_en=f"{PAYLOAD}\nNo"
    )
    people = [planted["adept"].applicant] + [m.adept.applicant for m in add_pairs(program, 2)]
    for person in people:
        response_save(
            survey=survey, user=person, answers={question.pk: PAYLOAD, choice.pk: 0}, submit=True
        )
    # A pair at risk, listed by name on the dashboard.
    Match.objects.filter(pk=planted["match"].pk).update(
        published_at=timezone.now() - datetime.timedelta(days=60)
    )
    type(people[0]).objects.filter(pk=people[0].pk).update(full_name=PAYLOAD)
    client.force_login(planted["adept"].applicant)
    assert_escaped(client.get(reverse("evaluations:answer", args=[survey.pk])))
    client.force_login(coordinator)
    assert_escaped(client.get(reverse("evaluations:results", args=[survey.pk])))
    assert_escaped(client.get(reverse("evaluations:dashboard", args=[program.slug])))
    response = client.get(reverse("evaluations:results_csv", args=[survey.pk]))
    cells = [
        c for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for c in row
    ]
    assert any(FORMULA in cell for cell in cells)
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
