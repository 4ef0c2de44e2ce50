"""The mentor bank as the union uses it (seed 001: "regular offers of events"): one list across
the organisation's editions, with why and when each mentor joined and the offers each was
sent; an offer goes once per person, and every such e-mail has the way out of the bank."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import UserFactory
from audit.models import AuditEntry
from notifications.models import Notification
from notifications.services import notifications_deliver
from programs import services
from programs.models import Application, BankOffer, MentorBankEntry, Role
from programs.tests.factories import (
    ApplicationFactory,
    MentorBankEntryFactory,
    OrganizationFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db


def banked(program, **user):
    application = ApplicationFactory(
        program=program, role=Role.MENTOR, status=Application.Status.BANKED,
        applicant=UserFactory(**user),
    )  # fmt: skip
    return MentorBankEntryFactory(mentor=application.applicant, application=application)


@pytest.fixture
def union(coordinator):
    """Seed 001's union: last year's edition and this year's, one bank."""
    owner = OrganizationFactory(name="Skolledarfacket")
    last_year = ProgramFactory(owner=owner, name="Mentorprogram 2026")
    this_year = ProgramFactory(owner=owner, name="Mentorprogram 2027")
    this_year.coordinators.add(coordinator)
    return last_year, this_year


@pytest.fixture
def offer(union, coordinator):
    return BankOffer.objects.create(
        program=union[1], created_by=coordinator,
        title_sv="Skolledardagen i maj", title_da="Skolelederdagen i maj",
        text_sv="En dag om ledarskap för mentorbanken.", link="https://example.org/dagen",
    )  # fmt: skip


def test_an_offer_reaches_the_bank_of_every_edition_once_per_person(union, offer, coordinator):
    last_year, this_year = union
    old = banked(last_year, language="sv")
    new = banked(this_year, language="da")
    elsewhere = banked(ProgramFactory())  # another organisation's bank
    assert services.bank_offer_send(offer=offer, by=coordinator) == 2
    assert services.bank_offer_send(offer=offer, by=coordinator) == 0  # a second click
    notifications_deliver()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([old.mentor.email, new.mentor.email])
    assert elsewhere.mentor.email not in {m.to[0] for m in mail.outbox}

    # One who joins later gets it when it is sent again; the others do not get it twice.
    later = banked(last_year, language="en")
    mail.outbox.clear()
    assert services.bank_offer_send(offer=offer, by=coordinator) == 1
    notifications_deliver()
    assert [m.to for m in mail.outbox] == [[later.mentor.email]]
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.BANK_OFFER_SENT).first()
    assert (entry.program, entry.actor) == (this_year, coordinator)


def test_the_offer_is_in_the_readers_language_with_the_way_out(union, offer, coordinator):
    danish = banked(union[0], language="da")
    english = banked(union[1], language="en")
    services.bank_offer_send(offer=offer, by=coordinator)
    notifications_deliver()
    by_person = {m.to[0]: m for m in mail.outbox}
    message = by_person[danish.mentor.email]
    assert message.subject == "Et tilbud til mentorbanken i Skolledarfacket"
    assert "Skolelederdagen i maj" in message.body
    html = message.alternatives[0][0]
    assert '<h2 lang="da" style="font-size: 1.1em;">Skolelederdagen i maj</h2>' in html
    # The text is only in Swedish, so it comes in Swedish, marked so.
    assert '<p lang="sv">En dag om ledarskap för mentorbanken.</p>' in html
    assert 'href="https://example.org/dagen"' in html
    # The way out works without logging in, for this bank only.
    token = services.bank_leave_token(mentor_id=danish.mentor_id, owner_id=danish.owner_id)
    leave = "http://127.0.0.1:8000" + reverse("programs:mentor_bank_leave", args=[token])
    assert leave in message.body and f'href="{leave}"' in html
    message = by_person[english.mentor.email]
    assert "Skolledardagen i maj" in message.body and "Leave the mentor bank:" in message.body


def test_a_mentor_who_left_from_the_e_mail_gets_no_more_offers(client, union, offer, coordinator):
    entry = banked(union[0], language="sv")
    services.bank_offer_send(offer=offer, by=coordinator)
    # Another mentor's offer, from another organisation's bank, is not on this page.
    other = BankOffer.objects.create(program=ProgramFactory(), title_sv="Annan dag", text_sv="-")
    banked(other.program)
    services.bank_offer_send(offer=other, by=coordinator)
    client.force_login(entry.mentor)
    page = client.get(reverse("programs:mentor_bank")).content.decode()
    assert "Mentorprogram 2026" in page
    # What the bank has sent them, in their language, with the link.
    assert '<span lang="sv">Skolledardagen i maj</span>' in page
    assert 'href="https://example.org/dagen"' in page and "Annan dag" not in page
    response = client.post(reverse("programs:mentor_bank"), follow=True)
    assert "Du har lämnat mentorbanken." in response.content.decode()
    assert services.bank_offer_send(offer=offer, by=coordinator) == 0


