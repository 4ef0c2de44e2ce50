"""Make the English catalogue complete: English is the source language, so every entry that
has no English text yet gets its msgid (both forms for plurals). Run by `make messages`."""

import sys
from pathlib import Path

import polib


def complete(path: Path) -> int:
    catalogue = polib.pofile(str(path), wrapwidth=0)
    filled = 0
    for entry in catalogue:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            if not all(entry.msgstr_plural.values()) or "fuzzy" in entry.flags:
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
                filled += 1
        elif not entry.msgstr or "fuzzy" in entry.flags:
            entry.msgstr = entry.msgid
            filled += 1
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = None
    catalogue.save(str(path))
    return filled


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "locale")
    for path in sorted(root.glob("en/LC_MESSAGES/*.po")):
        print(f"{path}: {complete(path)} entries filled")
