"""Behind the TLS proxy, the rate limits key on the client's address the proxy forwards: one
client cannot lock everyone out, and a header the client forged itself changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"  # the proxy, as gunicorn sees it


def log_in(email, password, forwarded=None):
    client = Client(REMOTE_ADDR=PROXY)
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    client.post(reverse("account_login"), {"login": email, "password": password}, **headers)
    return "_auth_user_id" in client.session


def spray(forwarded, times=21):
    """Failed logins for different addresses from one client (the per-address limit is not
    what is tested)."""
    for n in range(times):
        assert not log_in(f"guess{n}@example.org", "wrong", forwarded(n))


def test_one_client_behind_the_proxy_does_not_lock_out_another(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    victim = UserFactory()
    spray(lambda n: "203.0.113.9")
    assert not log_in(victim.email, PASSWORD, "203.0.113.9")  # the sprayer is held
    assert log_in(victim.email, PASSWORD, "198.51.100.7")  # everyone else is not


def test_a_forged_forwarded_address_does_not_dodge_the_limit(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    victim = UserFactory()
    # The client writes its own X-Forwarded-For; the proxy appends the address it saw.
    spray(lambda n: f"192.0.2.{n}, 203.0.113.9")
    assert not log_in(victim.email, PASSWORD, "198.51.100.99, 203.0.113.9")
    assert log_in(victim.email, PASSWORD, "198.51.100.7")


def test_without_a_proxy_the_header_is_not_trusted(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    victim = UserFactory()
    spray(lambda n: f"192.0.2.{n}")
    # Every request came from one peer: a forged header gets the sprayer nowhere.
    assert not log_in(victim.email, PASSWORD, "198.51.100.7")


def test_a_request_that_skipped_the_proxies_is_keyed_on_its_peer_not_a_500(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    victim = UserFactory()
    assert log_in(victim.email, PASSWORD, "198.51.100.7")  # one entry where two were expected


def test_the_proxy_count_follows_the_tls_proxy_setting():
    from mentorship.tests.test_settings import run_manage

    def count(**env):
        result = run_manage(
            "shell", "-v", "0", "-c",
            "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)",
            DJANGO_SECRET_KEY="x7!k2" * 12, DJANGO_ALLOWED_HOSTS="mentor.example.org", **env,
        )  # fmt: skip
        return result.stdout.strip() or result.stderr

    assert count() == "0"
    assert count(DJANGO_BEHIND_TLS_PROXY="true") == "1"
    assert count(DJANGO_BEHIND_TLS_PROXY="true", DJANGO_TRUSTED_PROXY_COUNT="2") == "2"
