import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations.dashboard import program_dashboard
from evaluations.services import response_save, survey_create
from evaluations.tests.conftest import add_pairs
from matching.models import Match
from meetings.models import Meeting
from meetings.planning import plan_milestone_notices
from notifications.models import Notification
from programs.models import Application, Milestone, Program, Role
from programs.tests.factories import ApplicationFactory, MilestoneFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


def month_start(offset):
    today = timezone.localdate()
    month = today.replace(day=1)
    for _ in range(abs(offset)):
        month = (month + (32 * DAY if offset > 0 else -DAY)).replace(day=1)
    return timezone.make_aware(datetime.datetime.combine(month, datetime.time(10)))


@pytest.fixture
def cohort(running, half_time):
    """A hand-made cohort:

    adepts: 5 applied (1 a draft, not counted; 1 not eligible; 1 rejected), mentors: 3 applied;
    4 pairs: A met twice last month and once this month, B met 60 days ago only (at risk),
    C never met and was published 50 days ago (at risk), D completed; plus one ended pair.
    """
    program = running
    never_manager = program.starts_on - datetime.timedelta(days=30)
    ApplicationFactory(program=program, status=Application.Status.DRAFT)
    ApplicationFactory(
        program=program, status=Application.Status.REJECTED, manager_since=never_manager
    )
    ApplicationFactory(program=program, status=Application.Status.REJECTED)
    ApplicationFactory(program=program, role=Role.MENTOR, status=Application.Status.WITHDRAWN)
    pair_a, pair_b, pair_c, pair_d, ended = add_pairs(program, 5, published_days_ago=50)
    Match.objects.filter(pk=pair_d.pk).update(status=Match.Status.COMPLETED)
    Match.objects.filter(pk=ended.pk).update(status=Match.Status.ENDED)
    held = Meeting.Status.HELD
    Meeting.objects.bulk_create(
        [
            Meeting(match=pair_a, starts_at=month_start(-1), status=held),
            Meeting(match=pair_a, starts_at=month_start(-1) + 7 * DAY, status=held),
            Meeting(match=pair_a, starts_at=timezone.now() - HOUR, status=held),
            Meeting(match=pair_a, starts_at=month_start(1), status=Meeting.Status.PLANNED),
            Meeting(match=pair_a, starts_at=month_start(-1) + DAY, status=Meeting.Status.CANCELLED),
            Meeting(match=pair_b, starts_at=timezone.now() - 60 * DAY, status=held),
            Meeting(match=pair_d, starts_at=month_start(-1) + 2 * DAY, status=held),
        ]
    )  # fmt: skip
    Notification.objects.bulk_create(
        [
            Notification(recipient=pair_a.adept.applicant, program=program,
                         kind=Notification.Kind.MONTHLY_REMINDER, key="x1", status="failed"),
            Notification(recipient=pair_a.adept.applicant, program=program,
                         kind=Notification.Kind.MONTHLY_REMINDER, key="x2", status="sent"),
            Notification(recipient=pair_b.adept.applicant, program=program,
                         kind=Notification.Kind.MONTHLY_REMINDER, key="x3", status="pending"),
        ]
    )  # fmt: skip
    return {"a": pair_a, "b": pair_b, "c": pair_c, "d": pair_d, "program": program}


def test_the_funnel_of_a_hand_made_cohort(cohort):
    figures = program_dashboard(cohort["program"])
    steps = {str(step["label"]): step for step in figures["funnel"]}
    # 5 pairs' accepted applications + 2 rejected adepts; the draft is not counted.
    assert (steps["Applications"]["adepts"], steps["Applications"]["mentors"]) == (7, 6)
    assert (steps["Eligible"]["adepts"], steps["Eligible"]["mentors"]) == (6, 6)
    assert (steps["Accepted"]["adepts"], steps["Accepted"]["mentors"]) == (5, 5)
    assert (steps["Matched"]["adepts"], steps["Matched"]["mentors"]) == (5, 5)
    assert (steps["Pairs meeting"]["pairs"], steps["Pairs meeting"]["of"]) == (3, 4)
    assert (steps["Completed"]["pairs"], steps["Completed"]["of"]) == (1, 4)


