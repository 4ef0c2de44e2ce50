import re

import pytest
from django.core import mail
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from notifications.services import notifications_deliver

pytestmark = pytest.mark.django_db


def sent():
    """The e-mails sent so far: allauth's go through the outbox, delivered here."""
    notifications_deliver()
    return mail.outbox


def sign_up(client, email="ny.chef@example.org", language="sv"):
    client.cookies["django_language"] = language
    return client.post(
        reverse("account_signup"),
        {
            "full_name": "Nina Ny",
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def test_sign_up_saves_name_and_language_and_sends_a_verification_email(client):
    response = sign_up(client, language="da")
    assert response.status_code == 302
    user = User.objects.get(email="ny.chef@example.org")
    assert user.full_name == "Nina Ny"
    assert user.language == "da"
    assert len(sent()) == 1
    assert sent()[0].to == ["ny.chef@example.org"]
    assert re.search(r"/accounts/confirm-email/\S+/", sent()[0].body)


def test_an_unverified_user_cannot_log_in_until_the_link_is_followed(client):
    sign_up(client)
    link = re.search(r"(/accounts/confirm-email/\S+/)", sent()[0].body).group(1)
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "ny.chef@example.org", "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")

    client.post(link)
    response = client.post(
        reverse("account_login"), {"login": "NY.Chef@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)


def test_e_mail_addresses_are_unique_whatever_their_case():
    UserFactory(email="anna@example.org")
    with pytest.raises(IntegrityError):
        UserFactory(email="Anna@Example.org")


def test_signing_up_with_a_taken_address_does_not_reveal_the_account(client):
    UserFactory(email="anna@example.org")
    response = sign_up(client, email="ANNA@example.org")
    # Enumeration prevention: the same "check your e-mail" step as for a new address ...
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    # ... and the owner of the address is told instead; no second account is made.
    assert User.objects.count() == 1
    assert sent()[0].to == ["anna@example.org"]


def test_password_reset_answers_the_same_for_unknown_addresses(client):
    UserFactory(email="anna@example.org")
    known = client.post(reverse("account_reset_password"), {"email": "anna@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_the_profile_page_changes_name_and_language(client, adept):
    client.force_login(adept)
    response = client.post(
        reverse("accounts:profile"), {"full_name": "  Adam Adeptsson ", "language": "en"}
    )
    assert response.status_code == 302
    adept.refresh_from_db()
    assert adept.full_name == "Adam Adeptsson"
    assert adept.language == "en"
    page = client.get(reverse("accounts:profile")).content.decode()
    assert '<html lang="en">' in page
    assert "Your profile has been saved." in page


def test_the_profile_page_refuses_an_empty_name_and_keeps_the_input(client, adept):
    client.force_login(adept)
    response = client.post(reverse("accounts:profile"), {"full_name": " ", "language": "da"})
    assert response.status_code == 200
    assert "full_name" in response.context["form"].errors
    adept.refresh_from_db()
    assert adept.language == "en"


def test_switching_language_is_remembered_and_saved_on_the_user(client, adept):
    client.force_login(adept)
    response = client.post(
        reverse("accounts:set_language"), {"language": "da", "next": "/programs/x/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/programs/x/"
    assert response.cookies["django_language"].value == "da"
    adept.refresh_from_db()
    assert adept.language == "da"


def test_an_anonymous_visitor_switches_language_with_a_cookie(client):
    response = client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
    assert response.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get("/").content.decode()


def test_a_logged_in_users_saved_language_wins_over_the_browser(client, adept):
    adept.language = "da"
    adept.save()
    client.force_login(adept)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="da">' in html


def test_a_switch_to_an_unknown_language_changes_nothing(client, adept):
    client.force_login(adept)
    client.post(reverse("accounts:set_language"), {"language": "xx", "next": "/"})
    adept.refresh_from_db()
    assert adept.language == "en"


def test_the_e_mail_change_page_uses_our_layout(client, adept):
    client.force_login(adept)
    response = client.get(reverse("account_email"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#main"' in html  # our base layout, with its skip link
    assert adept.email in html


def test_changing_the_e_mail_address_sends_a_verification_to_the_new_one(client, adept):
    client.force_login(adept)
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "adam.ny@example.org"}
    )
    assert response.status_code == 302
    assert sent()[-1].to == ["adam.ny@example.org"]
    adept.refresh_from_db()
    assert adept.email == "adam@example.org"  # unchanged until the new one is verified


def test_repeated_failed_logins_are_rate_limited(client, adept):
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": adept.email, "password": "wrong"}
        )
        assert response.status_code == 200
    response = client.post(reverse("account_login"), {"login": adept.email, "password": PASSWORD})
    # Even the right password is refused while the limit holds.
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


def test_reminders_can_be_turned_off_on_the_profile_page(client, adept):
    client.force_login(adept)
    client.post(
        reverse("accounts:profile"),
        {"full_name": adept.full_name, "language": "sv", "meeting_reminders": "on"},
    )
    adept.refresh_from_db()
    assert adept.monthly_reminders is False
    assert adept.meeting_reminders is True


@pytest.mark.parametrize(
    ("url_name", "data", "limit"),
    [
        # allauth: sign-up 20/m per address, password reset 5/m per e-mail, code 3/m per key
        ("account_signup", {"email": "x@example.org", "password1": "a", "password2": "b"}, 20),
        ("account_reset_password", {"email": "adam@example.org"}, 5),
    ],
)
def test_sign_up_password_reset_and_code_login_are_rate_limited(
    client, adept, url_name, data, limit, settings
):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "signup": "20/m/ip",
        "reset_password": "20/m/ip,5/m/key",
    }
    statuses = [client.post(reverse(url_name), data).status_code for _ in range(limit + 1)]
    assert 429 not in statuses[:limit]
    assert statuses[-1] == 429


def test_login_codes_are_rate_limited_per_address(adept):
    # allauth: three codes a minute for one address, from any browser; the fourth request is
    # refused in the form and sends nothing.
    url = reverse("account_request_login_code")
    for _ in range(3):
        assert Client().post(url, {"email": adept.email}).status_code == 302
    response = Client().post(url, {"email": adept.email})
    assert response.status_code == 200
    assert len(sent()) == 3


@pytest.mark.parametrize(
    ("language", "greeting", "spelling", "wrong"),
    [
        ("da", "Hej fra Mentorship!", "e-mail", re.compile(r"(?<![\w%({-])[Ee]mail")),
        ("sv", "Mentorship", "e-post", re.compile(r"(?<![\w-])[Ee]post")),
    ],
)
def test_allauths_emails_greet_from_the_site_name_and_spell_e_mail_as_the_app(
    client, language, greeting, spelling, wrong
):
    sign_up(client, language=language)
    message = sent()[0]
    text = message.subject + "\n" + message.body
    assert greeting in text
    assert "Hej fra testserver" not in text and "Tak fordi du bruger testserver" not in text
    assert "[Mentorship]" not in message.subject
    assert spelling in text.lower()
    assert not wrong.search(text), wrong.search(text)
    # A password reset too.
    mail.outbox.clear()  # (delivered: nothing waits in the outbox)
    UserFactory(email="anna@example.org", language=language)
    client.post(reverse("account_reset_password"), {"email": "anna@example.org"})
    text = sent()[0].subject + "\n" + sent()[0].body
    assert greeting in text and not wrong.search(text)


@pytest.mark.parametrize(
    ("language", "offer", "wrong"),
    [("sv", "Skapa ett konto", "Har du redan ett konto"), ("da", "Opret en konto", "allerede")],
)
def test_the_login_page_offers_sign_up_and_labels_match_placeholders(
    client, language, offer, wrong
):
    client.cookies["django_language"] = language
    page = client.get(reverse("account_login")).content.decode()
    assert offer in page and reverse("account_signup") in page
    assert wrong not in page
    for url in (reverse("account_login"), reverse("account_signup")):
        page = client.get(url).content.decode()
        field = re.search(r'<input[^>]*name="(?:login|email)"[^>]*>', page).group(0)
        field_id = re.search(r'id="([^"]+)"', field).group(1)
        label = re.search(rf'<label[^>]*for="{field_id}"[^>]*>(.*?)</label>', page, re.S)
        words = " ".join(re.sub(r"<[^>]+>|\*", "", label.group(1)).split())
        assert f'placeholder="{words}"' in field, (words, field)


def title_of(response):
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def test_every_log_in_and_password_page_has_a_title_of_its_own(client, adept, coordinator):
    titles = {
        name: title_of(client.get(reverse(name)))
        for name in ("account_login", "account_request_login_code", "account_reset_password",
                     "account_reset_password_done")
    }  # fmt: skip
    client.post(reverse("account_request_login_code"), {"email": adept.email})
    titles["account_confirm_login_code"] = title_of(
        client.get(reverse("account_confirm_login_code"))
    )
    staff = Client()
    staff.post(reverse("account_login"), {"login": coordinator.email, "password": PASSWORD})
    titles["mfa_authenticate"] = title_of(staff.get(reverse("mfa_authenticate")))
    assert len(set(titles.values())) == len(titles), titles
    # (In Swedish: the site's language before anyone has logged in.)
    assert titles["mfa_authenticate"].startswith("Logga in: koden från din autentiseringsapp")
