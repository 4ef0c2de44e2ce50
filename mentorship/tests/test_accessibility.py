"""The accessibility statement is generated from mentorship/accessibility.toml, the file the
browser sweep reads; a Danish body's WAS statement is linked and /was leads to it."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import escape

from mentorship.accessibility import statement

pytestmark = pytest.mark.django_db


def test_the_statement_shows_the_files_findings_status_and_dates(client):
    facts = statement()
    response = client.get(reverse("accessibility"), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    status = {"full": "is fully compliant", "partial": "is partially compliant"}
    assert status.get(facts.status, "is not compliant") in page
    for finding in facts.findings:
        assert escape(" ".join(finding.where["en"].split())) in page
        assert f"criterion {finding.criterion}" in page
    assert "digg.se/tdosanmalan" in page
    with translation.override("en"):
        assert f"last reviewed on {date_format(facts.reviewed, 'DATE_FORMAT')}" in page


def test_a_danish_statement_in_was_is_linked_from_the_footer_and_from_slash_was(client, settings):
    assert client.get("/was").status_code == 404
    settings.ACCESSIBILITY_WAS_URL = "https://www.was.digst.dk/mentorship-example-dk"
    response = client.get("/was")
    assert response.status_code == 302
    assert response["Location"] == settings.ACCESSIBILITY_WAS_URL
    page = client.get(reverse("programs:list")).content.decode()
    assert f'href="{settings.ACCESSIBILITY_WAS_URL}" lang="da">Tilgængelighedserklæring' in page


def test_the_statement_cannot_claim_full_compliance_while_listing_a_barrier(tmp_path, monkeypatch):
    from mentorship import accessibility

    text = accessibility.FILE.read_text().replace('status = "partial"', 'status = "full"')
    text += '\n[[finding]]\ncriterion = "2.2.1"\nwhere.en = "x"\nreason.en = "y"\n'
    fake = tmp_path / "accessibility.toml"
    fake.write_text(text)
    monkeypatch.setattr(accessibility, "FILE", fake)
    accessibility.statement.cache_clear()
    try:
        with pytest.raises(ValueError, match="full"):
            accessibility.statement()
    finally:
        monkeypatch.undo()
        accessibility.statement.cache_clear()
