import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from evaluations.models import Answer, Question, Response, Survey
from evaluations.planning import plan_evaluation_emails
from evaluations.services import response_save, survey_create
from matching.models import Match
from mentorship.errors import ServiceError
from notifications.models import Notification
from notifications.services import notifications_deliver
from programs.models import Program
from programs.tests.factories import ApplicationFactory, MilestoneFactory, ProgramFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def survey(half_time):
    now = timezone.now()
    return survey_create(
        milestone=half_time, phase="half_time", opens_at=now - DAY, closes_at=now + 14 * DAY
    )


def scale_question(survey):
    return survey.questions.filter(kind=Question.Kind.SCALE).first()


def full_answers(survey):
    """A valid answer to every question."""
    values = {"scale": 4, "choice": 0, "text": "Bra samtal."}
    return {q.pk: values[q.kind] for q in survey.questions.all()}


# --- the ready sets --------------------------------------------------------------------------


def test_a_survey_starts_with_the_ready_questions_in_three_languages(survey):
    questions = list(survey.questions.all())
    assert {q.kind for q in questions} == {"scale", "choice", "text"}
    assert all(q.text_sv and q.text_en and q.text_da for q in questions)
    choice = next(q for q in questions if q.kind == "choice")
    assert len(choice.choices_sv.splitlines()) == len(choice.choices_da.splitlines()) == 3
    assert [q.position for q in questions] == sorted(q.position for q in questions)


def test_the_final_set_differs_and_an_earlier_survey_can_be_copied(running, survey):
    now = timezone.now()
    closing = running.milestones.create(kind="closing", starts_at=now + 150 * DAY, notice_days=[14])
    final = survey_create(
        milestone=closing, phase="final", opens_at=now + 140 * DAY, closes_at=now + 160 * DAY
    )
    assert final.questions.first().text_en == "The mentorship has been valuable to me."
    survey.questions.update(text_en="Edited by the coordinator")
    next_year = survey_create(
        milestone=closing,
        phase="other",
        opens_at=now,
        closes_at=now + DAY,
        start_with=survey,
    )
    assert next_year.questions.count() == survey.questions.count()
    assert set(next_year.questions.values_list("text_en", flat=True)) == {
        "Edited by the coordinator"
    }


def test_one_half_time_survey_per_program(half_time, survey):
    now = timezone.now()
    with pytest.raises(ValidationError, match="already has a survey"):
        survey_create(milestone=half_time, phase="half_time", opens_at=now, closes_at=now + DAY)
    with pytest.raises(ValidationError, match="close after it opens"):
        survey_create(milestone=half_time, phase="other", opens_at=now, closes_at=now - DAY)


def test_a_choice_needs_options_in_every_language_alike(survey):
    question = Question(survey=survey, kind="choice", text_sv="Hur?", choices_sv="Ja")
    with pytest.raises(ValidationError, match="at least two options"):
        question.clean()
    question.choices_sv, question.choices_en = "Ja\nNej", "Yes\nNo\nMaybe"
    with pytest.raises(ValidationError, match="same number of options"):
        question.clean()
    question.kind = "scale"
    with pytest.raises(ValidationError, match="Only a choice question"):
        question.clean()


# --- answering --------------------------------------------------------------------------------


def test_one_response_per_participant_edited_until_it_closes(survey, pair):
    adept = pair.adept.applicant
    question = scale_question(survey)
    first = response_save(survey=survey, user=adept, answers={question.pk: 2}, submit=False)
    assert first.submitted_at is None and first.role == "adept"
    again = response_save(survey=survey, user=adept, answers=full_answers(survey), submit=True)
    assert again.pk == first.pk and again.submitted_at is not None
    changed = {**full_answers(survey), question.pk: 5}
    response_save(survey=survey, user=adept, answers=changed, submit=False)
    assert Response.objects.filter(survey=survey).count() == 1
    assert Answer.objects.get(response=first, question=question).scale == 5
    # Still sent: saving after sending does not take it back.
    assert Response.objects.get().submitted_at == again.submitted_at
    with pytest.raises(IntegrityError):
        Response.objects.create(survey=survey, respondent=adept, role="adept")


def test_sending_needs_the_required_answers_but_a_draft_does_not(survey, pair):
    adept = pair.adept.applicant
    text = survey.questions.filter(kind="text").first()
    draft = response_save(survey=survey, user=adept, answers={text.pk: "Halvvägs"}, submit=False)
    assert draft.answers.get().text == "Halvvägs"
    with pytest.raises(ServiceError, match="marked as required"):
        response_save(survey=survey, user=adept, answers={text.pk: "Halvvägs"}, submit=True)
    assert Response.objects.get().submitted_at is None


