"""The catalogues keep to locale/GLOSSARY.md: no translation uses a word it forbids."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

GLOSSARY = Path(settings.BASE_DIR, "locale", "GLOSSARY.md")
SECTIONS = {"Swedish": "sv", "Danish": "da"}


def forbidden() -> dict[str, list[str]]:
    rules: dict[str, list[str]] = {}
    language = None
    for line in GLOSSARY.read_text().splitlines():
        if line.startswith("## "):
            language = SECTIONS.get(line[3:].strip())
        match = re.match(r"- forbidden: `([^`]+)`", line)
        if match and language:
            rules.setdefault(language, []).append(match.group(1))
    return rules


def test_the_glossary_forbids_words_in_both_languages():
    rules = forbidden()
    assert len(rules["sv"]) >= 5 and len(rules["da"]) >= 5


@pytest.mark.parametrize("language", ["sv", "da"])
def test_no_translation_uses_a_word_the_glossary_forbids(language):
    catalogue = polib.pofile(str(Path(settings.BASE_DIR, "locale", language, "LC_MESSAGES",
                                      "django.po")))  # fmt: skip
    rules = [re.compile(rule) for rule in forbidden()[language]]
    offenders = []
    for entry in catalogue.translated_entries():
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            for rule in rules:
                if text and rule.search(text):
                    offenders.append((rule.pattern, entry.msgid[:60], text[:80]))
    assert offenders == []


@pytest.mark.parametrize("language", ["sv", "da"])
def test_the_glossary_test_finds_a_forbidden_word(language):
    """The control: a sentence with a forbidden word is caught."""
    sample = {"sv": "Kontakta samordnaren.", "da": "Mød din matchning i programmet."}[language]
    assert any(re.search(rule, sample) for rule in forbidden()[language])
