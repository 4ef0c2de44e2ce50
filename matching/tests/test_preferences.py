"""The preference round (issue 19): each accepted adept ranks a shortlist of the mentors the
engine finds best for them, may mark a "rather not" and name a mentor they wish for; the run
honours ranks as a score component and "rather not" as a hard rule, over the whole cohort, and
reports how many got their first choice."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.privacy import erase, user_data
from accounts.tests.factories import UserFactory
from matching import preferences, services
from matching.models import Match, Preference
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
DAY = datetime.timedelta(days=1)


@pytest.fixture
def round_(coordinator):
    """Seed 002: four universities, mentors from another one than the adept's."""
    kth, su, ki, uu = (OrganizationFactory(name=n) for n in ("KTH", "SU", "KI", "UU"))
    budget, change = FocusAreaFactory(name_en="Budget"), FocusAreaFactory(name_en="Change")
    now = timezone.now()
    program = ProgramFactory(
        slug="larosaten", name="Mentorprogram för lärosäten", organizations=[kth, su, ki, uu],
        preferences_open_at=now - DAY, preferences_close_at=now + 5 * DAY, shortlist_size=3,
        matching_min_score=0,
    )  # fmt: skip
    program.coordinators.add(coordinator)
    program.focus_areas.set([budget, change])

    def person(role, organization, areas, name, **extra):
        application = ApplicationFactory(
            program=program, role=role, organization=organization, status=ACCEPTED,
            applicant=UserFactory(full_name=name, language="en"), **extra,
        )  # fmt: skip
        application.focus_areas.set(areas)
        return application

    adept = person(Role.ADEPT, kth, [budget, change], "Alva Adept")
    other = person(Role.ADEPT, su, [budget], "Olle Adept")
    best = person(Role.MENTOR, su, [budget, change], "Berit Best")
    good = person(Role.MENTOR, ki, [budget], "Gustav Good")
    fair = person(Role.MENTOR, uu, [change], "Fia Fair")
    same = person(Role.MENTOR, kth, [budget, change], "Sam Same")  # the adept's university
    return locals() | {"program": program}


def post(client, program, data):
    return client.post(reverse("matching:preferences", args=[program.slug]), data, follow=True)


def test_the_adept_ranks_a_shortlist_that_keeps_the_rules_and_hides_nothing_else(client, round_):
    program, adept = round_["program"], round_["adept"]
    client.force_login(adept.applicant)
    page = client.get(reverse("matching:preferences", args=[program.slug]))
    listed = [c.application for c in preferences.shortlist(adept)]
    # The three best by score, never the mentor from her own university; best first.
    assert listed[0] == round_["best"] and round_["same"] not in listed and len(listed) == 3
    html = page.content.decode()
    assert "Berit Best" in html and "Sam Same" not in html
    assert '<dd class="col-sm-8">SU</dd>' in html  # Berit's university, not blind here
    assert adept.letter not in html  # a letter is never on a shortlist

    best, good, fair = round_["best"], round_["good"], round_["fair"]
    # The same rank twice, or a rank and a "rather not" for one person: said, nothing saved.
    response = post(client, program, {f"rank_{best.pk}": "1", f"rank_{good.pk}": "1"})
    assert "Each rank once: 1 is given twice." in response.content.decode()
    response = post(client, program, {f"rank_{best.pk}": "1", f"rather_not_{best.pk}": "on"})
    assert "cannot also be a “rather not”" in response.content.decode()
    assert not Preference.objects.exists()

    response = post(
        client, program,
        {f"rank_{fair.pk}": "1", f"rank_{best.pk}": "2", f"rather_not_{good.pk}": "on",
         "presentation": "Jag vill lära mig leda förändring."},
    )  # fmt: skip
    assert "Your preferences are saved" in response.content.decode()
    given = {(p.candidate_id, p.rank, p.rather_not) for p in Preference.objects.all()}
    assert given == {(fair.pk, 1, False), (best.pk, 2, False), (good.pk, None, True)}
    adept.refresh_from_db()
    assert adept.preferences_at and adept.presentation == "Jag vill lära mig leda förändring."

    # Blind: the shortlist shows what the candidates bring, not who they are.
    program.blind_shortlist = True
    program.save()
    html = client.get(reverse("matching:preferences", args=[program.slug])).content.decode()
    assert "Rank for candidate 1" in html and "Rank for Berit Best" not in html
    assert '<dd class="col-sm-8">SU</dd>' not in html  # nor their organisation

    # Closed: the page says so and takes nothing.
    program.preferences_close_at = timezone.now() - DAY
    program.preferences_open_at = timezone.now() - 2 * DAY
    program.save()
    response = post(client, program, {f"rank_{good.pk}": "1"})
    assert "The preference round is closed" in response.content.decode()
    assert not Preference.objects.filter(candidate=good, rank=1).exists()
    # A mentor does not rank in this program; someone not in it finds nothing.
    client.force_login(best.applicant)
    assert client.get(reverse("matching:preferences", args=[program.slug])).status_code == 404


