"""Coordinators for one organisation of a network (issue 17): each organisation's HR contact
sees and decides their organisation's applications and follows its pairs; the program's lead
coordinators see all of it, and the settings, matching and publishing stay with them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import UserFactory
from matching.models import Match
from notifications.services import notifications_deliver
from programs import services
from programs.models import Application, OrganizationCoordinator, Program, Role
from programs.tests.factories import ApplicationFactory, OrganizationFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(coordinator):
    """Seed 003's shape: one program, several employers, each with its own HR contact."""
    town = OrganizationFactory(name="Kungsbacka kommun")
    agency = OrganizationFactory(name="Länsstyrelsen Halland")
    program = ProgramFactory(slug="natverket", owner=town, organizations=[town, agency])
    program.coordinators.add(coordinator)
    hr = UserFactory(email="hr@lansstyrelsen.example", full_name="Hanna HR", is_staff=True)
    OrganizationCoordinator.objects.create(program=program, organization=agency, user=hr)
    ours = ApplicationFactory(program=program, organization=agency)
    theirs = ApplicationFactory(program=program, organization=town)
    our_mentor = ApplicationFactory(program=program, organization=town, role=Role.MENTOR)
    return {
        "program": program,
        "town": town,
        "agency": agency,
        "hr": hr,
        "ours": ours,
        "theirs": theirs,
        "our_mentor": our_mentor,
    }


def change_url(application):
    return reverse("admin:programs_application_change", args=[application.pk])


def test_the_organisations_coordinator_sees_its_applications_and_no_others(client, network):
    client.force_login(network["hr"])
    page = client.get(reverse("admin:programs_application_changelist")).content.decode()
    assert network["ours"].applicant.email in page
    assert network["theirs"].applicant.email not in page
    page_of_ours = client.get(change_url(network["ours"])).content.decode()
    # The program is named, not linked: its settings are the leads' (a link would be a 404).
    settings_url = reverse("admin:programs_program_change", args=[network["program"].pk])
    assert network["program"].name in page_of_ours and settings_url not in page_of_ours
    # Another organisation's application in the same program is not there at all.
    assert client.get(change_url(network["theirs"])).status_code == 404
    # The filters offer their program and organisation only.
    assert "Länsstyrelsen Halland" in page
    assert 'title="Kungsbacka kommun"' not in page


def test_the_lead_coordinator_still_sees_every_organisation(client, coordinator, network):
    client.force_login(coordinator)
    page = client.get(reverse("admin:programs_application_changelist")).content.decode()
    assert network["ours"].applicant.email in page
    assert network["theirs"].applicant.email in page
    settings_url = reverse("admin:programs_program_change", args=[network["program"].pk])
    assert settings_url in client.get(change_url(network["ours"])).content.decode()


