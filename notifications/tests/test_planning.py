"""Reminders and notices over a whole program year, with a frozen clock."""

import datetime
import threading
import zoneinfo
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from matching.models import Match
from meetings.models import Meeting
from meetings.planning import plan_milestone_notices, plan_monthly_reminders
from notifications.models import Notification
from notifications.planning import plan_all
from notifications.services import notifications_deliver
from programs.models import Application, Program, Role
from programs.tests.factories import ApplicationFactory, MilestoneFactory, ProgramFactory

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
START, END = datetime.date(2027, 6, 1), datetime.date(2028, 4, 30)


def local(*args):
    return datetime.datetime(*args, tzinfo=STOCKHOLM)


def make_pair(program, adept_language="sv", mentor_language="da"):
    adept = ApplicationFactory(
        program=program, status=Application.Status.ACCEPTED,
        applicant=UserFactory(language=adept_language),
    )  # fmt: skip
    mentor = ApplicationFactory(
        program=program, role=Role.MENTOR, status=Application.Status.ACCEPTED,
        applicant=UserFactory(language=mentor_language),
    )  # fmt: skip
    return Match.objects.create(
        program=program, adept=adept, mentor=mentor, status=Match.Status.PUBLISHED,
        published_at=local(2027, 5, 20, 12),
    )  # fmt: skip


@pytest.fixture
def year(coordinator):
    with time_machine.travel(local(2027, 5, 1, 8), tick=False):
        program = ProgramFactory(
            status=Program.Status.RUNNING, starts_on=START, ends_on=END,
            applications_open_at=local(2027, 1, 1, 8), applications_close_at=local(2027, 3, 31, 23),
        )  # fmt: skip
        program.coordinators.add(coordinator)
        quiet = make_pair(program)
        regular = make_pair(program, adept_language="en", mentor_language="sv")
        # The regular pair plans a meeting on the 15th of every month of the program.
        day = START
        while day <= END:
            Meeting.objects.create(match=regular, starts_at=local(day.year, day.month, 15, 14))
            day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        MilestoneFactory(program=program, kind="kick_off", starts_at=local(2027, 6, 28, 10))
        MilestoneFactory(
            program=program, kind="mentor_training", audience="mentors",
            starts_at=local(2027, 6, 10, 13), notice_days=[7],
        )  # fmt: skip
        MilestoneFactory(program=program, kind="half_time", starts_at=local(2027, 11, 15, 13))
        MilestoneFactory(program=program, kind="closing", starts_at=local(2028, 4, 20, 10))
    return {"program": program, "quiet": quiet, "regular": regular}


def run_year(days=range(0, 420)):
    """Every day at 09:05 and 15:05: plan, then deliver."""
    for offset in days:
        day = datetime.date(2027, 5, 1) + datetime.timedelta(days=offset)
        for hour in (9, 15):
            with time_machine.travel(local(day.year, day.month, day.day, hour, 5), tick=False):
                plan_all()
                notifications_deliver()


@pytest.mark.django_db
def test_a_whole_year_sends_exactly_the_expected_emails_on_the_right_days(year):
    run_year()
    sent = Notification.objects.filter(status=Notification.Status.SENT)
    assert not Notification.objects.exclude(status=Notification.Status.SENT).exists()
    quiet, regular = year["quiet"], year["regular"]
    people = [quiet.adept.applicant, quiet.mentor.applicant]
    others = [regular.adept.applicant, regular.mentor.applicant]

    # Monthly reminders: the quiet pair, both people, June to April, on the 1st.
    reminders = sent.filter(kind="monthly_reminder")
    assert Counter(n.recipient for n in reminders) == dict.fromkeys(people, 11)
    assert {timezone_day(n.created_at) for n in reminders} == {
        datetime.date(y, m, 1)
        for y, m in [(2027, m) for m in range(6, 13)] + [(2028, m) for m in range(1, 5)]
    }

    # Reminders the day before each of the regular pair's 11 meetings, to both.
    before = sent.filter(kind="meeting_reminder")
    assert Counter(n.recipient for n in before) == dict.fromkeys(others, 11)
    assert all(timezone_day(n.created_at).day == 14 for n in before)

    # Milestone notices: 14 and 1 days before for everyone, 7 days before mentor training
    # for the two mentors only.
    notices = sent.filter(kind="milestone")
    assert notices.count() == 3 * 2 * 4 + 2
    kick_off = [n for n in notices if n.context["title"] == "Kick-off"]
    assert sorted({timezone_day(n.created_at) for n in kick_off}) == [
        datetime.date(2027, 6, 14),
        datetime.date(2027, 6, 27),
    ]
    training = [n for n in notices if n.context["title"] == "Mentor training"]
    assert {n.recipient for n in training} == {quiet.mentor.applicant, regular.mentor.applicant}

    # Half-time and closing remind everyone to review their goals, once each.
    assert sent.filter(kind="goal_review").count() == 2 * 4

    # The coordinator's digest comes weekly when there is something to report: the quiet
    # pair is at risk from mid-July on; before that, only weeks with a milestone coming.
    digests = sent.filter(kind="digest")
    weeks = {n.key for n in digests}
    assert digests.count() == len(weeks) == 58

    # Every e-mail once, in its recipient's language.
    assert len(mail.outbox) == sent.count()
    subjects = {(m.to[0], m.extra_headers["Content-Language"]) for m in mail.outbox}
    for person in people + others:
        assert (person.email, person.language) in subjects


