import re

import pytest
from django.core import mail
from django.urls import reverse

from notifications.services import notifications_deliver

pytestmark = pytest.mark.django_db


def sent():
    """The e-mails sent so far: allauth's go through the outbox, delivered here."""
    notifications_deliver()
    return mail.outbox


def request_code(client, user):
    response = client.post(reverse("account_request_login_code"), {"email": user.email})
    assert response.status_code == 302
    return re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", sent()[-1].body).group(1)


def test_a_participant_logs_in_with_a_code_from_their_email(client, adept):
    code = request_code(client, adept)
    client.post(reverse("account_confirm_login_code"), {"code": code})
    assert client.session["_auth_user_id"] == str(adept.pk)


def test_three_wrong_codes_spend_the_code(client, adept):
    code = request_code(client, adept)
    for _ in range(3):
        client.post(reverse("account_confirm_login_code"), {"code": "WRONG1"})
    client.post(reverse("account_confirm_login_code"), {"code": code})
    assert "_auth_user_id" not in client.session


def test_a_coordinator_still_needs_the_second_factor_after_a_code(client, coordinator):
    code = request_code(client, coordinator)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def test_the_code_comes_in_the_persons_language_whatever_the_browser(client, adept):
    adept.language = "da"
    adept.save()
    client.cookies["django_language"] = "sv"
    request_code(client, adept)
    assert "kode" in sent()[-1].body.lower()