def test_the_organisations_coordinator_decides_its_own_applications_only(client, network):
    client.force_login(network["hr"])
    response = client.post(
        reverse("admin:programs_application_changelist"),
        {
            "action": "accept",
            "_selected_action": [network["ours"].pk, network["theirs"].pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    network["ours"].refresh_from_db()
    network["theirs"].refresh_from_db()
    assert network["ours"].status == Application.Status.ACCEPTED
    assert network["ours"].decided_by == network["hr"]
    assert network["theirs"].status == Application.Status.SUBMITTED


def test_settings_matching_and_results_stay_with_the_leads(client, network):
    program = network["program"]
    client.force_login(network["hr"])
    assert (
        client.get(reverse("admin:programs_program_change", args=[program.pk])).status_code == 404
    )
    assert client.get(reverse("matching:review", args=[program.slug])).status_code == 404
    assert client.post(reverse("matching:publish", args=[program.slug])).status_code == 404
    assert client.get(reverse("evaluations:dashboard", args=[program.slug])).status_code == 404
    programs = client.get(reverse("admin:programs_program_changelist")).content.decode()
    assert program.name not in programs


def test_the_organisations_coordinator_follows_its_published_pairs_only(client, network):
    program = network["program"]
    published = Match.objects.create(
        program=program,
        adept=network["ours"],
        mentor=network["our_mentor"],
        status=Match.Status.PUBLISHED,
    )
    other_mentor = ApplicationFactory(program=program, organization=network["town"], role="mentor")
    proposed = Match.objects.create(
        program=program,
        adept=ApplicationFactory(program=program, organization=network["agency"]),
        mentor=other_mentor,
        status=Match.Status.PROPOSED,
    )
    elsewhere = Match.objects.create(
        program=program,
        adept=network["theirs"],
        mentor=ApplicationFactory(program=program, organization=network["town"], role="mentor"),
        status=Match.Status.PUBLISHED,
    )
    hr = network["hr"]
    assert list(Match.objects.for_coordinator(hr)) == [published]
    client.force_login(hr)
    for name in ("admin:matching_match_change", "admin:meetings_pairactivity_change"):
        assert client.get(reverse(name, args=[published.pk])).status_code == 200
        # A proposal is the leads' until they publish it; another organisation's pair is not
        # theirs to follow.
        assert client.get(reverse(name, args=[proposed.pk])).status_code == 404
        assert client.get(reverse(name, args=[elsewhere.pk])).status_code == 404
    activity = client.get(reverse("admin:meetings_pairactivity_changelist")).content.decode()
    assert network["ours"].applicant.full_name in activity
    assert network["theirs"].applicant.full_name not in activity
    # A mentor from the agency brings the pair in too: either side counts.
    mentoring = Match.objects.create(
        program=program,
        adept=ApplicationFactory(program=program, organization=network["town"]),
        mentor=ApplicationFactory(program=program, organization=network["agency"], role="mentor"),
        status=Match.Status.PUBLISHED,
    )
    assert set(Match.objects.for_coordinator(hr)) == {published, mentoring}


def test_a_pair_is_listed_once_whoever_coordinates_it(client, coordinator, network):
    """Two lead coordinators and a role on both sides of the pair: still one row each."""
    program = network["program"]
    program.coordinators.add(UserFactory(is_staff=True))
    OrganizationCoordinator.objects.create(
        program=program, organization=network["town"], user=network["hr"]
    )
    Match.objects.create(
        program=program,
        adept=network["ours"],
        mentor=network["our_mentor"],
        status=Match.Status.PUBLISHED,
    )
    assert Match.objects.for_coordinator(network["hr"]).count() == 1
    assert Match.objects.for_coordinator(coordinator).count() == 1
    assert Application.objects.for_coordinator(network["hr"]).count() == 3


def test_the_lead_invites_an_organisations_coordinator_who_is_told_what_comes(
    client, coordinator, network
):
    from programs.tests.test_admin import program_form_data

    program = network["program"]
    client.force_login(coordinator)
    data = program_form_data(
        network["town"],
        name=program.name,
        slug=program.slug,
        organizations=[network["town"].pk, network["agency"].pk],
        invite_coordinator="Personal@Kungsbacka.example",
        invite_organization=network["town"].pk,
        status="open",
        **{"milestones-TOTAL_FORMS": 0},
    )
    response = client.post(
        reverse("admin:programs_program_change", args=[program.pk]), data, follow=True
    )
    page = response.content.decode()
    assert "now coordinates Kungsbacka kommun in this program" in page, page[:3000]
    role = OrganizationCoordinator.objects.get(user__email__iexact="personal@kungsbacka.example")
    assert role.organization == network["town"] and role.program == program
    assert not program.coordinators.filter(pk=role.user_id).exists()
    assert role.user.is_staff and not role.user.has_usable_password()
    # The role is listed on the program's page, with a way to remove it.
    page = client.get(reverse("admin:programs_program_change", args=[program.pk])).content
    assert b"Personal@kungsbacka.example" in page
    assert b"organization_coordinators-0-DELETE" in page

    notifications_deliver()
    (message,) = mail.outbox
    assert message.to == [role.user.email]
    assert "Kungsbacka kommun" in message.subject
    assert "password" in message.body and "second factor" in message.body
    assert f"/admin/programs/application/?program={program.pk}" in message.body

    # Invited again: nothing changes and no second e-mail.
    services.coordinator_invite(
        program=program, email="personal@kungsbacka.example", by=coordinator,
        organization=network["town"],
    )  # fmt: skip
    notifications_deliver()
    assert len(mail.outbox) == 1
    assert OrganizationCoordinator.objects.filter(user=role.user).count() == 1


def test_an_organisation_outside_the_program_cannot_be_given_a_coordinator(coordinator, network):
    from mentorship.errors import ServiceError

    with pytest.raises(ServiceError, match="does not take part"):
        services.coordinator_invite(
            program=network["program"], email="x@example.org", by=coordinator,
            organization=OrganizationFactory(name="Utanför"),
        )  # fmt: skip
    assert not OrganizationCoordinator.objects.filter(user__email="x@example.org").exists()


def test_the_form_offers_only_the_programs_organisations(client, coordinator, network):
    OrganizationFactory(name="Någon annan")
    client.force_login(coordinator)
    response = client.get(reverse("admin:programs_program_change", args=[network["program"].pk]))
    field = response.context["adminform"].form.fields["invite_organization"]
    assert set(field.queryset) == {network["town"], network["agency"]}


def test_the_next_edition_keeps_the_organisations_coordinators(coordinator, network):
    import datetime

    program = network["program"]
    edition = services.program_next_edition(
        program=program,
        by=coordinator,
        name="Nätverket 2027",
        starts_on=program.starts_on + datetime.timedelta(days=365),
    )
    assert list(edition.organization_coordinators.values_list("organization", "user")) == [
        (network["agency"].pk, network["hr"].pk)
    ]
    assert edition.status == Program.Status.DRAFT


def test_removing_the_role_closes_the_applications_to_them(client, coordinator, network):
    OrganizationCoordinator.objects.filter(user=network["hr"]).delete()
    client.force_login(network["hr"])
    assert client.get(change_url(network["ours"])).status_code == 404


def test_the_list_takes_the_same_queries_for_a_few_or_many(
    client, network, django_assert_max_num_queries
):
    client.force_login(network["hr"])
    url = reverse("admin:programs_application_changelist")
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for _ in range(15):
        ApplicationFactory(program=network["program"], organization=network["agency"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count("/change/") >= 16


def test_their_administration_is_the_lists_of_their_people(client, network):
    client.force_login(network["hr"])
    index = client.get(reverse("admin:index")).content.decode()
    for listed in ("programs/application/", "matching/match/", "meetings/pairactivity/"):
        assert f"/admin/{listed}" in index
    for lead_only in (
        "programs/program/",
        "programs/unit/",
        "audit/auditentry/",
        "evaluations/survey/",
        "notifications/notification/",
    ):
        assert f"/admin/{lead_only}" not in index
        assert client.get(f"/admin/{lead_only}").status_code == 403
    # Leading a program as well, they have the whole administration again.
    ProgramFactory(slug="eget").coordinators.add(network["hr"])
    assert "/admin/programs/program/" in client.get(reverse("admin:index")).content.decode()
