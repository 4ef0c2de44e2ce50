"""Reading a free-text wish for the names it mentions: whole words only, whatever the case,
so that a short name never matches inside another word ("KI" in "skicklig").

Both the wish and the name are reduced to their words between spaces, so that "a name as
whole words" is a plain substring test: cheap enough to run for every applicant against every
region and organisation of a national program."""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"\w+")


@lru_cache(maxsize=4096)
def words(text: str) -> str:
    """ " karolinska institutet " for "Karolinska Institutet." (empty for no words)."""
    found = _WORD.findall((text or "").casefold())
    return f" {' '.join(found)} " if found else ""


def mentions(wish: str, name: str) -> bool:
    """Does a wish (already `words(...)`) name `name` as whole words?"""
    name = words(name)
    return bool(name) and name in wish


def named_in(text: str, names) -> list[str]:
    """The names (as given) that `text` mentions as whole words."""
    wish = words(text)
    return [name for name in names if mentions(wish, name)] if wish else []
