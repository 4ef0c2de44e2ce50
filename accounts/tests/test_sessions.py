import time

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.middleware import LOGIN_AT
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client, user):
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_an_idle_session_expires_and_activity_renews_it(client, adept):
    log_in(client, adept)
    client.get(reverse("programs:my_applications"))
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_a_session_ends_at_the_absolute_timeout_however_active(client, adept):
    log_in(client, adept)
    session = client.session
    session[LOGIN_AT] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get(reverse("programs:my_applications"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_users_see_their_sessions_and_disabling_a_user_ends_them_all(client, adept):
    log_in(client, adept)
    page = client.get(reverse("usersessions_list"))
    assert page.status_code == 200
    adept.is_active = False
    adept.save()
    response = client.get(reverse("programs:my_applications"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
