"""The coordinator's own questions: on the form per role, in the review, the export and the
data export, as an eligibility rule, as a matching criterion, and with places per answer."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.tests.factories import UserFactory
from matching import services as matching
from matching.models import Match
from programs import services
from programs.models import Application, ApplicationAnswer, Option, Program, Question, Role
from programs.privacy import HOLDER
from programs.tests.factories import (
    ApplicationFactory,
    FocusAreaFactory,
    OrganizationFactory,
    ProgramFactory,
)
from programs.tests.test_applications import apply_url, form_data

pytestmark = pytest.mark.django_db


def question(program, kind, *, role="", required=False, criterion="", answers=(), **texts):
    q = Question.objects.create(
        program=program, kind=kind, role=role, required=required, criterion=criterion,
        text_sv=texts.get("sv", ""), text_en=texts.get("en", ""), text_da=texts.get("da", ""),
    )  # fmt: skip
    for n, answer in enumerate(answers):
        if isinstance(answer, str):
            answer = {"text_sv": answer}
        Option.objects.create(question=q, position=n, **answer)
    return q


@pytest.fixture
def pilot(coordinator):
    """Seed 000: a pilot of five principals and five deputy principals as adepts."""
    program = ProgramFactory(adept_places=10)
    program.coordinators.add(coordinator)
    program.focus_areas.add(FocusAreaFactory())
    role = question(
        program, Question.Kind.CHOICE, role=Role.ADEPT, required=True,
        sv="Vilken tjänst har du?",
        answers=[{"text_sv": "Rektor", "places": 5}, {"text_sv": "Biträdande rektor", "places": 5}],
    )  # fmt: skip
    return program, role


def test_the_form_asks_each_role_its_own_questions_and_keeps_the_answers(client, pilot):
    program, role = pilot
    since = question(program, Question.Kind.DATE, sv="I nuvarande tjänst sedan")
    staff = question(program, Question.Kind.NUMBER, role=Role.MENTOR, sv="Antal chefer under dig")
    client.force_login(UserFactory())
    page = client.get(apply_url(program)).content.decode()
    assert "Vilken tjänst har du?" in page and "I nuvarande tjänst sedan" in page
    assert "Antal chefer under dig" not in page  # a mentor's question

    principal = role.options.get(text_sv="Rektor")
    data = form_data(program, **{f"question_{role.pk}": principal.pk,
                                 f"question_{since.pk}": "2025-08-01"})  # fmt: skip
    assert client.post(apply_url(program), data).status_code == 302
    application = Application.objects.get(program=program)
    answers = {a.question_id: a for a in application.answers.all()}
    assert list(answers[role.pk].options.all()) == [principal]
    assert answers[since.pk].date == datetime.date(2025, 8, 1)
    assert staff.pk not in answers
    # Shown again on the form, and emptied when the applicant empties it.
    page = client.get(application.get_absolute_url()).content.decode()
    assert 'value="2025-08-01"' in page
    data[f"question_{since.pk}"] = ""
    client.post(application.get_absolute_url(), data)
    assert not application.answers.filter(question=since).exists()


def test_a_required_question_must_be_answered_to_send_not_to_save(client, pilot):
    program, role = pilot
    client.force_login(UserFactory())
    response = client.post(apply_url(program), form_data(program))
    assert response.status_code == 200
    assert f"question_{role.pk}" in response.context["form"].errors
    draft = form_data(program)
    del draft["submit"]
    assert client.post(apply_url(program), draft).status_code == 302


def test_a_tampered_answer_is_refused(client, pilot):
    program, role = pilot
    other = question(ProgramFactory(), Question.Kind.CHOICE, sv="Annan", answers=["X"])
    client.force_login(UserFactory())
    data = form_data(program, **{f"question_{role.pk}": other.options.get().pk})
    response = client.post(apply_url(program), data)
    assert f"question_{role.pk}" in response.context["form"].errors
    assert not ApplicationAnswer.objects.exists()


def test_an_answer_can_be_an_eligibility_rule(client):
    """Seed 001: members of the union only."""
    program = ProgramFactory()
    program.focus_areas.add(FocusAreaFactory())
    member = question(program, Question.Kind.YES_NO, required=True, sv="Är du medlem i förbundet?")
    no = member.options.get(text_sv="Nej")
    no.eligible = False
    no.save()
    client.force_login(UserFactory())
    data = form_data(program, **{f"question_{member.pk}": no.pk})
    response = client.post(apply_url(program), data)
    # The option is named in the page's language (the test user's is English).
    assert "not open to applicants who answer “No”" in response.content.decode()
    data[f"question_{member.pk}"] = member.options.get(text_sv="Ja").pk
    assert client.post(apply_url(program), data).status_code == 302
    application = Application.objects.get(program=program)
    assert application.is_eligible()
    # The SQL rule agrees with the Python one, both ways.
    assert Application.objects.with_eligibility().get(pk=application.pk).eligible
    answer = application.answers.get()
    answer.options.set([no])
    application = Application.objects.get(pk=application.pk)
    assert not application.is_eligible()
    assert not Application.objects.with_eligibility().get(pk=application.pk).eligible


def test_places_per_answer_are_kept_at_acceptance(coordinator, pilot):
    program, role = pilot
    principal, deputy = role.options.order_by("position")
    program.adept_places = 20  # the answers' places, not the program's, are the limit here
    program.save()

    def adept(option):
        application = ApplicationFactory(program=program)
        ApplicationAnswer.objects.create(application=application, question=role).options.set(
            [option]
        )
        return application

    principals = [adept(principal) for _ in range(6)]
    deputies = [adept(deputy) for _ in range(6)]
    changed, errors = services.applications_decide(
        applications=principals + deputies, decision=Application.Status.ACCEPTED, by=coordinator
    )
    assert changed == 10
    assert len(errors) == 2
    assert "all 5 places for “Rektor” are taken" in errors[0]
    assert "all 5 places for “Biträdande rektor” are taken" in errors[1]
    accepted = Application.objects.filter(program=program, status=Application.Status.ACCEPTED)
    assert accepted.filter(answers__options=principal).count() == 5
    # A place given back can be taken again.
    services.applications_decide(
        applications=[principals[0]], decision=Application.Status.WAITLISTED, by=coordinator
    )
    changed, errors = services.applications_decide(
        applications=[principals[5]], decision=Application.Status.ACCEPTED, by=coordinator
    )
    assert (changed, errors) == (1, [])


def test_the_review_shows_the_places_per_answer_and_the_answers(client, coordinator, pilot):
    program, role = pilot
    application = ApplicationFactory(program=program, status=Application.Status.ACCEPTED)
    ApplicationAnswer.objects.create(application=application, question=role).options.set(
        [role.options.get(text_sv="Rektor")]
    )
    client.force_login(coordinator)
    page = client.get(reverse("admin:programs_application_changelist")).content.decode()
    assert "Rektor" in page and "Biträdande rektor" in page
    assert page.count('class="place-group"') == 2
    url = reverse("admin:programs_application_change", args=[application.pk])
    page = client.get(url).content.decode()
    assert "<strong>Vilken tjänst har du?</strong>: Rektor" in page


def test_the_answers_are_in_the_export_and_the_data_export_and_go_with_erasure(
    client, coordinator, pilot
):
    program, role = pilot
    note = question(program, Question.Kind.LONG_TEXT, sv="Något mer?")
    application = ApplicationFactory(program=program)
    ApplicationAnswer.objects.create(application=application, question=role).options.set(
        [role.options.get(text_sv="Rektor")]
    )
    ApplicationAnswer.objects.create(application=application, question=note, text="=1+1")
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:programs_application_changelist"),
        {"action": "export_xlsx", "_selected_action": [application.pk]},
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, row = [c.value for c in sheet[1]], sheet[2]
    assert header[-2:] == ["Vilken tjänst har du?", "Något mer?"]
    assert row[header.index("Något mer?")].data_type == "s"
    assert row[header.index("Något mer?")].value == "=1+1"
    assert row[header.index("Vilken tjänst har du?")].value == "Rektor"

    exported = HOLDER.export["applications"](application.applicant)
    assert exported[0]["answers"] == {"Vilken tjänst har du?": "Rektor", "Något mer?": "=1+1"}
    HOLDER.erase(application.applicant, None)
    assert not ApplicationAnswer.objects.filter(application=application).exists()


def test_an_answer_is_a_matching_criterion(coordinator):
    """Seed 003: the network asks which municipality or agency, and pairs across them."""
    program = ProgramFactory(pairing_rule=Program.PairingRule.ANY, matching_min_score=0)
    where = question(
        program, Question.Kind.CHOICE, sv="Vilken kommun eller myndighet?",
        criterion=Question.Criterion.DIFFERENT, answers=["Sundsvall", "Länsstyrelsen"],
    )  # fmt: skip
    sundsvall, lansstyrelsen = where.options.order_by("position")

    def person(role, option):
        application = ApplicationFactory(
            program=program, role=role, status=Application.Status.ACCEPTED,
            organization=OrganizationFactory(), mentor_capacity=1 if role == Role.MENTOR else None,
        )  # fmt: skip
        ApplicationAnswer.objects.create(application=application, question=where).options.set(
            [option]
        )
        return application

    adept = person(Role.ADEPT, sundsvall)
    same = person(Role.MENTOR, sundsvall)
    other = person(Role.MENTOR, lansstyrelsen)
    matching.matching_start(program=program, by=coordinator)
    assert list(Match.objects.filter(program=program).values_list("adept", "mentor")) == [
        (adept.pk, other.pk)
    ]
    with pytest.raises(matching.ServiceError, match="matching rules do not allow"):
        matching.match_add(program=program, adept=adept, mentor=same, by=coordinator)
    # "The same answer" turns it round.
    where.criterion = Question.Criterion.SAME
    where.save()
    Match.objects.filter(program=program).delete()
    matching.matching_start(program=program, by=coordinator)
    assert list(Match.objects.filter(program=program).values_list("adept", "mentor")) == [
        (adept.pk, same.pk)
    ]


def test_only_a_single_answer_question_can_be_a_criterion(pilot):
    from django.core.exceptions import ValidationError

    program, _role = pilot
    many = Question(
        program=program, kind=Question.Kind.CHOICES, text_sv="Flera",
        criterion=Question.Criterion.SAME,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="one answer to pick"):
        many.full_clean()


def test_a_yes_no_question_gets_its_two_answers_in_every_language(pilot):
    program, _role = pilot
    q = question(program, Question.Kind.YES_NO, en="Member?")
    assert [(o.text_sv, o.text_en, o.text_da) for o in q.options.all()] == [
        ("Ja", "Yes", "Ja"), ("Nej", "No", "Nej"),
    ]  # fmt: skip


def test_the_form_runs_a_fixed_number_of_queries_whatever_the_questions(
    client, pilot, django_assert_max_num_queries
):
    program, _role = pilot
    client.force_login(UserFactory())
    client.get(apply_url(program))
    for n in range(8):
        question(program, Question.Kind.CHOICES, sv=f"Fråga {n}", answers=["A", "B", "C"])
    with django_assert_max_num_queries(20):
        assert client.get(apply_url(program)).status_code == 200


def test_coordinators_keep_the_questions_of_their_programs_only(
    client, coordinator, other_coordinator, pilot
):
    _, role = pilot
    url = reverse("admin:programs_question_change", args=[role.pk])
    client.force_login(other_coordinator)
    assert client.get(url).status_code == 404
    assert (
        "Vilken tjänst"
        not in client.get(reverse("admin:programs_question_changelist")).content.decode()
    )
    client.force_login(coordinator)
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302