def test_nothing_can_be_changed_after_the_survey_closes(survey, pair):
    adept = pair.adept.applicant
    response_save(survey=survey, user=adept, answers=full_answers(survey), submit=True)
    later = survey.closes_at + datetime.timedelta(seconds=1)
    question = scale_question(survey)
    with pytest.raises(ServiceError, match="closed on"):
        response_save(survey=survey, user=adept, answers={question.pk: 1}, submit=True, now=later)
    assert Answer.objects.get(question=question).scale == 4


def test_only_the_programs_participants_answer(survey, outsider, running):
    with pytest.raises(ServiceError, match="Only the program's adepts and mentors"):
        response_save(survey=survey, user=outsider, answers={}, submit=False)
    assert not Response.objects.exists()


def test_out_of_range_values_are_refused(survey, pair):
    question = scale_question(survey)
    for bad in (0, 6, "x"):
        with pytest.raises(ServiceError, match="Choose one of the options"):
            response_save(
                survey=survey, user=pair.adept.applicant, answers={question.pk: bad}, submit=False
            )


def test_the_participant_answers_saves_comes_back_and_sends_in_the_browser_form(
    client, survey, pair
):
    adept = pair.adept.applicant
    client.force_login(adept)
    url = reverse("evaluations:answer", args=[survey.pk])
    questions = list(survey.questions.all())
    text = next(q for q in questions if q.kind == "text")
    response = client.post(
        url, {f"q{text.pk}": "Vi behöver mer tid", "action": "save"}, follow=True
    )
    assert "Your answers are saved." in response.content.decode()
    assert "saved but not sent" in response.content.decode()
    page = client.get(url).content.decode()
    assert "Vi behöver mer tid" in page  # nothing typed is lost
    # Sending without the required answers: the text is kept, the errors say what is missing.
    response = client.post(url, {f"q{text.pk}": "Vi behöver mer tid", "action": "send"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "This field is required" in body and "Vi behöver mer tid" in body
    data = {f"q{q.pk}": v for q, v in zip(questions, full_answers(survey).values(), strict=True)}
    response = client.post(url, {**data, "action": "send"}, follow=True)
    assert "Thank you: your answers are sent." in response.content.decode()
    listing = client.get(reverse("evaluations:list")).content.decode()
    assert "Answered" in listing


def test_after_closing_the_form_is_read_only_and_posts_change_nothing(client, survey, pair):
    adept = pair.adept.applicant
    response_save(survey=survey, user=adept, answers=full_answers(survey), submit=True)
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - DAY)
    client.force_login(adept)
    url = reverse("evaluations:answer", args=[survey.pk])
    page = client.get(url).content.decode()
    assert "Send my answers" not in page and "Save my changes" not in page
    assert "disabled" in page
    question = scale_question(survey)
    response = client.post(url, {f"q{question.pk}": "1", "action": "send"})
    assert "closed on" in response.content.decode()
    assert Answer.objects.get(question=question).scale == 4


def test_a_survey_that_has_not_opened_is_not_there(client, survey, pair):
    Survey.objects.filter(pk=survey.pk).update(opens_at=timezone.now() + DAY)
    client.force_login(pair.adept.applicant)
    assert client.get(reverse("evaluations:answer", args=[survey.pk])).status_code == 404
    assert "No evaluation is open" in client.get(reverse("evaluations:list")).content.decode()


def test_participants_see_their_own_answers_never_anothers(client, survey, pair):
    response_save(
        survey=survey,
        user=pair.adept.applicant,
        answers={**full_answers(survey), survey.questions.filter(kind="text").first().pk: "ADA"},
        submit=True,
    )
    client.force_login(pair.mentor.applicant)
    page = client.get(reverse("evaluations:answer", args=[survey.pk])).content.decode()
    assert "ADA" not in page
    assert client.get(reverse("evaluations:results", args=[survey.pk])).status_code == 404


# --- invitations and reminders ------------------------------------------------------------------


def test_invitations_once_and_a_reminder_a_week_later_to_those_who_have_not_sent(
    survey, pair, running
):
    from evaluations.tests.conftest import add_pairs

    second = add_pairs(running, 1)[0]
    ended = add_pairs(running, 1, start=5, status=Match.Status.ENDED)[0]
    now = timezone.now()
    assert plan_evaluation_emails(now=now) == 4  # two pairs, both people, not the ended pair
    assert plan_evaluation_emails(now=now) == 0
    invited = set(
        Notification.objects.filter(kind="evaluation_invitation").values_list(
            "recipient", flat=True
        )
    )
    assert ended.adept.applicant_id not in invited
    assert len(invited) == 4
    response_save(
        survey=survey, user=pair.adept.applicant, answers=full_answers(survey), submit=True
    )
    assert plan_evaluation_emails(now=now + 6 * DAY) == 0  # not yet a week
    reminded = plan_evaluation_emails(now=now + 7 * DAY + datetime.timedelta(minutes=1))
    assert reminded == 3
    assert plan_evaluation_emails(now=now + 10 * DAY) == 0  # one reminder only
    reminders = Notification.objects.filter(kind="evaluation_reminder")
    assert pair.adept.applicant_id not in set(reminders.values_list("recipient", flat=True))
    assert second.mentor.applicant_id in set(reminders.values_list("recipient", flat=True))
    # Nothing after it closes.
    Notification.objects.filter(kind="evaluation_reminder").delete()
    assert plan_evaluation_emails(now=survey.closes_at + datetime.timedelta(seconds=1)) == 0


def test_no_invitations_for_a_draft_program_or_before_it_opens(survey, pair, running):
    assert plan_evaluation_emails(now=survey.opens_at - datetime.timedelta(seconds=1)) == 0
    Program.objects.filter(pk=running.pk).update(status=Program.Status.DRAFT)
    assert plan_evaluation_emails() == 0


def test_the_invitation_goes_out_in_the_recipients_language_with_the_link(survey, pair):
    pair.mentor.applicant.language = "da"
    pair.mentor.applicant.save()
    pair.adept.applicant.language = "sv"
    pair.adept.applicant.save()
    plan_evaluation_emails()
    notifications_deliver()
    by_recipient = {m.to[0]: m for m in mail.outbox}
    danish = by_recipient[pair.mentor.applicant.email]
    swedish = by_recipient[pair.adept.applicant.email]
    link = f"/evaluations/{survey.pk}/"
    assert link in danish.body and link in swedish.body
    assert "midtvejsevaluering" in danish.body.lower()
    assert "halvtidsutvärdering" in swedish.body.lower()
    assert danish.subject != swedish.subject


def test_the_sweep_runs_with_the_other_planning_sweeps(survey, pair):
    from notifications.planning import plan_all

    plan_all()
    assert Notification.objects.filter(kind="evaluation_invitation").count() == 2


def test_an_erased_account_keeps_the_scores_but_not_the_free_text(survey, pair):
    from accounts.services import account_erase

    adept = pair.adept.applicant
    answers = {**full_answers(survey), survey.questions.filter(kind="text").first().pk: "Mitt namn"}
    response_save(survey=survey, user=adept, answers=answers, submit=True)
    account_erase(user=adept)
    response = Response.objects.get()
    assert response.respondent is None and response.submitted_at is not None
    assert response.answers.filter(scale__isnull=False).exists()
    assert not response.answers.exclude(text="").exists()


def test_my_data_includes_my_answers(client, survey, pair):
    adept = pair.adept.applicant
    response_save(survey=survey, user=adept, answers=full_answers(survey), submit=True)
    client.force_login(adept)
    data = client.get(reverse("accounts:my_data")).json()
    assert data["survey_responses"][0]["survey"] == "Half-time evaluation"
    assert "Bra samtal." in [a["answer"] for a in data["survey_responses"][0]["answers"]]


def test_a_stranger_is_not_invited(survey, pair):
    UserFactory()
    plan_evaluation_emails()
    assert set(
        Notification.objects.filter(kind="evaluation_invitation").values_list(
            "recipient", flat=True
        )
    ) == {pair.adept.applicant_id, pair.mentor.applicant_id}


def test_the_pairs_page_points_to_an_open_evaluation_until_it_is_sent(client, survey, pair):
    adept = pair.adept.applicant
    client.force_login(adept)
    url = reverse("meetings:mentorship", args=[pair.pk])
    answer_url = reverse("evaluations:answer", args=[survey.pk])
    assert answer_url in client.get(url).content.decode()
    response_save(survey=survey, user=adept, answers=full_answers(survey), submit=True)
    assert answer_url not in client.get(url).content.decode()


def test_the_participants_pages_cost_the_same_queries_for_few_and_many(
    client, survey, pair, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    adept = pair.adept.applicant
    response_save(survey=survey, user=adept, answers=full_answers(survey), submit=True)
    client.force_login(adept)
    pages = [reverse("evaluations:list"), reverse("evaluations:answer", args=[survey.pk])]
    client.get(pages[0])  # the first request of a session records the session
    few = []
    for url in pages:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        few.append(len(queries))
    # More questions, answered; more surveys, in more programs the adept is in.
    for n in range(20):
        survey.questions.create(kind="text", text_sv=f"Fråga {n}", position=10 + n)
    response_save(survey=survey, user=adept, answers=full_answers(survey), submit=True)
    for n in range(3):
        other = ProgramFactory(slug=f"fler-{n}")
        Match.objects.create(
            program=other,
            adept=ApplicationFactory(program=other, applicant=adept, status="accepted"),
            mentor=ApplicationFactory(program=other, role="mentor", status="accepted"),
            status=Match.Status.PUBLISHED,
        )
        now = timezone.now()
        survey_create(
            milestone=MilestoneFactory(program=other, kind="half_time"),
            phase="half_time",
            opens_at=now - DAY,
            closes_at=now + DAY,
        )
    for url, budget in zip(pages, few, strict=True):
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200
    assert client.get(pages[0]).content.decode().count("/evaluations/") >= 4
