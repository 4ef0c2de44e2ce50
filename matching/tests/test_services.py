import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from matching import services
from matching.models import Exclusion, Match, MatchingRun, RematchRequest
from matching.tasks import run_matching
from mentorship.errors import ServiceError
from notifications.models import Notification
from notifications.services import notifications_deliver
from programs.models import Application, Role
from programs.tests.factories import (
    ApplicationFactory,
    FocusAreaFactory,
    OrganizationFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db

ACCEPTED = Application.Status.ACCEPTED


@pytest.fixture
def setup(coordinator):
    kth, su, ki = (OrganizationFactory(name=n) for n in ("KTH", "SU", "KI"))
    budget, change = FocusAreaFactory(name_en="Budget"), FocusAreaFactory(name_en="Change")
    program = ProgramFactory(slug="larosaten", organizations=[kth, su, ki])
    program.coordinators.add(coordinator)
    program.focus_areas.set([budget, change])

    def person(role, organization, areas, **extra):
        application = ApplicationFactory(
            program=program, role=role, organization=organization, **{"status": ACCEPTED, **extra}
        )
        application.focus_areas.set(areas)
        return application

    return {
        "program": program,
        "kth": kth,
        "su": su,
        "ki": ki,
        "person": person,
        "budget": budget,
        "change": change,
    }


def test_running_proposes_pairs_under_the_pairing_rule_with_explanations(
    client, coordinator, setup
):
    s = setup
    adept = s["person"](Role.ADEPT, s["kth"], [s["budget"]], region="Umeå", languages=["sv"])
    same_org_mentor = s["person"](Role.MENTOR, s["kth"], [s["budget"]], region="Umeå")
    mentor = s["person"](Role.MENTOR, s["su"], [s["budget"]], region="Umeå", languages=["sv"])

    run = services.matching_start(program=s["program"], by=coordinator)

    assert run.status == MatchingRun.Status.DONE
    (match,) = Match.objects.filter(program=s["program"])
    assert (match.adept, match.mentor) == (adept, mentor)
    assert match.status == Match.Status.PROPOSED
    assert match.components["needs"] == 1.0
    assert run.unmatched_mentors == [{"application": same_org_mentor.pk, "reason": "not_needed"}]

    client.force_login(coordinator)
    html = client.get(reverse("matching:review", args=["larosaten"])).content.decode()
    assert "Needs met by strengths: Budget (1 of 1 need)." in html
    assert "Same region: Umeå." in html
    assert "Shared language: Swedish." in html


def test_an_adept_nobody_may_mentor_is_listed_with_the_reason(client, coordinator, setup):
    s = setup
    s["person"](Role.ADEPT, s["kth"], [s["budget"]])
    s["person"](Role.MENTOR, s["kth"], [s["budget"]])
    run = services.matching_start(program=s["program"], by=coordinator)
    assert run.pairs == 0
    client.force_login(coordinator)
    html = client.get(reverse("matching:review", args=["larosaten"])).content.decode()
    assert "Every mentor is ruled out by the program&#x27;s rules (same organisation: 1)." in html


def test_locked_pairs_survive_a_rerun_and_unlocked_ones_are_replaced(coordinator, setup):
    s = setup
    a1 = s["person"](Role.ADEPT, s["kth"], [s["budget"]])
    a2 = s["person"](Role.ADEPT, s["kth"], [s["change"]])
    m1 = s["person"](Role.MENTOR, s["su"], [s["budget"]], mentor_capacity=1)
    m2 = s["person"](Role.MENTOR, s["ki"], [s["change"]], mentor_capacity=1)
    services.matching_start(program=s["program"], by=coordinator)
    assert set(Match.objects.values_list("adept", "mentor")) == {(a1.pk, m1.pk), (a2.pk, m2.pk)}

    # The coordinator prefers the other way round: swap (which locks), then re-run.
    first = Match.objects.get(adept=a1)
    second = Match.objects.get(adept=a2)
    services.match_swap(first=first, second=second)
    services.matching_start(program=s["program"], by=coordinator)
    assert set(Match.objects.values_list("adept", "mentor", "locked")) == {
        (a1.pk, m2.pk, True),
        (a2.pk, m1.pk, True),
    }


def test_a_pair_added_by_hand_is_refused_when_it_breaks_a_rule(coordinator, setup):
    s = setup
    adept = s["person"](Role.ADEPT, s["kth"], [s["budget"]])
    colleague = s["person"](Role.MENTOR, s["kth"], [s["budget"]])
    excluded = s["person"](Role.MENTOR, s["su"], [s["budget"]], mentor_capacity=1)
    Exclusion.objects.create(adept=adept.applicant, mentor=excluded.applicant, reason="conflict")
    with pytest.raises(ServiceError, match="same organisation"):
        services.match_add(program=s["program"], adept=adept, mentor=colleague, by=coordinator)
    with pytest.raises(ServiceError, match="exclusion"):
        services.match_add(program=s["program"], adept=adept, mentor=excluded, by=coordinator)
    waiting = s["person"](Role.ADEPT, s["ki"], [], status=Application.Status.SUBMITTED)
    with pytest.raises(ServiceError, match="accepted"):
        services.match_add(program=s["program"], adept=waiting, mentor=excluded, by=coordinator)
    assert not Match.objects.exists()


def test_a_mentor_is_never_given_more_adepts_than_their_capacity(coordinator, setup):
    s = setup
    mentor = s["person"](Role.MENTOR, s["su"], [s["budget"]], mentor_capacity=1)
    first = s["person"](Role.ADEPT, s["kth"], [s["budget"]])
    second = s["person"](Role.ADEPT, s["ki"], [s["budget"]])
    services.match_add(program=s["program"], adept=first, mentor=mentor, by=coordinator)
    with pytest.raises(ServiceError, match="no place left"):
        services.match_add(program=s["program"], adept=second, mentor=mentor, by=coordinator)
    with pytest.raises(ServiceError, match="already has a match"):
        services.match_add(program=s["program"], adept=first, mentor=mentor, by=coordinator)


def test_publishing_twice_introduces_each_person_once_in_their_language(
    coordinator, setup, django_capture_on_commit_callbacks
):
    s = setup
    adept = s["person"](Role.ADEPT, s["kth"], [s["budget"]], applicant=UserFactory(language="da"))
    mentor = s["person"](Role.MENTOR, s["su"], [s["budget"]])
    services.matching_start(program=s["program"], by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.matches_publish(program=s["program"], by=coordinator) == 1
        assert services.matches_publish(program=s["program"], by=coordinator) == 0
    notifications_deliver()
    notifications_deliver()
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == 2
    to_adept = by_recipient[adept.applicant.email]
    to_mentor = by_recipient[mentor.applicant.email]
    assert to_adept.extra_headers["Content-Language"] == "da"
    assert mentor.applicant.full_name in to_adept.body and mentor.applicant.email in to_adept.body
    assert "SU" in to_adept.body
    assert adept.applicant.full_name in to_mentor.body
    assert "you book the first meeting" in to_mentor.body
    match = Match.objects.get()
    assert match.status == Match.Status.PUBLISHED
    # Both are sent to the pair's own page, not the public program page, and told who reads
    # what they write.
    page = reverse("meetings:mentorship", args=[match.pk])
    for message in (to_adept, to_mentor):
        html = message.alternatives[0][0]
        assert page in message.body and page in html
        assert s["program"].get_absolute_url() not in message.body
    assert "only you two can read" in to_mentor.body
    assert "never what was said" in to_mentor.alternatives[0][0]


def test_a_rematch_request_reaches_the_coordinator_and_ending_creates_an_exclusion(
    client, coordinator, setup
):
    s = setup
    adept = s["person"](Role.ADEPT, s["kth"], [s["budget"]])
    mentor = s["person"](Role.MENTOR, s["su"], [s["budget"]])
    services.matching_start(program=s["program"], by=coordinator)
    services.matches_publish(program=s["program"], by=coordinator)
    match = Match.objects.get()

    client.force_login(adept.applicant)
    url = reverse("matching:rematch", args=[match.pk])
    response = client.post(url, {"reason": "HEMLIG-ORSAK: vi möts aldrig"}, follow=True)
    assert "sent to the coordinators" in response.content.decode()
    assert RematchRequest.objects.get().reason == "HEMLIG-ORSAK: vi möts aldrig"

    # The mentor never sees the reason.
    client.force_login(mentor.applicant)
    assert "HEMLIG-ORSAK" not in client.get(mentor.get_absolute_url()).content.decode()

    client.force_login(coordinator)
    review = reverse("matching:review", args=["larosaten"])
    assert "HEMLIG-ORSAK" in client.get(review).content.decode()
    end = reverse("matching:end", args=["larosaten"])
    client.post(end, {"match": match.pk, "reason": "Fungerade inte"})
    match.refresh_from_db()
    assert match.status == Match.Status.ENDED
    assert Exclusion.objects.filter(adept=adept.applicant, mentor=mentor.applicant).exists()
    assert RematchRequest.objects.get().handled_at is not None

    # The coordinator heard of the request at once, and both people of the ending, without
    # the reason.
    notifications_deliver()
    to = {(m.to[0], m.subject): m for m in mail.outbox}
    request_mail = next(m for (who, _s), m in to.items() if who == coordinator.email)
    assert "new match" in request_mail.subject
    assert adept.applicant.full_name in request_mail.body
    assert "HEMLIG-ORSAK" not in request_mail.body
    assert review in request_mail.body
    ended = [m for m in mail.outbox if "has ended" in m.subject]
    assert sorted(m.to[0] for m in ended) == sorted([adept.applicant.email, mentor.applicant.email])
    assert all("Fungerade inte" not in m.body for m in ended)
    assert (
        mentor.applicant.full_name in next(m for m in ended if m.to == [adept.applicant.email]).body
    )

    # Matching again never puts them back together.
    run = services.matching_start(program=s["program"], by=coordinator)
    assert run.pairs == 0
    assert run.unmatched_adepts[0]["reason"] == "no_allowed"


def test_participants_see_published_matches_only(client, coordinator, setup):
    s = setup
    adept = s["person"](Role.ADEPT, s["kth"], [s["budget"]])
    mentor = s["person"](Role.MENTOR, s["su"], [s["budget"]])
    services.matching_start(program=s["program"], by=coordinator)
    s["program"].applications_open_at = s["program"].applications_open_at.replace(year=2000)
    s["program"].applications_close_at = s["program"].applications_close_at.replace(year=2001)
    s["program"].save()
    client.force_login(adept.applicant)
    page = client.get(adept.get_absolute_url()).content.decode()
    assert mentor.applicant.full_name not in page  # a proposal is not shown
    assert client.get(reverse("matching:review", args=["larosaten"])).status_code == 404
    services.matches_publish(program=s["program"], by=coordinator)
    page = client.get(adept.get_absolute_url()).content.decode()
    assert mentor.applicant.full_name in page
    assert mentor.applicant.email in page


def test_a_large_program_is_matched_by_the_task(coordinator, setup, monkeypatch):
    s = setup
    s["person"](Role.ADEPT, s["kth"], [s["budget"]])
    s["person"](Role.MENTOR, s["su"], [s["budget"]])
    monkeypatch.setattr(services, "ASYNC_THRESHOLD", 1)
    run = services.matching_start(program=s["program"], by=coordinator)
    assert run.status == MatchingRun.Status.PENDING
    run_matching(run.pk)  # what the worker does with the task
    run.refresh_from_db()
    assert run.status == MatchingRun.Status.DONE
    assert run.pairs == 1
    run_matching(run.pk)  # a redelivered task does nothing
    assert Match.objects.count() == 1


def test_the_review_shows_progress_while_a_run_is_pending(client, coordinator, setup):
    MatchingRun.objects.create(program=setup["program"], created_by=coordinator, progress=30)
    client.force_login(coordinator)
    html = client.get(reverse("matching:review", args=["larosaten"])).content.decode()
    assert 'id="run-progress"' in html  # followed without reloading (see below)
    assert 'aria-valuenow="30"' in html


def test_the_unmatched_go_to_the_waiting_list_and_the_mentor_bank(client, coordinator, setup):
    s = setup
    adept = s["person"](Role.ADEPT, s["kth"], [s["budget"]])
    lonely = s["person"](Role.ADEPT, s["su"], [s["change"]])
    mentor = s["person"](Role.MENTOR, s["su"], [s["budget"]], mentor_capacity=1)
    spare = s["person"](Role.MENTOR, s["ki"], [], mentor_capacity=1)
    s["program"].matching_min_score = 60
    s["program"].save()
    services.matching_start(program=s["program"], by=coordinator)
    client.force_login(coordinator)
    client.post(reverse("matching:waitlist_adepts", args=["larosaten"]))
    client.post(reverse("matching:bank_mentors", args=["larosaten"]))
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses[lonely.pk] == Application.Status.WAITLISTED
    assert statuses[spare.pk] == Application.Status.BANKED
    assert statuses[adept.pk] == statuses[mentor.pk] == ACCEPTED


def test_the_review_runs_the_same_queries_for_20_and_200_pairs(client, coordinator, setup):
    s = setup

    def make(count):
        for _ in range(count):
            adept = s["person"](Role.ADEPT, s["kth"], [s["budget"], s["change"]])
            mentor = s["person"](Role.MENTOR, s["su"], [s["budget"]], mentor_capacity=1)
            Match.objects.create(program=s["program"], adept=adept, mentor=mentor, score=50)

    client.force_login(coordinator)
    url = reverse("matching:review", args=["larosaten"])
    make(20)
    client.get(url)  # the first request of a session records the session once
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    make(180)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["proposed"]) == 200
    assert len(many) == len(few)


def test_another_programs_coordinator_cannot_act_on_the_review(client, other_coordinator, setup):
    client.force_login(other_coordinator)
    for action in ("publish", "run", "bank_mentors"):
        url = reverse(f"matching:{action}", args=["larosaten"])
        assert client.post(url).status_code == 404
    assert client.get(reverse("matching:review", args=["larosaten"])).status_code == 404
    assert not Notification.objects.exists()


def test_closing_a_program_completes_its_running_pairs_once(coordinator, program):
    adepts = [ApplicationFactory(program=program, status="accepted") for _ in range(3)]
    mentor = ApplicationFactory(program=program, role=Role.MENTOR, status="accepted")
    running, ended, proposed = (
        Match.objects.create(program=program, adept=adepts[0], mentor=mentor, status="published"),
        Match.objects.create(program=program, adept=adepts[1], mentor=mentor, status="ended"),
        Match.objects.create(program=program, adept=adepts[2], mentor=mentor, status="proposed"),
    )
    assert services.matches_complete(program=program, by=coordinator) == 1
    running.refresh_from_db()
    ended.refresh_from_db()
    assert running.status == Match.Status.COMPLETED and running.ended_at is not None
    assert ended.status == Match.Status.ENDED
    assert not Match.objects.filter(pk=proposed.pk).exists()
    assert services.matches_complete(program=program, by=coordinator) == 0


def test_a_closed_programs_pairs_get_one_closing_email_and_their_planned_meetings_close(
    client, coordinator, program
):
    import datetime

    from django.utils import timezone

    from meetings.models import Meeting
    from meetings.services import meetings_close

    today = timezone.localdate()
    program.starts_on, program.ends_on = today - datetime.timedelta(days=300), today
    program.save()
    adept = ApplicationFactory(
        program=program, status="accepted", applicant=UserFactory(language="da")
    )
    mentor = ApplicationFactory(program=program, role=Role.MENTOR, status="accepted")
    match = Match.objects.create(program=program, adept=adept, mentor=mentor, status="published")
    planned = Meeting.objects.create(
        match=match, starts_at=timezone.now() + datetime.timedelta(hours=2)
    )
    services.matches_complete(program=program, by=coordinator)
    assert meetings_close(program=program) == 1
    services.matches_complete(program=program, by=coordinator)  # twice: nothing more
    planned.refresh_from_db()
    assert planned.status == Meeting.Status.CANCELLED

    notifications_deliver()
    closing = {m.to[0]: m for m in mail.outbox}
    assert sorted(closing) == sorted([adept.applicant.email, mentor.applicant.email])
    to_adept = closing[adept.applicant.email]
    assert to_adept.extra_headers["Content-Language"] == "da"
    assert program.name in to_adept.subject
    kept = program.personal_data_kept_until
    assert kept.year * 12 + kept.month == today.year * 12 + today.month + program.retention_months
    assert reverse("meetings:mentorship", args=[match.pk]) in to_adept.body

    # The pair's page says it has ended, and nothing about being on track this month.
    client.force_login(mentor.applicant)
    page = client.get(reverse("meetings:mentorship", args=[match.pk])).content.decode()
    assert "has ended" in page
    assert "on track" not in page.lower()


def test_a_swap_below_the_minimum_score_is_kept_with_a_warning_that_says_the_score(
    client, coordinator, setup
):
    s = setup
    program = s["program"]
    pairs = []
    for organization in (s["kth"], s["su"]):
        adept = s["person"](Role.ADEPT, organization, [s["budget"]])
        mentor = s["person"](Role.MENTOR, s["ki"], [s["change"]])
        pairs.append(Match.objects.create(program=program, adept=adept, mentor=mentor))
    type(program).objects.filter(pk=program.pk).update(matching_min_score=95)
    client.force_login(coordinator)
    swap = reverse("matching:swap", args=[program.slug])
    page = client.post(
        swap, {"match": pairs[0].pk, "other": pairs[1].pk}, follow=True
    ).content.decode()
    assert "The mentors are swapped" in page
    pairs[0].refresh_from_db()
    assert f"score {pairs[0].score:.0f}, below the program&#x27;s minimum of 95" in page


def test_a_wish_counts_only_for_whole_words_of_full_names_and_says_whose(coordinator, setup):
    """ "KI" inside "skicklig" is no wish for Karolinska Institutet; a wish that names a full
    name is, and the explanation says whose wish and which words."""
    from matching.explain import explain
    from programs.models import Organization

    s = setup
    Organization.objects.filter(pk=s["ki"].pk).update(name="Karolinska Institutet", short_name="KI")
    skilled = s["person"](
        Role.ADEPT, s["kth"], [s["budget"]], wishes="En skicklig mentor som vågar utmana mig"
    )
    named = s["person"](
        Role.ADEPT, s["su"], [s["budget"]], wishes="Gärna någon från Karolinska institutet."
    )
    mentor = s["person"](Role.MENTOR, s["ki"], [s["budget"]], mentor_capacity=2)
    services.matching_start(program=s["program"], by=coordinator)
    pairs = {
        m.adept_id: m
        for m in Match.objects.filter(mentor=mentor).select_related(
            "adept__organization", "mentor__organization", "program"
        )
    }
    assert pairs[skilled.pk].components["wishes"] == 0
    assert pairs[named.pk].components["wishes"] > 0
    lines = explain(pairs[named.pk])
    assert any("The adept wishes for" in line and "Karolinska Institutet" in line for line in lines)
    assert not any("wishes for" in line for line in explain(pairs[skilled.pk]))


def test_counts_in_messages_use_the_plural_forms_of_the_language(client, coordinator, setup):
    s = setup
    program = s["program"]
    program.mentor_bank = True
    program.save(update_fields=["mentor_bank"])
    s["person"](Role.MENTOR, s["su"], [s["budget"]], consent_bank_at=program.created_at)
    services.matching_start(program=program, by=coordinator)
    coordinator.language = "sv"
    coordinator.save(update_fields=["language"])
    client.force_login(coordinator)
    page = client.post(
        reverse("matching:bank_mentors", args=[program.slug]), follow=True
    ).content.decode()
    assert "1 mentor utan match flyttad till mentorbanken." in page


def _remove(match, by):
    services.match_remove(match=match, by=by)


def _lock(match, by):
    services.match_set_locked(match=match, locked=True, by=by)


def _end(match, by):
    services.match_end(match=match, by=by, reason="Två flikar")


@pytest.mark.parametrize(
    ("act", "seen", "meanwhile"),
    [(_remove, "proposed", "published"), (_lock, "proposed", "published"),
     (_end, "published", "ended")],
    ids=["remove", "lock", "end"],
)  # fmt: skip
def test_a_pair_changed_in_another_tab_is_not_changed_from_a_stale_page(
    coordinator, act, seen, meanwhile
):
    """Compare and swap: the state the page was drawn from is checked in the update itself."""
    program = ProgramFactory()
    adept = ApplicationFactory(program=program, status="accepted")
    mentor = ApplicationFactory(program=program, role=Role.MENTOR, status="accepted")
    match = Match.objects.create(program=program, adept=adept, mentor=mentor, status=seen)
    stale = Match.objects.select_related("program").get(pk=match.pk)
    Match.objects.filter(pk=match.pk).update(status=meanwhile)
    with pytest.raises(ServiceError):
        act(stale, coordinator)
    match.refresh_from_db()
    assert (match.status, match.locked, match.end_reason) == (meanwhile, False, "")
    assert not Exclusion.objects.exists()


def test_a_run_in_progress_is_followed_without_reloading_the_page(client, coordinator, setup):
    """A meta refresh every 3 s moved the reader's focus to the top (WCAG 2.2.1, F41)."""
    program = setup["program"]
    run = MatchingRun.objects.create(
        program=program, created_by=coordinator, status=MatchingRun.Status.RUNNING, progress=40
    )
    client.force_login(coordinator)
    html = client.get(reverse("matching:review", args=[program.slug])).content.decode()
    assert 'http-equiv="refresh"' not in html
    status_url = reverse("matching:run_status", args=[program.slug])
    assert f'data-status-url="{status_url}"' in html
    assert 'role="status" aria-live="polite"' in html
    assert client.get(status_url).json() == {
        "status": "running",
        "label": "Running",
        "progress": 40,
        "in_progress": True,
    }
    MatchingRun.objects.filter(pk=run.pk).update(status=MatchingRun.Status.DONE, progress=100)
    assert client.get(status_url).json()["in_progress"] is False


def test_the_run_status_and_a_review_action_run_a_fixed_number_of_queries(
    client, coordinator, setup, django_assert_max_num_queries
):
    program = setup["program"]
    MatchingRun.objects.create(program=program, created_by=coordinator, status="running")
    adept = setup["person"](Role.ADEPT, setup["kth"], [setup["budget"]])
    mentor = setup["person"](Role.MENTOR, setup["su"], [setup["budget"]], mentor_capacity=1)
    match = Match.objects.create(program=program, adept=adept, mentor=mentor, score=50)
    client.force_login(coordinator)
    client.get(reverse("matching:review", args=[program.slug]))  # the session's first request
    with django_assert_max_num_queries(13):
        assert client.get(reverse("matching:run_status", args=[program.slug])).status_code == 200
    with django_assert_max_num_queries(17):
        response = client.post(reverse("matching:lock", args=[program.slug]), {"match": match.pk})
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.locked


def test_publishing_asks_for_a_confirmation_before_anyone_is_e_mailed(client, coordinator, setup):
    s = setup
    s["person"](Role.ADEPT, s["kth"], [s["budget"]])
    s["person"](Role.MENTOR, s["su"], [s["budget"]])
    services.matching_start(program=s["program"], by=coordinator)
    client.force_login(coordinator)
    url = reverse("matching:publish", args=["larosaten"])
    response = client.post(url, follow=True)
    assert "Nothing was published" in response.content.decode()
    assert Match.objects.get(program=s["program"]).status == Match.Status.PROPOSED
    assert not Notification.objects.filter(kind="introduction").exists()
    client.post(url, {"confirm": "yes"})
    assert Match.objects.get(program=s["program"]).status == Match.Status.PUBLISHED
    assert Notification.objects.filter(kind="introduction").count() == 2


def test_the_reason_names_the_units_under_the_same_parent_when_the_rule_does(
    client, coordinator, setup
):
    from programs.models import Program
    from programs.tests.factories import unit_named

    s = setup
    school = unit_named(s["kth"], "Skolan")
    team = unit_named(s["kth"], "Ledningsgruppen", parent=school)
    s["program"].pairing_rule = Program.PairingRule.DIFFERENT_UNIT_GROUP
    s["program"].save()
    adept = s["person"](Role.ADEPT, s["kth"], [s["budget"]])
    mentor = s["person"](Role.MENTOR, s["kth"], [s["budget"]])
    adept.unit, mentor.unit = team, school
    adept.save()
    mentor.save()
    assert services.matching_start(program=s["program"], by=coordinator).pairs == 0
    client.force_login(coordinator)
    html = client.get(reverse("matching:review", args=["larosaten"])).content.decode()
    assert "(same unit or units under the same parent: 1)." in html