def timezone_day(moment):
    return moment.astimezone(STOCKHOLM).date()


@pytest.mark.django_db
def test_nothing_before_the_start_after_the_end_or_for_an_ended_match(year):
    Match.objects.filter(pk=year["regular"].pk).update(status=Match.Status.ENDED)
    for when in (local(2027, 5, 15, 9), local(2028, 5, 10, 9)):
        with time_machine.travel(when, tick=False):
            assert plan_monthly_reminders() == 0
    with time_machine.travel(local(2027, 7, 2, 9), tick=False):
        plan_monthly_reminders()
    assert {n.context["match"] for n in Notification.objects.all()} == {year["quiet"].pk}


@pytest.mark.django_db
def test_a_person_can_turn_reminders_off(year):
    adept = year["quiet"].adept.applicant
    adept.monthly_reminders = False
    adept.save()
    with time_machine.travel(local(2027, 7, 1, 9), tick=False):
        plan_monthly_reminders()
    assert [n.recipient for n in Notification.objects.all()] == [year["quiet"].mentor.applicant]


@pytest.mark.django_db
def test_a_moved_milestone_sends_a_changed_notice_and_a_removed_one_a_cancelled_notice(year):
    program = year["program"]
    half_time = program.milestones.get(kind="half_time")
    with time_machine.travel(local(2027, 11, 1, 9), tick=False):
        plan_milestone_notices()
        notifications_deliver()
    half_time.starts_at = local(2027, 11, 22, 13)
    half_time.save()
    with time_machine.travel(local(2027, 11, 2, 9), tick=False):
        plan_milestone_notices()
        plan_milestone_notices()
        notifications_deliver()
    closing = program.milestones.get(kind="closing")
    with time_machine.travel(local(2028, 4, 6, 9), tick=False):
        plan_milestone_notices()
    closing.delete()
    with time_machine.travel(local(2028, 4, 6, 10), tick=False):
        plan_milestone_notices()
        plan_milestone_notices()
        notifications_deliver()
    assert Notification.objects.filter(kind="milestone_changed").count() == 4
    assert Notification.objects.filter(kind="milestone_cancelled").count() == 4
    cancelled = next(m for m in mail.outbox if "METHOD:CANCEL" in m.attachments[0][1])
    assert cancelled.attachments[0][0] == "event.ics"
    changed = Notification.objects.filter(kind="milestone_changed").first()
    assert changed.context["starts_at"].startswith("2027-11-22")


@pytest.mark.django_db
def test_the_meeting_reminder_carries_the_calendar_file_and_no_content(year):
    meeting = year["regular"].meetings.first()
    Meeting.objects.filter(pk=meeting.pk).update(agenda="HEMLIG-AGENDA", notes="HEMLIGT")
    with time_machine.travel(local(2027, 6, 14, 9), tick=False):
        plan_all()
        notifications_deliver()
    message = next(m for m in mail.outbox if m.attachments)
    assert message.attachments[0][0] == "meeting.ics"
    assert "DTSTART;TZID=Europe/Stockholm:20270615T140000" in message.attachments[0][1]
    for part in (message.body, message.alternatives[0][0], message.attachments[0][1]):
        assert "HEMLIG" not in part
    assert reverse("accounts:profile") in message.body  # a link to the settings


