"""The cast shared by every test: coordinators, a superuser, participants and an outsider."""

import os

# The sync Playwright API drives pages served by the live server from the test's thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.core.cache import cache
from django.utils import translation

from accounts.tests.factories import UserFactory
from programs.tests.factories import ProgramFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth keeps its rate-limit counters in the cache: one test's sign-ups must not
    # throttle the next test's.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english_outside_requests():
    # Services called directly raise messages in the active language; requests choose their
    # own (Swedish by default) through the middleware.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # A fast hasher: the real one costs about 0.3 s per user created.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests render templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def coordinator(db):
    return UserFactory(email="karin@example.org", full_name="Karin Koordinator", is_staff=True)


@pytest.fixture
def other_coordinator(db):
    return UserFactory(email="olle@example.org", full_name="Olle Other", is_staff=True)


@pytest.fixture
def superuser(db):
    return UserFactory(
        email="root@example.org", full_name="Sara Super", is_staff=True, is_superuser=True
    )


@pytest.fixture
def adept(db):
    return UserFactory(email="adam@example.org", full_name="Adam Adept")


@pytest.fixture
def outsider(db):
    return UserFactory(email="charlie@example.org", full_name="Charlie Outsider")


@pytest.fixture
def program(coordinator):
    program = ProgramFactory(slug="skolledare")
    program.coordinators.add(coordinator)
    return program
