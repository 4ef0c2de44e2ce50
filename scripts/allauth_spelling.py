"""Write accounts/allauth_spelling.py: allauth's sentences whose Swedish or Danish spells
e-mail otherwise than the app ("epost-adress", "emailadresse"), or says something else than
the English (OVERRIDES), so that our catalogues carry
them (their translations there take precedence over allauth's) with the app's spelling
("e-postadress", "e-mailadresse"). Run by `make messages`; then it fills in the translations.

    python scripts/allauth_spelling.py module    # the list of msgids, before makemessages
    python scripts/allauth_spelling.py fill      # our sv/da translations, after it
"""

import re
import sys
from pathlib import Path

import allauth
import polib

ROOT = Path(__file__).resolve().parent.parent
ALLAUTH = Path(allauth.__file__).parent / "locale"
MODULE = ROOT / "accounts" / "allauth_spelling.py"

# Not inside a placeholder: {email}, %(email)s.
_FREE = r"(?<![\w{(%-])"
FIXES = {
    "sv": [
        (re.compile(_FREE + r"([Ee])post-(?=[a-zåäö])"), lambda m: f"{m[1]}-post"),
        (re.compile(_FREE + r"([Ee])post"), lambda m: f"{m[1]}-post"),
        (re.compile(_FREE + r"([Ee])mail(?=\W|$)"), lambda m: f"{m[1]}-post"),
        (re.compile(r"(?<![\w-])mailet"), lambda m: "e-postmeddelandet"),
        (re.compile(r"(?<![\w-])mail(?=[\s.,])"), lambda m: "e-post"),
    ],
    "da": [
        (re.compile(r"elsesemail"), lambda m: "elsesmail"),
        (re.compile(r"Bekræftelses-email"), lambda m: "Bekræftelsesmail"),
        (re.compile(_FREE + r"([Ee])mail"), lambda m: f"{m[1]}-mail"),
    ],
}


# allauth sentences whose Swedish or Danish says something else than the English.
OVERRIDES = {
    "Password Reset Email": {
        "sv": "E-post om återställning av lösenord",
        "da": "E-mail om nulstilling af adgangskode",
    },
    "email confirmation": {"sv": "e-postbekräftelse", "da": "e-mailbekræftelse"},
    "email confirmations": {"sv": "e-postbekräftelser", "da": "e-mailbekræftelser"},
    # The field's label, the same words as its placeholder ("Email address").
    "Email": {"sv": "E-postadress", "da": "E-mailadresse"},
    "If you have not created an account yet, then please %(link)ssign up%(end_link)s first.": {
        "sv": "Har du inget konto än? %(link)sSkapa ett konto%(end_link)s först.",
        "da": "Har du ikke en konto endnu? %(link)sOpret en konto%(end_link)s først.",
    },
}


def fixed(language: str, text: str) -> str:
    for pattern, replace in FIXES[language]:
        text = pattern.sub(replace, text)
    return text


def entries(language: str, *, every: bool = False):
    """(msgid, our translation) for allauth's entries that need ours; with `every`, also
    allauth's own translation of the others, for the msgids our catalogue carries."""
    catalogue = polib.pofile(str(ALLAUTH / language / "LC_MESSAGES" / "django.po"))
    for entry in catalogue:
        # OpenID scopes ("openid profile email") are protocol words, not Swedish or Danish.
        if entry.obsolete or entry.msgid_plural or not entry.msgstr or entry.msgctxt:
            continue
        if "openid" in entry.msgid:
            continue
        if entry.msgid in OVERRIDES:
            yield entry.msgid, OVERRIDES[entry.msgid][language]
        elif fixed(language, entry.msgstr) != entry.msgstr or every:
            yield entry.msgid, fixed(language, entry.msgstr)


def write_module() -> None:
    msgids = sorted({msgid for language in FIXES for msgid, _ in entries(language)})
    lines = [
        '"""allauth\'s sentences that name e-mail, in our catalogues for the app\'s spelling.',
        "",
        "Written by scripts/allauth_spelling.py; do not edit by hand.",
        '"""',
        "",
        "from django.utils.translation import gettext_noop",
        "",
        "MESSAGES = [",
        *(f"    gettext_noop({msgid!r})," for msgid in msgids),
        "]",
        "",
    ]
    MODULE.write_text("\n".join(lines))


def fill() -> None:
    ours = {msgid for language in FIXES for msgid, _text in entries(language)}
    for language in FIXES:
        wanted = {k: v for k, v in entries(language, every=True) if k in ours}
        path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
        catalogue = polib.pofile(str(path), wrapwidth=79)
        for entry in catalogue:
            if entry.msgid in wanted:
                entry.msgstr = wanted[entry.msgid]
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
        catalogue.save(str(path))


if __name__ == "__main__":
    {"module": write_module, "fill": fill}[sys.argv[1]]()
