"""Texts kept per language in fields of their own (`name_sv`, `name_en`, `name_da`)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

FALLBACK = ("sv", "en", "da")


def in_language(obj, field: str) -> str:
    """`obj.<field>_<language>` in the reader's language, else the first given of Swedish,
    English and Danish: a text written in one language is enough."""
    language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    for code in (language, *FALLBACK):
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return value
    return ""
