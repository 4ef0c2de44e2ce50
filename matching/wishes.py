"""Reading a free-text wish for the names it mentions: whole words only, whatever the case,
so that a short name never matches inside another word ("KI" in "skicklig")."""

from __future__ import annotations

import re


def _words(text: str) -> str:
    return " ".join(text.casefold().split())


def named_in(text: str, names) -> list[str]:
    """The names (as given) that `text` mentions as whole words."""
    wish = _words(text or "")
    if not wish:
        return []
    return [
        name
        for name in names
        if _words(name) and re.search(rf"(?<!\w){re.escape(_words(name))}(?!\w)", wish)
    ]
