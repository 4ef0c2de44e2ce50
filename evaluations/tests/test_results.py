import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from evaluations.models import Question, Response
from evaluations.results import survey_results, visible
from evaluations.services import response_save, survey_create
from evaluations.tests.conftest import add_pairs
from mentorship.spreadsheets import XLSX

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def survey(half_time):
    now = timezone.now()
    survey = survey_create(
        milestone=half_time, phase="half_time", opens_at=now - DAY, closes_at=now + DAY,
        start_with="empty",
    )  # fmt: skip
    survey.questions.create(position=1, kind="scale", text_sv="Värdefullt?", text_en="Valuable?")
    survey.questions.create(
        position=2, kind="choice", text_sv="Hur ofta?", text_en="How often?",
        choices_sv="Ofta\nSällan", choices_en="Often\nRarely",
    )  # fmt: skip
    survey.questions.create(position=3, kind="text", text_sv="Övrigt?", text_en="Anything else?")
    return survey


def answer(survey, user, scale, choice=0, text="", submit=True):
    scale_q, choice_q, text_q = survey.questions.order_by("position")
    return response_save(
        survey=survey,
        user=user,
        answers={scale_q.pk: scale, choice_q.pk: choice, text_q.pk: text},
        submit=submit,
    )


def by_key(result):
    return {g.key: g for g in result.groups}


def test_the_anonymity_rule():
    assert visible({"adept": 2, "mentor": 0}) == {"all": False, "adept": False, "mentor": False}
    assert visible({"adept": 3, "mentor": 0}) == {"all": True, "adept": True, "mentor": False}
    assert visible({"adept": 3, "mentor": 3}) == {"all": True, "adept": True, "mentor": True}
    # One mentor: showing adepts beside the total would give the mentor's answer away.
    assert visible({"adept": 5, "mentor": 1}) == {"all": True, "adept": False, "mentor": False}


def test_counts_and_averages_by_role_from_three_answers(survey, running):
    pairs = add_pairs(running, 3)
    for match, (a, m) in zip(pairs, [(5, 2), (4, 3), (3, 4)], strict=True):
        answer(survey, match.adept.applicant, a, choice=0, text=f"Adept text {a}")
        answer(survey, match.mentor.applicant, m, choice=1)
    answer(survey, add_pairs(running, 1, start=9)[0].adept.applicant, 1, submit=False)  # a draft
    scale, choice, text = survey_results(survey)
    groups = by_key(scale)
    assert (groups["all"].count, groups["adept"].count, groups["mentor"].count) == (6, 3, 3)
    assert groups["adept"].average == 4 and groups["mentor"].average == 3
    assert groups["all"].average == pytest.approx(3.5)
    assert [c for _label, c, _p in groups["all"].distribution] == [0, 1, 2, 2, 1]
    choices = by_key(choice)
    assert choices["adept"].distribution == [("Often", 3, 100), ("Rarely", 0, 0)]
    assert choices["all"].distribution == [("Often", 3, 50), ("Rarely", 3, 50)]
    # Text: only the adepts wrote; three of them, listed under adepts, sorted, no names.
    assert [g.key for g in text.text_groups] == ["adept"]
    assert text.text_groups[0].texts == ["Adept text 3", "Adept text 4", "Adept text 5"]


def test_fewer_than_three_answers_are_not_shown_and_the_page_says_so(
    client, coordinator, survey, running
):
    pairs = add_pairs(running, 2)
    for match in pairs:
        answer(survey, match.adept.applicant, 5, text="Hemligt svar")
    scale, _choice, text = survey_results(survey)
    assert not any(g.shown for g in scale.groups)
    assert all(g.average is None and not g.distribution for g in scale.groups)
    assert text.text_groups == []
    client.force_login(coordinator)
    page = client.get(reverse("evaluations:results", args=[survey.pk])).content.decode()
    assert "Fewer than 3 answers so far" in page
    assert "Hemligt svar" not in page
    rows = list(csv.reader(io.StringIO(client_csv(client, survey))))
    assert not any("Hemligt svar" in cell for row in rows for cell in row)
    assert any("Fewer than 3 answers" in cell for row in rows for cell in row)


