"""The line manager's part after the application (issue 18, seed 004): a say in the match
before publishing, the planning and evaluation meetings they are invited to with an .ics, their
own page, withdrawing support; and never a word of what the pair writes."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.privacy import erase, user_data
from accounts.tests.factories import UserFactory
from evaluations.dashboard import line_manager_meetings
from matching import services as matching
from matching.models import Match, MatchConsultation
from meetings.models import Meeting
from mentorship.errors import ServiceError
from notifications.models import Notification
from notifications.services import notifications_deliver
from programs.models import Application, LineManagerMeeting, LineManagerSupport, Program, Role
from programs.tests.factories import ApplicationFactory, MilestoneFactory, ProgramFactory

pytestmark = pytest.mark.django_db

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
MARKER = "KONFIDENTIELLT-7731"


@pytest.fixture
def program(coordinator):
    today = timezone.localdate()
    program = ProgramFactory(
        slug="dagtilbud",
        name="Mentorforløb for ledere",
        text_language="da",
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=300),
        applications_open_at=timezone.now() - datetime.timedelta(days=90),
        applications_close_at=timezone.now() - datetime.timedelta(days=30),
        line_managers=Program.LineManagers.SUPPORT,
        line_manager_say=True,
    )
    program.coordinators.add(coordinator)
    return program


def adept_with_manager(program, name, manager=None, **kwargs):
    adept = ApplicationFactory(
        program=program,
        applicant=UserFactory(full_name=name, language="da"),
        status=Application.Status.ACCEPTED,
        letter=f"{MARKER} brev",
        **kwargs,
    )
    manager = manager or UserFactory(full_name=f"Leder af {name}", language="da")
    LineManagerSupport.objects.create(
        application=adept,
        manager=manager,
        answer=LineManagerSupport.Answer.SUPPORTED,
        asked_at=timezone.now(),
        answered_at=timezone.now(),
    )
    return adept, manager


def mentor(program, name, **kwargs):
    return ApplicationFactory(
        program=program,
        role=Role.MENTOR,
        applicant=UserFactory(full_name=name, language="da"),
        status=Application.Status.ACCEPTED,
        letter=f"{MARKER} mentorbrev",
        **kwargs,
    )


def link(message, path) -> str:
    return (
        re.search(rf"http://\S+{path}\S+", message.body)
        .group()
        .removeprefix("http://127.0.0.1:8000")
    )


def test_line_managers_have_a_say_in_the_match_and_publishing_waits_for_them(
    client, coordinator, program, django_capture_on_commit_callbacks
):
    anne, annes_leader = adept_with_manager(program, "Anne Adept")
    bo, bos_leader = adept_with_manager(program, "Bo Adept")
    solo = ApplicationFactory(program=program, status=Application.Status.ACCEPTED)
    mette = mentor(program, "Mette Mentor", job_title="Skoleleder")
    first = Match.objects.create(program=program, adept=anne, mentor=mette)
    second = Match.objects.create(program=program, adept=bo, mentor=mentor(program, "Niels"))
    Match.objects.create(program=program, adept=solo, mentor=mentor(program, "Ole"))

    # Not asked yet: nothing is published, and the coordinator is told why.
    with pytest.raises(ServiceError, match="2 adepts' line managers have not been asked"):
        matching.matches_publish(program=program, by=coordinator)

    client.force_login(coordinator)
    review = reverse("matching:review", args=[program.slug])
    ask = reverse("matching:ask_line_managers", args=[program.slug])
    page = client.get(review).content.decode()
    assert "Ask the line managers by e-mail" in page
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(ask, {"ask-answer_by": yesterday.isoformat()}, follow=True)
    assert "Choose a date from today on" in response.content.decode()
    response = client.post(ask, {"ask-answer_by": ""}, follow=True)
    assert "Choose the date by which line managers answer" in response.content.decode()
    answer_by = timezone.localdate() + datetime.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ask, {"ask-answer_by": answer_by.isoformat()}, follow=True)
        client.post(ask, {"ask-answer_by": answer_by.isoformat()})  # twice: nobody again
    assert "2 line managers have been asked" in response.content.decode()
    assert MatchConsultation.objects.count() == 2
    notifications_deliver()
    (asked,) = [m for m in mail.outbox if m.to == [annes_leader.email]]
    assert asked.subject == "En mentor til Anne Adept: Mentorforløb for ledere"
    assert "Mette Mentor: Skoleleder" in asked.body
    assert MARKER not in asked.body
    assert len([m for m in mail.outbox if m.to == [bos_leader.email]]) == 1

    with pytest.raises(ServiceError, match="2 line managers may still answer"):
        matching.matches_publish(program=program, by=coordinator)

    # Anne's leader, from the e-mail, without a login, in a Danish browser: the mentor,
    # never a letter.
    client.logout()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "da"
    url = link(asked, "/line-manager/proposal/")
    page = client.get(url).content.decode()
    assert "Mette Mentor" in page and "Skoleleder" in page
    assert MARKER not in page
    response = client.post(url, {"answer": "concern", "concern": ""})
    assert "Skriv din bekymring til koordinatorerne." in response.content.decode()
    client.post(url, {"answer": "concern", "concern": "De  har  arbejdet sammen før."})
    consultation = MatchConsultation.objects.get(match=first)
    assert (consultation.answer, consultation.concern) == ("concern", "De har arbejdet sammen før.")

    # The coordinator reads the concern beside the pair; Bo's leader says nothing by the
    # date, which then counts as agreement, and the pairs can be published.
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE")
    client.force_login(coordinator)
    page = client.get(review).content.decode()
    assert "De har arbejdet sammen før." in page and "1 has a concern" in page
    MatchConsultation.objects.filter(match=second).update(answer_by=yesterday)
    assert "1 did not answer in time: counts as agreeing" in client.get(review).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert matching.matches_publish(program=program, by=coordinator) == 3
    # The introduction tells the mentor whom to plan the course with.
    notifications_deliver()
    (introduction,) = [m for m in mail.outbox if m.to == [mette.applicant.email]]
    assert "Leder af Anne Adept" in introduction.body
    assert "planlægningsmødet" in introduction.body

    # Published: the question is closed, and an answer now changes nothing.
    client.logout()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "da"
    page = client.get(url).content.decode()
    assert "dette spørgsmål er lukket" in page
    client.post(url, {"answer": "agreed"})
    assert MatchConsultation.objects.get(match=first).answer == "concern"


def test_a_swap_asks_about_the_new_mentor(client, coordinator, program):
    program.pairing_rule = Program.PairingRule.ANY
    program.save()
    anne, _leader = adept_with_manager(program, "Anne Adept")
    bo, _other = adept_with_manager(program, "Bo Adept")
    first = Match.objects.create(program=program, adept=anne, mentor=mentor(program, "Mette"))
    second = Match.objects.create(program=program, adept=bo, mentor=mentor(program, "Niels"))
    answer_by = timezone.localdate() + datetime.timedelta(days=3)
    assert matching.line_managers_ask(program=program, answer_by=answer_by, by=coordinator) == (
        2,
        0,
    )
    MatchConsultation.objects.update(answer="agreed", answered_at=timezone.now())
    matching.match_swap(first=first, second=second, by=coordinator)
    with pytest.raises(ServiceError, match="have not been asked"):
        matching.matches_publish(program=program, by=coordinator)
    assert matching.line_managers_ask(program=program, answer_by=answer_by, by=coordinator) == (
        2,
        0,
    )
    first.refresh_from_db()
    assert MatchConsultation.objects.get(match=first).mentor_id == first.mentor_id
    # A program where line managers have no say asks nobody.
    program.line_manager_say = False
    program.save()
    with pytest.raises(ServiceError, match="does not ask line managers"):
        matching.line_managers_ask(program=program, answer_by=answer_by, by=coordinator)


def published_pair(program, **kwargs):
    adept, manager = adept_with_manager(program, "Anne Adept")
    match = Match.objects.create(
        program=program,
        adept=adept,
        mentor=mentor(program, "Mette Mentor", job_title="Skoleleder"),
        status=Match.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    return match, manager


def at(days, hour=10):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=STOCKHOLM)


def meeting_data(**overrides):
    data = {
        "kind": "planning",
        "starts_at": at(7).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "60",
        "meeting_format": "physical",
        "location": "Mødelokale 2, Rådhuset",
        "agenda": f"{MARKER} dagsorden",
        "notes": "",
        "action": "plan",
    }
    data.update(overrides)
    return data


def test_the_mentor_books_the_planning_meeting_and_the_line_manager_gets_an_ics_only(
    client, program, django_capture_on_commit_callbacks
):
    match, manager = published_pair(program)
    adept, mentor_user = match.adept.applicant, match.mentor.applicant
    add = reverse("meetings:meeting_add", args=[match.pk])

    # The program says the mentor books it: the adept is told so.
    client.force_login(adept)
    assert 'name="kind"' in client.get(add).content.decode()
    response = client.post(add, meeting_data())
    assert "booker mentoren planlægningsmødet" in response.content.decode()
    assert not Meeting.objects.exists()

    client.force_login(mentor_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(add, meeting_data())
    meeting = Meeting.objects.get()
    assert meeting.kind == Meeting.Kind.PLANNING
    notifications_deliver()
    (invitation,) = [m for m in mail.outbox if m.to == [manager.email]]
    assert invitation.subject.startswith("Invitation: Planlægningsmøde med nærmeste leder")
    assert "Mette Mentor" in invitation.body and "Mødelokale 2, Rådhuset" in invitation.body
    (_name, ics, kind) = invitation.attachments[0]
    assert kind == "text/calendar"
    event = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
    assert str(event["LOCATION"]) == "Mødelokale 2, Rådhuset"
    assert "/line-manager/" in str(event["URL"])
    ics = ics if isinstance(ics, str) else ics.decode()
    for text in (invitation.body, ics, *(a for a, _t in invitation.alternatives)):
        assert MARKER not in text

    # Notes and "held" are the pair's: no e-mail; a new time is; a cancellation is too.
    edit = reverse("meetings:meeting", args=[meeting.pk])
    sent = Notification.objects.filter(recipient=manager).count
    client.post(edit, meeting_data(notes=f"{MARKER} noter", action="save"))
    assert sent() == 1
    client.post(edit, meeting_data(starts_at=at(8).strftime("%Y-%m-%dT%H:%M"), action="save"))
    assert sent() == 2
    client.post(edit, meeting_data(starts_at=at(8).strftime("%Y-%m-%dT%H:%M"), action="cancel"))
    assert sent() == 3
    notifications_deliver()
    cancelled = mail.outbox[-1]
    assert cancelled.subject.startswith("Aflyst: Planlægningsmøde")
    assert "METHOD:CANCEL" in str(cancelled.attachments[0][1])
    # The kind is settled when the meeting is planned.
    client.post(edit, meeting_data(kind="pair", action="save"))
    assert Meeting.objects.get().kind == Meeting.Kind.PLANNING

    # The line manager's own page: the meeting's time and place, never its agenda or notes;
    # the pair's space and log are a 404.
    client.force_login(manager)
    page = client.get(reverse("meetings:line_manager_page")).content.decode()
    assert "Anne Adept" in page and "Mette Mentor" in page and "Mødelokale 2" in page
    assert MARKER not in page
    for url in (
        reverse("meetings:mentorship", args=[match.pk]),
        edit,
        reverse("meetings:meeting_ics", args=[meeting.pk]),
        add,
    ):
        assert client.get(url).status_code == 404, url


def test_a_pair_without_a_line_manager_plans_only_its_own_meetings(client, program):
    adept = ApplicationFactory(program=program, status=Application.Status.ACCEPTED)
    match = Match.objects.create(
        program=program, adept=adept, mentor=mentor(program, "Mette"),
        status=Match.Status.PUBLISHED, published_at=timezone.now(),
    )  # fmt: skip
    client.force_login(match.mentor.applicant)
    add = reverse("meetings:meeting_add", args=[match.pk])
    assert 'name="kind"' not in client.get(add).content.decode()
    client.post(add, meeting_data(kind="evaluation"))
    assert Meeting.objects.get().kind == Meeting.Kind.PAIR
    assert not Notification.objects.filter(kind="line_manager_meeting").exists()


def test_the_evaluation_meeting_counts_on_the_dashboard_by_the_milestones_date(
    client, coordinator, program
):
    match, _manager = published_pair(program)
    other, _ = published_pair(program)
    deadline = MilestoneFactory(
        program=program, kind="closing", starts_at=at(30),
        line_manager_meeting=LineManagerMeeting.EVALUATION,
    )  # fmt: skip
    MilestoneFactory(
        program=program, kind="kick_off", starts_at=at(-5),
        line_manager_meeting=LineManagerMeeting.PLANNING,
    )  # fmt: skip
    Meeting.objects.create(match=match, kind="evaluation", starts_at=at(-1), status="held")
    Meeting.objects.create(match=other, kind="evaluation", starts_at=at(20))
    Meeting.objects.create(match=other, kind="planning", starts_at=at(40), status="held")
    rows = {row["milestone"].pk: row for row in line_manager_meetings(program)}
    row = rows[deadline.pk]
    assert (row["pairs"], row["held"], row["planned"]) == (2, 1, 1)
    client.force_login(coordinator)
    page = client.get(reverse("evaluations:dashboard", args=[program.slug])).content.decode()
    assert "1 of 2 pairs held it" in page and "0 of 2 pairs held it" in page


def test_the_line_manager_withdraws_support_and_the_coordinator_sees_it(
    client, coordinator, program
):
    _match, manager = published_pair(program)
    support = LineManagerSupport.objects.get(manager=manager)
    withdraw = reverse("meetings:line_manager_withdraw", args=[support.pk])
    client.force_login(UserFactory())
    assert client.post(withdraw, {"confirm": "yes"}).status_code == 404
    client.force_login(manager)
    response = client.post(withdraw, follow=True)
    assert "sæt kryds" in response.content.decode().lower()
    response = client.post(withdraw, {"confirm": "yes"}, follow=True)
    assert "koordinatorerne kan se det" in response.content.decode()
    support.refresh_from_db()
    assert support.answer == LineManagerSupport.Answer.WITHDRAWN
    other, _ = published_pair(program)
    client.force_login(coordinator)
    changelist = reverse("admin:programs_application_changelist")
    page = client.get(changelist).content.decode()
    assert "Has withdrawn their support" in page
    # The filter finds the withdrawn one, and only it.
    response = client.get(changelist, {"line_manager": "withdrawn"})
    assert [a.pk for a in response.context["cl"].result_list] == [support.application_id]
    response = client.get(changelist, {"line_manager": "supported"})
    assert [a.pk for a in response.context["cl"].result_list] == [other.adept_id]


def test_the_line_managers_page_runs_the_same_queries_for_one_person_and_five(
    client, program, django_assert_max_num_queries
):
    match, manager = published_pair(program)
    MilestoneFactory(program=program, kind="kick_off", starts_at=at(5))
    Meeting.objects.create(match=match, kind="planning", starts_at=at(3))
    client.force_login(manager)
    url = reverse("meetings:line_manager_page")
    client.get(url)  # the session's first request records it
    with django_assert_max_num_queries(16) as one:
        assert client.get(url).status_code == 200
    for n in range(4):
        adept, _ = adept_with_manager(program, f"Person {n}", manager=manager)
        pair = Match.objects.create(
            program=program, adept=adept, mentor=mentor(program, f"Mentor {n}"),
            status=Match.Status.PUBLISHED, published_at=timezone.now(),
        )  # fmt: skip
        Meeting.objects.create(match=pair, kind="evaluation", starts_at=at(30))
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('class="card mb-4"') == 5


def test_the_review_and_the_proposal_page_run_a_fixed_number_of_queries(
    client, coordinator, program, django_assert_max_num_queries
):
    answer_by = timezone.localdate() + datetime.timedelta(days=5)
    for n in range(2):
        adept, _ = adept_with_manager(program, f"Adept {n}")
        Match.objects.create(program=program, adept=adept, mentor=mentor(program, f"M {n}"))
    matching.line_managers_ask(program=program, answer_by=answer_by, by=coordinator)
    client.force_login(coordinator)
    review = reverse("matching:review", args=[program.slug])
    client.get(review)
    with django_assert_max_num_queries(40) as few:
        client.get(review)
    for n in range(8):
        adept, _ = adept_with_manager(program, f"Adept more {n}")
        Match.objects.create(program=program, adept=adept, mentor=mentor(program, f"N {n}"))
    matching.line_managers_ask(program=program, answer_by=answer_by, by=coordinator)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(review)
    client.logout()
    token = matching.consultation_token(MatchConsultation.objects.first())
    with django_assert_max_num_queries(4):
        client.get(reverse("matching:line_manager_match", args=[token]))


def test_the_line_managers_view_is_in_their_data_and_goes_with_them(coordinator, program):
    adept, manager = adept_with_manager(program, "Anne Adept")
    Match.objects.create(program=program, adept=adept, mentor=mentor(program, "Mette"))
    answer_by = timezone.localdate() + datetime.timedelta(days=5)
    matching.line_managers_ask(program=program, answer_by=answer_by, by=coordinator)
    consultation = MatchConsultation.objects.get()
    matching.consultation_answer(consultation=consultation, answer="concern", concern="Tvivl")
    data = user_data(manager)
    assert data["line_manager_views"][0]["concern"] == "Tvivl"
    erase(manager, timezone.now())
    assert not MatchConsultation.objects.exists()


def test_no_page_the_line_manager_reaches_shows_what_the_pair_wrote(client, program):
    """The confidentiality marker, for the line manager's role: their own page shows the
    meetings they join without agenda or notes, and every page of the pair's space is a 404."""
    from meetings.models import Goal, GoalComment

    match, manager = published_pair(program)
    goal = Goal.objects.create(match=match, title=MARKER, description=MARKER)
    GoalComment.objects.create(goal=goal, author=match.mentor.applicant, text=MARKER)
    joined = Meeting.objects.create(
        match=match, kind="planning", starts_at=at(-2), status="held", agenda=MARKER,
        notes=MARKER, location="Rådhuset",
    )  # fmt: skip
    own = Meeting.objects.create(match=match, starts_at=at(3), agenda=MARKER, notes=MARKER)
    client.force_login(manager)
    page = client.get(reverse("meetings:line_manager_page")).content.decode()
    assert "Rådhuset" in page and MARKER not in page
    assert page.count("<li>Planlægningsmøde med nærmeste leder") == 1  # not the pair's own
    pair_pages = [
        reverse("meetings:mentorship", args=[match.pk]),
        reverse("meetings:goal_add", args=[match.pk]),
        reverse("meetings:goal_edit", args=[match.pk, goal.pk]),
        reverse("meetings:meeting_add", args=[match.pk]),
        reverse("matching:rematch", args=[match.pk]),
        *(reverse("meetings:meeting", args=[m.pk]) for m in (joined, own)),
        *(reverse("meetings:meeting_ics", args=[m.pk]) for m in (joined, own)),
    ]
    for url in pair_pages:
        assert client.get(url).status_code == 404, url
    # Nor do they reach it by writing: a comment or a meeting of theirs is refused.
    comment = reverse("meetings:goal_comment", args=[match.pk, goal.pk])
    assert client.post(comment, {"text": "Hej"}).status_code == 404
    assert GoalComment.objects.count() == 1
    # Their data export holds their own answers, not the pair's log.
    assert MARKER not in str(user_data(manager))
