import csv
import datetime
import io
import zoneinfo

import icalendar
import pytest
from django.contrib import admin as django_admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.tests.factories import UserFactory
from matching.models import Match
from meetings import services
from meetings.models import CalendarFeed, Goal, GoalComment, Meeting
from mentorship.errors import ServiceError
from programs.models import Role
from programs.tests.factories import ApplicationFactory, MilestoneFactory, ProgramFactory

pytestmark = pytest.mark.django_db

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
MARKER = "KONFIDENTIELLT-7731"


@pytest.fixture
def pair(coordinator):
    today = timezone.localdate()
    program = ProgramFactory(
        slug="paret",
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=300),
        applications_open_at=timezone.now() - datetime.timedelta(days=120),
        applications_close_at=timezone.now() - datetime.timedelta(days=90),
        meetings_min=8,
        meetings_max=10,
    )
    program.coordinators.add(coordinator)
    adept = ApplicationFactory(program=program, applicant=UserFactory(full_name="Ada Adept"))
    mentor = ApplicationFactory(
        program=program, role=Role.MENTOR, applicant=UserFactory(full_name="Max Mentor")
    )
    match = Match.objects.create(
        program=program,
        adept=adept,
        mentor=mentor,
        status=Match.Status.PUBLISHED,
        published_at=timezone.now() - datetime.timedelta(days=50),
    )
    return match


def at(days, hour=10):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=STOCKHOLM)


def meeting_data(**overrides):
    data = {
        "starts_at": at(7).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "90",
        "meeting_format": "digital",
        "location": "https://meet.example.org/abc",
        "agenda": "Hur leder jag ett svårt samtal?",
        "notes": "",
        "action": "plan",
    }
    data.update(overrides)
    return data


def test_the_adept_writes_and_reorders_goals_and_the_mentor_comments(client, pair):
    adept, mentor = pair.adept.applicant, pair.mentor.applicant
    client.force_login(adept)
    add = reverse("meetings:goal_add", args=[pair.pk])
    client.post(add, {"goal-title": "Bli tryggare i svåra samtal", "goal-status": "open"})
    client.post(add, {"goal-title": "Delegera mer", "goal-status": "in_progress"})
    first, second = pair.goals.all()
    client.post(reverse("meetings:goal_move", args=[pair.pk, second.pk]), {"direction": "up"})
    assert [g.title for g in pair.goals.all()] == ["Delegera mer", "Bli tryggare i svåra samtal"]

    client.force_login(mentor)
    response = client.post(add, {"goal-title": "Mentorns mål", "goal-status": "open"}, follow=True)
    assert "The adept writes the goals" in response.content.decode()
    assert pair.goals.count() == 2
    client.post(
        reverse("meetings:goal_comment", args=[pair.pk, first.pk]), {"text": "Ett bra första mål"}
    )
    comment = GoalComment.objects.get()
    assert (comment.author, comment.text) == (mentor, "Ett bra första mål")
    page = client.get(reverse("meetings:mentorship", args=[pair.pk])).content.decode()
    assert "Ett bra första mål" in page and "Max Mentor" in page


def test_either_person_plans_and_the_log_shows_who_and_when(client, pair):
    client.force_login(pair.mentor.applicant)
    response = client.post(reverse("meetings:meeting_add", args=[pair.pk]), meeting_data())
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.status == Meeting.Status.PLANNED
    assert meeting.starts_at == at(7)
    client.force_login(pair.adept.applicant)
    page = client.get(reverse("meetings:mentorship", args=[pair.pk])).content.decode()
    assert "Planned by Max Mentor" in page
    client.post(meeting.get_absolute_url(), meeting_data(action="cancel"))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.updated_by == pair.adept.applicant


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"starts_at": at(400).strftime("%Y-%m-%dT%H:%M")}, "Meetings are held during the program"),
        (
            {"starts_at": at(-100).strftime("%Y-%m-%dT%H:%M")},
            "Meetings are held during the program",
        ),
        ({"duration_minutes": "10"}, "15"),
        ({"duration_minutes": "500"}, "480"),
        ({"action": "held"}, "cannot be marked as held yet"),
    ],
)
def test_meeting_rules_give_clear_messages_and_keep_the_input(client, pair, overrides, message):
    client.force_login(pair.adept.applicant)
    url = reverse("meetings:meeting_add", args=[pair.pk])
    response = client.post(url, meeting_data(**overrides))
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "Hur leder jag ett svårt samtal?" in html
    assert not Meeting.objects.exists()