def test_a_small_role_hides_the_split_but_not_the_total(client, coordinator, survey, running):
    pairs = add_pairs(running, 4)
    for match in pairs:
        answer(survey, match.adept.applicant, 4)
    answer(survey, pairs[0].mentor.applicant, 1, text="Den ende mentorn")
    scale, _choice, text = survey_results(survey)
    assert [g.key for g in scale.shown_groups] == ["all"]
    assert scale.split_hidden
    assert text.text_groups == []  # one text in all: below the threshold
    client.force_login(coordinator)
    page = client.get(reverse("evaluations:results", args=[survey.pk])).content.decode()
    assert "Too few answers from one role" in page
    assert "Den ende mentorn" not in page


def test_free_text_never_carries_a_name(client, coordinator, survey, running):
    pairs = add_pairs(running, 3)
    for n, match in enumerate(pairs):
        answer(survey, match.adept.applicant, 4, text=f"Svar nummer {n}")
    client.force_login(coordinator)
    page = client.get(reverse("evaluations:results", args=[survey.pk])).content.decode()
    exported = client_csv(client, survey)
    for n, match in enumerate(pairs):
        person = match.adept.applicant
        assert f"Svar nummer {n}" in page and f"Svar nummer {n}" in exported
        for identity in (person.full_name, person.email):
            assert identity not in page
            assert identity not in exported


def test_the_csv_escapes_formulas_and_is_audited(client, coordinator, survey, running):
    pairs = add_pairs(running, 3)
    for match in pairs:
        answer(survey, match.adept.applicant, 3, text='=HYPERLINK("http://evil")')
    client.force_login(coordinator)
    rows = list(csv.reader(io.StringIO(client_csv(client, survey))))
    texts = [row[-1] for row in rows if row[-1].startswith("'=")]
    assert len(texts) == 3
    assert not any(cell.startswith("=") for row in rows for cell in row)
    assert AuditEntry.objects.filter(action="export", program=running).exists()


def test_the_results_as_excel_have_the_csvs_columns_and_no_formula(
    client, coordinator, running, survey
):
    from openpyxl import load_workbook

    for match in add_pairs(running, 3):
        answer(survey, match.adept.applicant, 3, text='=HYPERLINK("http://evil")')
    client.force_login(coordinator)
    response = client.get(reverse("evaluations:results_xlsx", args=[survey.pk]))
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    as_csv = list(csv.reader(io.StringIO(client_csv(client, survey))))
    assert rows[0] == as_csv[0]
    assert len(rows) == len(as_csv)
    texts = [row[-1] for row in rows if row[-1] == '=HYPERLINK("http://evil")']
    assert len(texts) == 3  # shown as written, and stored as text, not as a formula
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def client_csv(client, survey):
    response = client.get(reverse("evaluations:results_csv", args=[survey.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return response.content.decode("utf-8-sig")


def test_coordinators_see_only_their_programs_results(client, other_coordinator, superuser, survey):
    client.force_login(other_coordinator)
    assert client.get(reverse("evaluations:results", args=[survey.pk])).status_code == 404
    assert client.get(reverse("evaluations:results_csv", args=[survey.pk])).status_code == 404
    client.force_login(superuser)
    assert client.get(reverse("evaluations:results", args=[survey.pk])).status_code == 200


def test_the_results_page_costs_the_same_queries_for_3_and_60_answers(
    client, coordinator, survey, running, django_assert_max_num_queries
):
    for match in add_pairs(running, 3):
        answer(survey, match.adept.applicant, 4, text="Ja")
    client.force_login(coordinator)
    url = reverse("evaluations:results", args=[survey.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for match in add_pairs(running, 30, start=100):
        answer(survey, match.adept.applicant, 2, text="Nej")
        answer(survey, match.mentor.applicant, 5, text="Kanske")
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.context["sent"] == 63
    assert Response.objects.count() == 63
    assert Question.objects.filter(survey=survey).count() == 3