def test_meetings_per_month_against_the_plan(cohort):
    program = cohort["program"]
    figures = program_dashboard(program)
    months = {m.month: m for m in figures["months"]}
    last, this, following = (month_start(n).date() for n in (-1, 0, 1))
    assert months[last].held == 3  # two of A's and D's; the cancelled one is not counted
    assert months[this].held == 1
    assert months[following].planned == 1
    assert sum(m.held for m in figures["months"]) == 5
    # 4 running pairs x at least 8 meetings, spread over the program's months, from the
    # month the pairs were published; nothing is expected of pairs before they exist.
    published = (timezone.localdate() - 50 * DAY).replace(day=1)
    assert months[published].expected == round(4 * 8 / len(months), 1)
    assert figures["months"][0].expected == 0
    chart = figures["chart"]
    assert len(chart["bars"]) == len(months)
    assert all(bar["held_height"] >= 0 and bar["planned_height"] >= 0 for bar in chart["bars"])


def test_pairs_at_risk_and_the_outbox(cohort):
    figures = program_dashboard(cohort["program"])
    assert {m.pk for m in figures["at_risk"]} == {cohort["b"].pk, cohort["c"].pk}
    assert figures["outbox"] == {"pending": 1, "failed": 1, "sent": 1}


def test_upcoming_milestones_with_their_notice_days(cohort):
    closing = MilestoneFactory(
        program=cohort["program"],
        kind=Milestone.Kind.CLOSING,
        starts_at=timezone.now() + 20 * DAY,
        notice_days=[14, 1],
    )
    figures = program_dashboard(cohort["program"])
    assert [m.pk for m in figures["milestones"]][-1] == closing.pk
    notices = figures["milestones"][-1].notice_dates
    assert [n["state"] for n in notices] == ["to_come", "to_come"]
    assert notices[0]["date"] == timezone.localtime(closing.starts_at).date() - 14 * DAY


def test_a_notice_is_sent_only_when_the_outbox_sent_it(cohort):
    """Not "(due)" for a notice that went out; not "sent" for one that never did."""
    program = cohort["program"]
    Program.objects.filter(pk=program.pk).update(status=Program.Status.RUNNING)
    seminar = MilestoneFactory(
        program=program, kind=Milestone.Kind.INSPIRATION,
        starts_at=timezone.now() + 5 * DAY, notice_days=[14, 7, 1],
    )  # fmt: skip
    plan_milestone_notices()
    seminar = next(m for m in program_dashboard(program)["milestones"] if m.pk == seminar.pk)
    # 14 and 7 days before have passed: only the latest of them (7) went out.
    assert [n["state"] for n in seminar.notice_dates] == ["skipped", "sent", "to_come"]


def test_response_rates_and_half_time_against_final(cohort, half_time):
    program = cohort["program"]
    now = timezone.now()
    half = survey_create(
        milestone=half_time, phase="half_time", opens_at=now - DAY, closes_at=now + DAY,
        start_with="empty",
    )  # fmt: skip
    question = half.questions.create(kind="scale", text_sv="Bra?", required=True)
    closing = MilestoneFactory(program=program, kind="closing", starts_at=now + 100 * DAY)
    final = survey_create(
        milestone=closing, phase="final", opens_at=now - DAY, closes_at=now + DAY,
        start_with="empty",
    )  # fmt: skip
    final_q = final.questions.create(kind="scale", text_sv="Bra?", required=True)
    pairs = [cohort[k] for k in "abcd"]
    for match, score in zip(pairs[:3], (3, 4, 5), strict=True):
        response_save(
            survey=half, user=match.adept.applicant, answers={question.pk: score}, submit=True
        )
    response_save(
        survey=half, user=pairs[0].mentor.applicant, answers={question.pk: 1}, submit=True
    )
    for match in pairs:
        for person in (match.adept.applicant, match.mentor.applicant):
            response_save(survey=final, user=person, answers={final_q.pk: 5}, submit=True)
    figures = program_dashboard(program)
    rates = {s.phase: s.rates for s in figures["surveys"]}
    # 4 running pairs: 4 adepts and 4 mentors are asked.
    assert [(r["sent"], r["of"]) for r in rates["half_time"]] == [(3, 4), (1, 4), (4, 8)]
    assert rates["half_time"][0]["percent"] == 75
    assert [(r["sent"], r["of"]) for r in rates["final"]] == [(4, 4), (4, 4), (8, 8)]
    headline = {row["label"]: row for row in figures["headline"]}
    # Half-time: one mentor answered, so neither role is shown, the total is.
    assert headline["Everyone"]["half_time"] == pytest.approx(13 / 4)
    assert headline["Adepts"]["half_time"] is None
    assert headline["Mentors"]["half_time"] is None
    assert headline["Adepts"]["final"] == 5 and headline["Everyone"]["final"] == 5


