"""Texts kept per language in fields of their own (`name_sv`, `name_en`, `name_da`)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

FALLBACK = ("sv", "en", "da")


def in_language(obj, field: str) -> str:
    """`obj.<field>_<language>` in the reader's language, else the first given of Swedish,
    English and Danish: a text written in one language is enough."""
    return _written(obj, field)[1]


def language_of(obj, field: str) -> str:
    """The language of the text in_language gives, for the `lang` attribute of its element
    (WCAG 3.1.2): the reader's own, or the fallback it was written in."""
    return _written(obj, field)[0]


def _written(obj, field: str) -> tuple[str, str]:
    language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    for code in (language, *FALLBACK):
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return code, value
    return language, ""
