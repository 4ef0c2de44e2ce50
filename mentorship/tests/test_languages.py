"""No English on a Swedish or Danish page: every page a person can reach, rendered in each
language, is searched for the app's own English strings (from the catalogue), and each
e-mail is too."""

import html
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from mentorship.tests.world import ANONYMOUS, COORDINATOR, allauth_email, build_world, pages
from notifications.emails import render_notification

pytestmark = pytest.mark.django_db
PLACEHOLDER = re.compile(r"%(\([^)]*\))?[sd]|<[^>]+>|\{[^}]*\}")


def english_phrases(language: str) -> list[str]:
    """Our English phrases of four words or more whose translation differs: with a
    placeholder, the longest fixed piece of the sentence."""
    catalogue = polib.pofile(str(Path(settings.BASE_DIR, "locale", language, "LC_MESSAGES",
                                      "django.po")))  # fmt: skip
    phrases = set()
    for entry in catalogue.translated_entries():
        translations = [entry.msgstr] if entry.msgstr else list(entry.msgstr_plural.values())
        for english in filter(None, [entry.msgid, entry.msgid_plural]):
            if english in translations:
                continue
            pieces = [p.strip(" .,:;()") for p in PLACEHOLDER.split(english) if p]
            longest = max(pieces, key=lambda p: len(p.split()), default="")
            if len(longest.split()) >= 4:
                phrases.add(" ".join(longest.split()))
    return sorted(phrases)


# English month and day names (Swedish and Danish write theirs in lower case): a date in a
# fixed English-like format, or one not passed through the locale's formats, shows them.
ENGLISH_DATES = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Monday|Tuesday|Wednesday|Thursday"
    r"|Friday|Saturday|Sunday|a\.m\.|p\.m\.)(?=\W|$)"
)


def english_in(text: str, phrases) -> list[str]:
    return [phrase for phrase in phrases if phrase in text] + ENGLISH_DATES.findall(text)


def text_of(content: str) -> str:
    return " ".join(html.unescape(content).split())


@pytest.fixture
def world(db):
    return build_world()


@pytest.mark.parametrize("language", ["sv", "da"])
def test_no_english_on_a_swedish_or_danish_page(client, world, language):
    phrases = english_phrases(language)
    assert len(phrases) > 200
    leaks = {}
    people = {COORDINATOR: world["coordinator"], "participant": world["adept"]}
    for person in people.values():
        person.language = language
        person.save(update_fields=["language"])
    for who, url in pages(world):
        client.logout()
        if who == ANONYMOUS:
            client.post(reverse("accounts:set_language"), {"language": language})
        else:
            client.force_login(people[who])
        response = client.get(url, follow=True)
        assert response.status_code in (200, 404), url
        page = text_of(response.content.decode())
        assert f'lang="{language}"' in response.content.decode(), url
        found = english_in(page, phrases)
        if found:
            leaks[url] = found
    assert leaks == {}


def test_the_search_finds_english_where_it_belongs(client, world):
    """The control: the same pages in English are full of the phrases searched for."""
    phrases = english_phrases("sv")
    client.force_login(world["adept"])
    page = text_of(
        client.get(reverse("meetings:mentorship", args=[world["match"].pk])).content.decode()
    )
    assert len([phrase for phrase in phrases if phrase in page]) >= 3
    assert ENGLISH_DATES.search(page)  # and its dates have English month names


@pytest.mark.parametrize("language", ["sv", "da"])
def test_no_english_in_a_swedish_or_danish_email(world, language):
    phrases = english_phrases(language)
    leaks = {}
    for notification in world["emails"]:
        notification.recipient.language = language
        if notification.kind == "account_email":  # allauth writes it in the reader's language
            notification.context = allauth_email(notification.recipient)
        message = render_notification(notification)
        with translation.override("en"):
            content = text_of(message.subject + message.body + message.alternatives[0][0])
        found = english_in(content, phrases)
        if found:
            leaks[notification.kind] = found
    assert leaks == {}


@pytest.mark.parametrize(
    ("language", "date", "moment"),
    [
        ("sv", "28 december 2026", "14 december 2026 kl.\xa023.59"),
        ("da", "28. december 2026", "14. december 2026 kl.\xa023.59"),
        ("en", "28 December 2026", "14 December 2026, 23:59"),
    ],
)
def test_dates_and_times_read_as_a_native_writes_them(language, date, moment):
    import datetime

    from django.template import Context, Template
    from django.utils import timezone

    template = Template('{{ day|date:"DATE_FORMAT" }}|{{ moment|date:"DATETIME_FORMAT" }}|'
                        '{{ day|date:"ABBR_DATE_FORMAT" }}')  # fmt: skip
    context = Context({
        "day": datetime.date(2026, 12, 28),
        "moment": timezone.make_aware(datetime.datetime(2026, 12, 14, 23, 59)),
    })  # fmt: skip
    with translation.override(language):
        day, when, short = template.render(context).split("|")
    assert (day, when) == (date, moment)
    assert short == {"sv": "28 dec 2026", "da": "28. dec. 2026", "en": "28 Dec 2026"}[language]


def test_no_template_writes_a_literal_date_format():
    """Dates go through the locale's named formats; a literal one reads wrong in two of three
    languages."""
    literal = re.compile(r'\|(date|time):"(?![A-Z_]+_FORMAT")')
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for path in Path(settings.BASE_DIR, "templates").rglob("*")
        if path.is_file() and literal.search(path.read_text())
    ]
    assert offenders == []


def test_the_world_has_an_email_of_every_kind(world):
    """So that every e-mail is searched for English, escaped and rendered as a page."""
    from notifications.models import Notification

    assert {n.kind for n in world["emails"]} == set(Notification.Kind.values)
