"""With Redis down (the broker), people still log in and pages still open: the rate limits
live in PostgreSQL, and what is e-mailed meanwhile waits in the outbox."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory

DATABASE_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache"}
}
NOWHERE = "redis://127.0.0.1:9/0"  # nothing listens there: the broker is down


@pytest.mark.django_db
@override_settings(CACHES=DATABASE_CACHE, CELERY_BROKER_URL=NOWHERE)
def test_logins_and_pages_work_while_the_broker_is_down(client):
    from mentorship.celery import app

    app.conf.broker_url = NOWHERE
    try:
        call_command("createcachetable", verbosity=0)  # the "cache" table of DATABASE_CACHE
        user = UserFactory()
        for _ in range(3):  # failed tries count in the database cache
            client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": PASSWORD}
        )
        assert response.status_code == 302
        assert "_auth_user_id" in client.session
        assert client.get(reverse("programs:list")).status_code == 200
        assert client.get(reverse("accounts:profile")).status_code == 200
    finally:
        from django.conf import settings

        app.conf.broker_url = settings.CELERY_BROKER_URL


def test_production_keeps_the_rate_limits_in_the_database_not_the_broker():
    from mentorship.tests.test_settings import run_manage

    result = run_manage(
        "shell", "-v", "0", "-c",
        "from django.conf import settings as s; c = s.CACHES['default'];"
        " print(c['BACKEND'].rsplit('.', 1)[-1], c['LOCATION'])",
        DJANGO_SECRET_KEY="x7!k2" * 12, DJANGO_ALLOWED_HOSTS="mentor.example.org",
    )  # fmt: skip
    assert result.stdout.split() == ["DatabaseCache", "django_cache"], result.stderr


@pytest.mark.django_db
def test_migrate_makes_the_cache_table_whatever_cache_it_ran_with():
    """The tests' database was migrated with the in-memory cache (as `make test` migrates the
    development database before `make run` uses the database cache): the table is there."""
    from django.conf import settings
    from django.db import connection

    assert "DatabaseCache" not in settings.CACHES["default"]["BACKEND"]
    assert "django_cache" in connection.introspection.table_names()