def test_the_coordinator_writes_and_sends_an_offer_in_the_admin(client, union, coordinator):
    last_year, this_year = union
    banked(last_year)
    banked(this_year)
    client.force_login(coordinator)
    page = client.get(reverse("admin:programs_bankoffer_add")).content.decode()
    assert "Mentorprogram 2027" in page
    assert "Mentorprogram 2026" not in page  # not one of theirs to send from
    response = client.post(reverse("admin:programs_bankoffer_add"), {
        "program": this_year.pk, "title_sv": "Nätverksträff", "text_sv": "", "link": "",
    })  # fmt: skip
    assert "Write the offer in at least one language." in response.content.decode()
    response = client.post(reverse("admin:programs_bankoffer_add"), {
        "program": this_year.pk, "title_sv": "Nätverksträff", "text_sv": "I juni.", "link": "",
    }, follow=True)  # fmt: skip
    assert "The offer is saved, not sent" in response.content.decode()
    offer = BankOffer.objects.get()
    assert offer.created_by == coordinator and offer.sent_at is None

    changelist = reverse("admin:programs_bankoffer_changelist")
    data = {"action": "send", "_selected_action": [offer.pk]}
    response = client.post(changelist, data, follow=True)
    assert "is on its way to 2 mentors." in response.content.decode()
    response = client.post(changelist, data, follow=True)
    assert "Everyone in the mentor bank has had" in response.content.decode()
    offer.refresh_from_db()
    assert offer.sent_at is not None
    assert Notification.objects.filter(kind="bank_offer").count() == 2
    assert '<td class="field-recipients">2</td>' in client.get(changelist).content.decode()


def test_an_offer_to_an_empty_bank_says_so(client, offer, coordinator):
    client.force_login(coordinator)
    data = {"action": "send", "_selected_action": [offer.pk]}
    response = client.post(reverse("admin:programs_bankoffer_changelist"), data, follow=True)
    assert "No one is in the mentor bank of Skolledarfacket yet" in response.content.decode()
    assert not Notification.objects.exists()


def test_other_coordinators_and_participants_see_no_offer(client, offer, other_coordinator):
    url = reverse("admin:programs_bankoffer_change", args=[offer.pk])
    assert client.get(url).status_code == 302  # to the login
    client.force_login(UserFactory())
    assert client.get(url).status_code in (302, 403)
    client.force_login(other_coordinator)
    assert client.get(url).status_code == 404
    changelist = client.get(reverse("admin:programs_bankoffer_changelist"))
    assert "Skolledardagen" not in changelist.content.decode()
    # Nor can they send it by naming it in the action.
    client.post(reverse("admin:programs_bankoffer_changelist"),
                {"action": "send", "_selected_action": [offer.pk]})  # fmt: skip
    assert not Notification.objects.filter(kind="bank_offer").exists()


def test_the_bank_lists_every_edition_with_why_and_the_offers_sent(
    client, union, offer, coordinator, other_coordinator, django_assert_max_num_queries
):
    last_year, this_year = union
    entry = banked(last_year, full_name="Greta Gammal")
    banked(ProgramFactory(), full_name="Otto Annan")
    services.bank_offer_send(offer=offer, by=coordinator)
    client.force_login(coordinator)
    url = reverse("admin:programs_mentorbankentry_changelist")
    page = client.get(url).content.decode()
    assert "Greta Gammal" in page and "Otto Annan" not in page
    assert "Not matched in Mentorprogram 2026" in page
    assert '<td class="field-offers">1</td>' in page
    detail = client.get(reverse("admin:programs_mentorbankentry_change", args=[entry.pk]))
    assert "Skolledardagen i maj" in detail.content.decode()

    for n in range(15):
        banked(last_year if n % 2 else this_year)
    with django_assert_max_num_queries(18):  # as many for 1 mentor as for 17
        assert client.get(url).status_code == 200
    client.force_login(other_coordinator)
    assert "Greta Gammal" not in client.get(url).content.decode()


def test_an_offer_needs_a_title_and_a_text():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        BankOffer(text_sv="Text").clean()
    with pytest.raises(ValidationError):
        BankOffer(title_en="Title").clean()
    BankOffer(title_en="Title", text_da="Tekst").clean()


def test_the_offers_list_runs_as_many_queries_for_one_offer_as_for_twenty(
    client, union, coordinator, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    banked(union[0])
    client.force_login(coordinator)
    url = reverse("admin:programs_bankoffer_changelist")
    client.get(url)  # the first request fills the session and the caches
    counts = []
    for total in (1, 20):
        while BankOffer.objects.count() < total:
            offer = BankOffer.objects.create(program=union[1], title_sv="Träff", text_sv="-")
            services.bank_offer_send(offer=offer, by=coordinator)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        counts.append(len(queries))
        assert page.count('<td class="field-recipients">1</td>') == total
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(18):
        client.get(url)


def test_the_link_in_the_e_mail_takes_the_person_out_of_that_bank_without_logging_in(
    client, union, offer, coordinator
):
    entry = banked(union[0], language="da")
    elsewhere = MentorBankEntryFactory(
        mentor=entry.mentor, application=None, owner=OrganizationFactory(name="Lærerkredsen")
    )
    services.bank_offer_send(offer=offer, by=coordinator)
    notifications_deliver()
    (message,) = mail.outbox
    link = next(word for word in message.body.split() if "/mentor-bank/leave/" in word)
    path = link.removeprefix("http://127.0.0.1:8000")
    # Following the link (as a mail scanner does) only asks; in the reader's browser's language.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "da"
    page = client.get(path).content.decode()
    assert "Du er i mentorbanken hos Skolledarfacket." in page
    assert MentorBankEntry.objects.filter(pk=entry.pk).exists()
    response = client.post(path)
    assert "Du har forladt mentorbanken hos Skolledarfacket." in response.content.decode()
    assert list(MentorBankEntry.objects.filter(mentor=entry.mentor)) == [elsewhere]
    assert services.bank_offer_send(offer=offer, by=coordinator) == 0
    # The link again, or a changed one, says there is nothing to do, and never a 500.
    assert "ikke (længere) i denne mentorbank" in client.get(path).content.decode()
    assert client.post(path[:-3] + "xx/").status_code == 200
    assert MentorBankEntry.objects.filter(pk=elsewhere.pk).exists()