def test_a_past_meeting_is_marked_held_with_notes(client, pair):
    meeting = Meeting.objects.create(match=pair, starts_at=at(-3))
    client.force_login(pair.mentor.applicant)
    client.post(
        meeting.get_absolute_url(),
        meeting_data(
            starts_at=at(-3).strftime("%Y-%m-%dT%H:%M"), notes="Vi pratade.", action="held"
        ),
    )
    meeting.refresh_from_db()
    assert (meeting.status, meeting.notes) == (Meeting.Status.HELD, "Vi pratade.")


def test_an_ended_match_is_read_only(client, pair):
    goal = Goal.objects.create(match=pair, title="Mål")
    meeting = Meeting.objects.create(match=pair, starts_at=at(-3))
    Match.objects.filter(pk=pair.pk).update(status=Match.Status.ENDED)
    pair.refresh_from_db()
    user = pair.adept.applicant
    with pytest.raises(ServiceError, match="has ended"):
        services.goal_comment(goal=goal, user=user, text="x")
    meeting.notes = "ändrat"
    with pytest.raises(ServiceError, match="has ended"):
        services.meeting_save(meeting=meeting, user=user)
    client.force_login(user)
    page = client.get(reverse("meetings:mentorship", args=[pair.pk])).content.decode()
    assert "can read the log, but not change it" in page
    assert "Plan a meeting" not in page


def test_progress_counts_held_meetings_against_the_plan(client, pair):
    Meeting.objects.create(match=pair, starts_at=at(-40), status=Meeting.Status.HELD)
    Meeting.objects.create(match=pair, starts_at=at(-10), status=Meeting.Status.HELD)
    client.force_login(pair.adept.applicant)
    page = client.get(reverse("meetings:mentorship", args=[pair.pk])).content.decode()
    assert "2 of 8–10 meetings held" in page


def test_a_pair_with_no_meeting_this_month_is_not_on_track(pair):
    today = timezone.localdate()
    progress = services.mentorship_progress(pair, [], today=today)
    assert progress["running"] and not progress["on_track"]
    meeting = Meeting(match=pair, starts_at=timezone.now(), status=Meeting.Status.PLANNED)
    assert services.mentorship_progress(pair, [meeting], today=today)["on_track"]