def test_the_run_honours_first_choices_and_never_a_rather_not(coordinator, round_):
    program, adept, other = round_["program"], round_["adept"], round_["other"]
    best, good, fair = round_["best"], round_["good"], round_["fair"]
    # Without ranks, Alva gets the best-scoring mentor.
    services.matching_start(program=program, by=coordinator)
    assert Match.objects.get(adept=adept).mentor == best
    # She ranks Fia first and would rather not have Berit; Olle ranks Gustav first.
    preferences.preferences_save(
        application=adept, user=adept.applicant, ranks={fair.pk: 1},
        rather_not={best.pk}, allowed={best.pk, good.pk, fair.pk},
    )  # fmt: skip
    preferences.preferences_save(
        application=other, user=other.applicant, ranks={good.pk: 1},
        rather_not=set(), allowed={c.application.pk for c in preferences.shortlist(other)},
    )  # fmt: skip
    run = services.matching_start(program=program, by=coordinator)
    pairs = {m.adept_id: m.mentor_id for m in Match.objects.filter(status="proposed")}
    assert pairs == {adept.pk: fair.pk, other.pk: good.pk}
    run.refresh_from_db()
    report = run.preference_report
    figures = {"answered": 2, "first": 100.0, "top3": 100.0, "unranked": 0.0, "blocking_pairs": 0}
    assert {key: report[key] for key in figures} == figures
    # Beside it, the stable assignment of the same people (here the same pairs).
    assert {key: report["stable"][key] for key in figures} == figures
    assert report["stable"]["total"] <= report["total"] and report["pairs"] == 2


def test_a_named_mentor_counts_as_the_first_choice_where_the_rules_allow(coordinator, round_):
    program, adept = round_["program"], round_["adept"]
    wishable = {m.pk for m in preferences.wishable_mentors(adept)}
    assert round_["same"].pk not in wishable and round_["fair"].pk in wishable
    with pytest.raises(ServiceError, match="rules allow"):
        preferences.preferences_save(
            application=adept, user=adept.applicant, ranks={}, rather_not=set(),
            named=round_["same"].pk, allowed=set(), wishable=wishable,
        )  # fmt: skip
    preferences.preferences_save(
        application=adept, user=adept.applicant, ranks={round_["best"].pk: 1},
        rather_not=set(), named=round_["fair"].pk, allowed={round_["best"].pk},
        wishable=wishable,
    )  # fmt: skip
    ranks = dict(Preference.objects.values_list("candidate_id", "rank"))
    assert ranks == {round_["fair"].pk: 1, round_["best"].pk: 2}
    services.matching_start(program=program, by=coordinator)
    assert Match.objects.get(adept=adept).mentor == round_["fair"]