@pytest.mark.django_db
def test_each_sweep_run_twice_gives_the_same_rows(year):
    with time_machine.travel(local(2027, 6, 14, 9), tick=False):
        first = plan_all()
        assert first > 0
        assert plan_all() == 0


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_insert_each_row_once(year):
    barrier = threading.Barrier(2)

    def sweep():
        try:
            with time_machine.travel(local(2027, 6, 14, 9), tick=False):
                barrier.wait()
                plan_all()
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    keys = list(Notification.objects.values_list("recipient", "kind", "key"))
    assert len(keys) == len(set(keys)) > 0


@pytest.mark.django_db
def test_planning_runs_the_same_queries_for_10_and_100_pairs(coordinator):
    with time_machine.travel(local(2027, 5, 1, 8), tick=False):
        program = ProgramFactory(
            status=Program.Status.RUNNING, starts_on=START, ends_on=END,
            applications_open_at=local(2027, 1, 1, 8), applications_close_at=local(2027, 3, 31, 23),
        )  # fmt: skip
        program.coordinators.add(coordinator)
        MilestoneFactory(program=program, kind="half_time", starts_at=local(2027, 7, 10, 13))

    def count(pairs):
        for _ in range(pairs):
            match = make_pair(program)
            Meeting.objects.create(match=match, starts_at=local(2027, 7, 2, 14))
        Notification.objects.all().delete()
        with (
            time_machine.travel(local(2027, 7, 1, 9), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            planned = plan_all()
        return len(queries), planned

    few, planned_few = count(10)
    many, planned_many = count(90)
    assert planned_many > planned_few > 0
    assert many == few


@pytest.mark.django_db
def test_a_mail_server_failing_twice_then_working_delivers_once(year, settings):
    from notifications.tests import backends

    settings.EMAIL_BACKEND = "notifications.tests.backends.FlakySMTPBackend"
    backends.FlakySMTPBackend.failures_left = 2
    with time_machine.travel(local(2027, 7, 1, 9), tick=False):
        plan_monthly_reminders()
    planned = Notification.objects.count()
    for minutes in (0, 3, 10, 30):
        with time_machine.travel(local(2027, 7, 1, 9, minutes), tick=False):
            notifications_deliver()
    assert len(backends.FlakySMTPBackend.sent) == planned
    assert len({m.to[0] for m in backends.FlakySMTPBackend.sent}) == planned
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_send_now_in_the_admin_plans_a_programs_due_notices(client, coordinator, year):
    with time_machine.travel(local(2027, 7, 1, 9), tick=True):
        client.force_login(coordinator)
        response = client.post(
            reverse("admin:programs_program_changelist"),
            {"action": "send_due_notices", "_selected_action": [year["program"].pk]},
            follow=True,
        )
    assert "planned" in response.content.decode()
    assert Notification.objects.filter(kind="monthly_reminder").count() == 2


@pytest.mark.django_db
def test_a_milestone_added_late_sends_only_its_latest_notice(year):
    """With notices at 14 and 1 days and the milestone tomorrow, one notice, not two."""
    program = year["program"]
    with time_machine.travel(local(2027, 9, 1, 9), tick=False):
        seminar = MilestoneFactory(
            program=program, kind="inspiration", starts_at=local(2027, 9, 2, 13),
            notice_days=[14, 1],
        )  # fmt: skip
        plan_milestone_notices()
        plan_milestone_notices()
    rows = Notification.objects.filter(
        kind=Notification.Kind.MILESTONE, context__milestone=seminar.pk
    )
    assert Counter(rows.values_list("recipient_id", flat=True)) == Counter(
        dict.fromkeys(rows.values_list("recipient_id", flat=True), 1)
    )
    assert rows.count() == 4  # two pairs, each person once
    assert {key.split(":")[2] for key in rows.values_list("key", flat=True)} == {"1"}


@pytest.mark.django_db
def test_a_milestone_two_weeks_ahead_sends_the_14_day_notice_then_the_1_day_notice(year):
    program = year["program"]
    with time_machine.travel(local(2027, 9, 1, 9), tick=False):
        seminar = MilestoneFactory(
            program=program, kind="inspiration", starts_at=local(2027, 9, 15, 13),
            notice_days=[14, 1],
        )  # fmt: skip
        plan_milestone_notices()
    with time_machine.travel(local(2027, 9, 10, 9), tick=False):
        plan_milestone_notices()  # between the two: nothing new
    with time_machine.travel(local(2027, 9, 14, 9), tick=False):
        plan_milestone_notices()
    keys = Counter(
        key.split(":")[2]
        for key in Notification.objects.filter(
            kind=Notification.Kind.MILESTONE, context__milestone=seminar.pk
        ).values_list("key", flat=True)
    )
    assert keys == {"14": 4, "1": 4}


@pytest.mark.django_db
def test_an_accepted_mentor_nobody_was_matched_with_gets_no_notices_of_the_running_year(year):
    program = year["program"]
    spare = ApplicationFactory(
        program=program, role=Role.MENTOR, status=Application.Status.ACCEPTED
    )
    with time_machine.travel(local(2027, 6, 27, 9), tick=False):
        plan_milestone_notices()
    told = set(
        Notification.objects.filter(kind=Notification.Kind.MILESTONE).values_list(
            "recipient_id", flat=True
        )
    )
    assert spare.applicant_id not in told
    assert year["quiet"].mentor.applicant_id in told
    # While the selection is still under way, accepted people hear of what is coming.
    Program.objects.filter(pk=program.pk).update(status=Program.Status.SELECTION)
    with time_machine.travel(local(2027, 6, 27, 9), tick=False):
        plan_milestone_notices()
    assert Notification.objects.filter(
        kind=Notification.Kind.MILESTONE, recipient_id=spare.applicant_id
    ).exists()


@pytest.mark.django_db
def test_the_digest_goes_out_only_with_something_to_report_and_is_signed_by_the_app(
    year, coordinator
):
    program = year["program"]
    program.milestones.all().delete()
    # Both pairs met last week: nothing at risk, nothing failed, nothing coming.
    for match in (year["quiet"], year["regular"]):
        Meeting.objects.create(match=match, starts_at=local(2027, 8, 30, 10), status="held")
    with time_machine.travel(local(2027, 9, 6, 9), tick=False):
        assert plan_all() == 0 or not Notification.objects.filter(kind="digest").exists()
    assert not Notification.objects.filter(kind="digest").exists()
    # A request for a new match is something to report.
    from matching.services import rematch_request

    with time_machine.travel(local(2027, 9, 7, 9), tick=False):
        rematch_request(match=year["quiet"], user=year["quiet"].adept.applicant, reason="x")
        plan_all()
        notifications_deliver()
    digest = next(m for m in mail.outbox if m.to == [coordinator.email] and "1 " in m.body
                  and "new match" in m.body and "45 days" not in m.body)  # fmt: skip
    assert "0 pairs" not in digest.body
    assert "The program coordinators" not in digest.body
    assert digest.body.rstrip().split("--")[0].rstrip().endswith("Mentorship")


@pytest.mark.django_db
def test_a_milestone_notice_is_a_reminder_in_the_readers_language_with_end_and_description(year):
    import icalendar

    program = year["program"]
    with time_machine.travel(local(2027, 9, 1, 9), tick=False):
        MilestoneFactory(
            program=program, kind="inspiration", starts_at=local(2027, 9, 2, 13),
            ends_at=local(2027, 9, 2, 16), notice_days=[1],
            title_sv="Inspirationsträff", title_en="Inspiration meeting",
            description_sv="Vi pratar om svåra samtal.",
        )  # fmt: skip
        plan_milestone_notices()
        notifications_deliver()
    by_language = {m.extra_headers["Content-Language"]: m for m in mail.outbox}
    english, danish = by_language["en"], by_language["da"]
    assert english.subject.startswith("Reminder: Inspiration meeting")
    assert "Welcome" not in english.body and "Inspirationsträff" not in english.body
    # Danish has no title of its own: it falls back to the one given.
    assert "Inspirationsträff" in danish.subject
    event = icalendar.Calendar.from_ical(english.attachments[0][1]).walk("VEVENT")[0]
    assert event.decoded("dtend") == local(2027, 9, 2, 16)
    assert "svåra samtal" in str(event["DESCRIPTION"])
    assert "16:00" in english.body