def test_another_pair_gets_404_for_everything(client, pair):
    goal = Goal.objects.create(match=pair, title="Mål")
    meeting = Meeting.objects.create(match=pair, starts_at=at(3))
    other = ApplicationFactory(applicant=UserFactory())
    client.force_login(other.applicant)
    for url in [
        reverse("meetings:mentorship", args=[pair.pk]),
        reverse("meetings:goal_edit", args=[pair.pk, goal.pk]),
        meeting.get_absolute_url(),
        reverse("meetings:meeting_ics", args=[meeting.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    response = client.post(meeting.get_absolute_url(), meeting_data(notes="intrång"))
    assert response.status_code == 404
    meeting.refresh_from_db()
    assert meeting.notes == ""


def parse(response):
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def test_the_meeting_ics_has_the_right_time_in_stockholm_with_its_time_zone(client, pair):
    starts = datetime.datetime(2027, 3, 28, 14, 30, tzinfo=STOCKHOLM)  # the day clocks go forward
    meeting = Meeting.objects.create(
        match=pair, starts_at=starts, duration_minutes=120, agenda=MARKER, notes=MARKER
    )
    client.force_login(pair.adept.applicant)
    calendar = parse(client.get(reverse("meetings:meeting_ics", args=[meeting.pk])))
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == starts
    assert str(event.decoded("dtstart").tzinfo) == "Europe/Stockholm"
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert event.decoded("dtend") == starts + datetime.timedelta(hours=2)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    assert MARKER not in calendar.to_ical().decode()


def test_the_feed_has_the_pairs_meetings_and_milestones_and_a_revoked_token_is_404(client, pair):
    Meeting.objects.create(match=pair, starts_at=at(5, hour=9))
    MilestoneFactory(program=pair.program, kind="half_time", title_sv="Halvtid", starts_at=at(20))
    MilestoneFactory(
        program=pair.program, kind="mentor_training", title_sv="Mentorutbildning",
        starts_at=at(21), audience="mentors",
    )  # fmt: skip
    client.force_login(pair.adept.applicant)
    client.post(reverse("meetings:calendar"), {"action": "create"})
    feed = CalendarFeed.objects.get(user=pair.adept.applicant)
    client.logout()

    calendar = parse(client.get(feed.get_absolute_url()))
    summaries = sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
    assert len(summaries) == 2  # the mentors' training is not the adept's
    assert any("Halvtid" in s for s in summaries)
    meeting_event = next(e for e in calendar.walk("VEVENT") if "Ada Adept" in str(e["SUMMARY"]))
    assert meeting_event.decoded("dtstart") == at(5, hour=9)

    client.force_login(pair.adept.applicant)
    client.post(reverse("meetings:calendar"), {"action": "revoke"})
    client.logout()
    assert client.get(feed.get_absolute_url()).status_code == 404


def test_my_mentorship_runs_the_same_queries_for_2_and_20_meetings(client, pair):
    client.force_login(pair.adept.applicant)
    url = reverse("meetings:mentorship", args=[pair.pk])
    for days in range(2):
        Meeting.objects.create(match=pair, starts_at=at(-days), created_by=pair.adept.applicant)
    Goal.objects.create(match=pair, title="Mål 1")
    client.get(url)  # the first request of a session records the session once
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for days in range(2, 20):
        Meeting.objects.create(match=pair, starts_at=at(-days), created_by=pair.mentor.applicant)
    for n in range(5):
        goal = Goal.objects.create(match=pair, title=f"Mål {n}")
        GoalComment.objects.create(goal=goal, author=pair.mentor.applicant, text="Bra")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["meetings"]) == 20
    assert len(many) == len(few)


def pairs_url():
    return reverse("admin:meetings_pairactivity_changelist")


def test_coordinators_see_activity_and_stalled_pairs_without_content(client, coordinator, pair):
    Meeting.objects.create(match=pair, starts_at=at(-50), status=Meeting.Status.HELD, notes=MARKER)
    active = Match.objects.create(
        program=pair.program,
        adept=ApplicationFactory(program=pair.program),
        mentor=pair.mentor,
        status=Match.Status.PUBLISHED,
        published_at=timezone.now() - datetime.timedelta(days=80),
    )
    Meeting.objects.create(match=active, starts_at=at(-5), status=Meeting.Status.HELD)
    Meeting.objects.create(match=active, starts_at=at(5))
    client.force_login(coordinator)
    response = client.get(pairs_url())
    rows = {p.pk: p for p in response.context["cl"].queryset}
    assert (rows[pair.pk].held_count, rows[pair.pk].stalled) == (1, True)
    assert (rows[active.pk].held_count, rows[active.pk].planned_count) == (1, 1)
    assert rows[active.pk].stalled is False
    assert [p.pk for p in client.get(pairs_url(), {"stalled": "yes"}).context["cl"].queryset] == [
        pair.pk
    ]
    export = client.post(
        pairs_url(), {"action": "export_csv", "_selected_action": [pair.pk, active.pk]}
    )
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert len(rows) == 3
    assert MARKER not in export.content.decode()
    sheet = client.post(
        pairs_url(), {"action": "export_xlsx", "_selected_action": [pair.pk, active.pk]}
    )
    book = load_workbook(io.BytesIO(sheet.content)).active
    assert [[c.value for c in row] for row in book.iter_rows(max_row=1)] == [rows[0]]
    assert book.max_row == 3


def test_another_programs_coordinator_sees_no_pairs(client, other_coordinator, pair):
    client.force_login(other_coordinator)
    assert list(client.get(pairs_url()).context["cl"].queryset) == []
    url = reverse("admin:meetings_pairactivity_change", args=[pair.pk])
    assert client.get(url).status_code == 404


def test_the_pairs_list_runs_the_same_queries_for_5_and_50_pairs(client, coordinator, pair):
    def make(count):
        for _ in range(count):
            match = Match.objects.create(
                program=pair.program,
                adept=ApplicationFactory(program=pair.program),
                mentor=pair.mentor,
                status=Match.Status.PUBLISHED,
            )
            Meeting.objects.create(match=match, starts_at=at(-1), status=Meeting.Status.HELD)

    client.force_login(coordinator)
    make(4)
    client.get(pairs_url())  # the first request of a session records the session once
    with CaptureQueriesContext(connection) as few:
        client.get(pairs_url())
    make(45)
    with CaptureQueriesContext(connection) as many:
        response = client.get(pairs_url())
    assert response.context["cl"].result_count == 50
    assert len(many) == len(few)


def admin_urls(user, objects):
    """Every admin page a user can reach for the program: changelists (also searched for the
    marker), change and history pages, and delete confirmations where allowed."""
    urls = [reverse("admin:index")]
    for model in django_admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        urls.append(reverse("admin:{}_{}_changelist".format(*info)) + f"?q={MARKER}")
    for obj in objects:
        info = obj._meta.app_label, obj._meta.model_name
        for view in ("change", "history", "delete"):
            urls.append(reverse("admin:{}_{}_{}".format(*info, view), args=[obj.pk]))
    return urls


@pytest.mark.parametrize("who", ["coordinator", "superuser"])
def test_no_admin_page_or_export_ever_shows_what_the_pair_wrote(client, pair, who, request):
    from meetings.models import PairActivity

    goal = Goal.objects.create(match=pair, title=MARKER, description=MARKER)
    GoalComment.objects.create(goal=goal, author=pair.mentor.applicant, text=MARKER)
    Meeting.objects.create(
        match=pair, starts_at=at(-2), status=Meeting.Status.HELD, agenda=MARKER, notes=MARKER
    )
    user = request.getfixturevalue(who)
    client.force_login(user)
    objects = [
        pair.program,
        Match.objects.get(pk=pair.pk),
        PairActivity.objects.get(pk=pair.pk),
        pair.adept,
        pair.mentor,
        pair.adept.applicant,
    ]
    checked = 0
    for url in admin_urls(user, objects):
        response = client.get(url)
        if response.status_code == 200:
            checked += 1
            # A search page repeats what was searched for; nothing else may show the marker.
            html = response.content.decode()
            for echo in (f"q%3D{MARKER}", f"q={MARKER}", f'value="{MARKER}"', f"“{MARKER}”"):
                html = html.replace(echo, "")
            assert MARKER not in html, url
            changelist = response.context.get("cl") if response.context else None
            if "?q=" in url and changelist is not None and changelist.search_fields:
                assert changelist.result_count == 0, url
    assert checked > 20
    for changelist, ids in [
        ("admin:programs_application_changelist", [pair.adept.pk, pair.mentor.pk]),
        ("admin:meetings_pairactivity_changelist", [pair.pk]),
    ]:
        for action in ("export_csv", "export_csv_with_letters"):
            response = client.post(reverse(changelist), {"action": action, "_selected_action": ids})
            assert MARKER not in response.content.decode()
    review = client.get(reverse("matching:review", args=[pair.program.slug]))
    assert review.status_code == 200
    assert MARKER not in review.content.decode()


def test_a_mentors_only_milestone_is_on_the_mentors_page_and_not_the_adepts(client, pair):
    MilestoneFactory(program=pair.program, kind="half_time", title_sv="Halvtid", starts_at=at(30))
    MilestoneFactory(
        program=pair.program, kind="mentor_training", title_sv="Mentorutbildning",
        starts_at=at(3), audience="mentors",
    )  # fmt: skip
    url = reverse("meetings:mentorship", args=[pair.pk])
    client.force_login(pair.adept.applicant)
    page = client.get(url).content.decode()
    assert "Halvtid" in page and "Mentorutbildning" not in page
    client.force_login(pair.mentor.applicant)
    page = client.get(url).content.decode()
    assert "Mentorutbildning" in page and "Halvtid" in page


def test_adding_and_editing_a_goal_are_told_apart_in_the_title(client, pair):
    import re

    goal = Goal.objects.create(match=pair, title="Leda")
    client.force_login(pair.adept.applicant)

    def title(url):
        return re.search(r"<title>(.*?) ·", client.get(url).content.decode()).group(1)

    assert title(reverse("meetings:goal_add", args=[pair.pk])) == "New goal"
    assert title(reverse("meetings:goal_edit", args=[pair.pk, goal.pk])) == "Edit goal"