def test_the_page_shows_the_figures_with_an_accessible_chart(client, coordinator, cohort):
    client.force_login(coordinator)
    response = client.get(reverse("evaluations:dashboard", args=[cohort["program"].slug]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="img"' in page and '<title id="chart-title">' in page
    assert "<table" in page and "Meetings per month" in page
    admin_link = reverse("admin:meetings_pairactivity_change", args=[cohort["b"].pk])
    assert admin_link in page
    assert "1 e-mail failed" in page


def test_coordinators_see_only_their_programs_dashboard(client, other_coordinator, adept, cohort):
    url = reverse("evaluations:dashboard", args=[cohort["program"].slug])
    client.force_login(other_coordinator)
    assert client.get(url).status_code == 404
    client.force_login(cohort["a"].adept.applicant)
    assert client.get(url).status_code == 404


def test_the_dashboard_costs_the_same_queries_for_10_and_500_pairs(
    client, coordinator, running, half_time, django_assert_max_num_queries
):
    now = timezone.now()
    survey = survey_create(
        milestone=half_time, phase="half_time", opens_at=now - DAY, closes_at=now + DAY
    )
    url = reverse("evaluations:dashboard", args=[running.slug])

    def grow(count, start):
        pairs = add_pairs(running, count, start=start, published_days_ago=60)
        Meeting.objects.bulk_create(
            Meeting(match=m, starts_at=now - (i % 90) * DAY, status=Meeting.Status.HELD)
            for i, m in enumerate(pairs)
            if i % 3
        )
        scores = {q.pk: 4 for q in survey.questions.filter(kind="scale")}
        for m in pairs[:5]:
            response_save(survey=survey, user=m.adept.applicant, answers=scores, submit=True)

    grow(10, 0)
    client.force_login(coordinator)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    grow(490, 1000)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    steps = {str(s["label"]): s for s in response.context["funnel"]}
    assert steps["Matched"]["adepts"] == 500
    assert len(response.context["at_risk"]) > 100


def test_the_next_edition_is_shown_beside_the_one_it_was_made_from(
    client, coordinator, cohort, django_assert_max_num_queries
):
    """Seed 001's yearly edition against last year's: the funnel's headline, meetings held
    against the plan, completions, and who came back."""
    from programs.services import program_next_edition

    last_year = cohort["program"]
    this_year = program_next_edition(
        program=last_year, name="Nästa år", starts_on=last_year.starts_on + 365 * DAY,
        by=coordinator,
    )  # fmt: skip
    back = cohort["a"].adept.applicant
    ApplicationFactory(program=this_year, applicant=back)
    ApplicationFactory(program=this_year, role=Role.MENTOR)
    ApplicationFactory(program=this_year, status=Application.Status.DRAFT)
    url = reverse("evaluations:dashboard", args=[this_year.slug])
    client.force_login(coordinator)
    with django_assert_max_num_queries(34):
        response = client.get(url)
    now, before = response.context["compared"]["editions"]
    assert (now["program"], before["program"]) == (this_year, last_year)
    assert (now["adepts_applied"], now["mentors_applied"]) == (1, 1)
    earlier = program_dashboard(last_year)["funnel"]
    assert (before["adepts_applied"], before["mentors_applied"]) == (7, 6)
    assert (before["adepts_matched"], before["completed"], before["pairs"]) == (
        earlier[3]["adepts"], earlier[5]["pairs"], earlier[5]["of"],
    )  # fmt: skip
    assert before["held"] == 5 and now["held"] == 0
    assert response.context["compared"]["returning"] == 1
    page = response.content.decode()
    assert "Compared with the previous edition" in page
    assert f"1 of this edition's applicants applied to {last_year.name} too." in page
    # A first edition has nothing to compare with.
    first = client.get(reverse("evaluations:dashboard", args=[last_year.slug]))
    assert first.context["compared"] is None
    assert "Compared with the previous edition" not in first.content.decode()