def test_the_round_invites_once_and_reminds_once_those_who_have_not_answered(
    round_, django_capture_on_commit_callbacks
):
    program, adept, other = round_["program"], round_["adept"], round_["other"]
    now = timezone.now()
    assert preferences.plan_preference_round(now=now) == 2
    assert preferences.plan_preference_round(now=now) == 0
    preferences.preferences_save(
        application=adept, user=adept.applicant, ranks={round_["best"].pk: 1},
        rather_not=set(), allowed={round_["best"].pk},
    )  # fmt: skip
    later = program.preferences_close_at - DAY
    assert preferences.plan_preference_round(now=later) == 1
    assert preferences.plan_preference_round(now=later) == 0
    notifications_deliver()
    subjects = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert subjects == sorted(
        [
            (adept.applicant.email, "Rank your shortlist in Mentorprogram för lärosäten"),
            (other.applicant.email, "Rank your shortlist in Mentorprogram för lärosäten"),
            (other.applicant.email, "Reminder: rank your shortlist in Mentorprogram för lärosäten"),
        ]
    )
    assert all("/programs/larosaten/preferences/" in m.body for m in mail.outbox)
    assert Notification.objects.filter(kind="preference_reminder").count() == 1


def test_the_review_explains_the_ranks_and_shows_the_shares(client, coordinator, round_):
    program, adept, fair = round_["program"], round_["adept"], round_["fair"]
    preferences.preferences_save(
        application=adept, user=adept.applicant, ranks={fair.pk: 1}, rather_not=set(),
        allowed={fair.pk},
    )  # fmt: skip
    services.matching_start(program=program, by=coordinator)
    client.force_login(coordinator)
    html = client.get(reverse("matching:review", args=[program.slug])).content.decode()
    assert "The adept ranked this mentor as number 1." in html
    assert "1 adept gave their preferences" in html and "100.0 % got their first choice" in html
    assert "beside a stable assignment" in html


def test_the_shortlist_page_runs_the_same_queries_for_few_and_many_mentors(
    client, round_, django_assert_max_num_queries
):
    program, adept = round_["program"], round_["adept"]
    client.force_login(adept.applicant)
    url = reverse("matching:preferences", args=[program.slug])
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for _n in range(20):
        application = ApplicationFactory(
            program=program, role=Role.MENTOR, status=ACCEPTED, organization=round_["ki"]
        )
        application.focus_areas.set([round_["budget"]])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_preferences_are_the_persons_data_and_go_with_them(round_):
    adept = round_["adept"]
    preferences.preferences_save(
        application=adept, user=adept.applicant, ranks={round_["best"].pk: 1},
        rather_not={round_["good"].pk}, allowed={round_["best"].pk, round_["good"].pk},
    )  # fmt: skip
    exported = user_data(adept.applicant)["preferences"]
    assert {(row["candidate"], row["rank"]) for row in exported} == {
        (round_["best"].pk, 1),
        (round_["good"].pk, None),
    }
    erase(round_["best"].applicant, timezone.now())  # ranked by others: goes with them too
    assert set(Preference.objects.values_list("candidate_id", flat=True)) == {round_["good"].pk}
    erase(adept.applicant, timezone.now())
    assert not Preference.objects.exists()


def test_a_pair_by_hand_keeps_the_rather_not_and_scores_the_ranks(coordinator, round_):
    program, adept = round_["program"], round_["adept"]
    best, fair = round_["best"], round_["fair"]
    preferences.preferences_save(
        application=adept, user=adept.applicant, ranks={fair.pk: 1}, rather_not={best.pk},
        allowed={best.pk, fair.pk},
    )  # fmt: skip
    with pytest.raises(ServiceError, match="rather not"):
        services.match_add(program=program, adept=adept, mentor=best, by=coordinator)
    match = services.match_add(program=program, adept=adept, mentor=fair, by=coordinator)
    assert match.components["preference"] == 1.0  # her first choice, as the run scores it


def test_someone_excluded_is_never_on_the_shortlist(round_):
    from matching.models import Exclusion

    adept, best = round_["adept"], round_["best"]
    Exclusion.objects.create(adept=adept.applicant, mentor=best.applicant)
    assert best not in [c.application for c in preferences.shortlist(adept)]
    assert best not in preferences.wishable_mentors(adept)
    # Nor, for a mentor who ranks, is the adept on hers.
    round_["program"].mentors_rank = True
    round_["program"].save()
    best.refresh_from_db()
    assert adept not in [c.application for c in preferences.shortlist(best)]
