"""Every catalogue is complete: no untranslated or fuzzy entry in our .po files (English, the
source language, is filled by `make messages`)."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUES = sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/*.po"))


def test_every_language_has_a_catalogue():
    languages = {path.parts[-3] for path in CATALOGUES}
    assert languages == {"sv", "en", "da"}


@pytest.mark.parametrize(
    "path",
    CATALOGUES,
    ids=lambda p: f"{p.parts[-3]}/{p.name}",
)
def test_the_catalogue_is_complete(path):
    catalogue = polib.pofile(str(path))
    assert catalogue.percent_translated() == 100, [
        entry.msgid for entry in catalogue.untranslated_entries()
    ]
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    assert len(catalogue.translated_entries()) > 50
