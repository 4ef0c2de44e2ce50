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
        assert escape(finding.shown("en")["where"]) in page
        assert f"criterion {finding.criterion}" in page
    assert "digg.se/tdosanmalan" in page
    # The limit after log-in is said as the settings make it.
    assert "The log-in, after 12 hours" in page
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


def test_time_elements_carry_the_local_time_to_the_second(client):
    import datetime

    from django.utils import timezone

    from programs.tests.factories import MilestoneFactory, ProgramFactory

    program = ProgramFactory(slug="tid")
    when = timezone.now().replace(microsecond=123456) + datetime.timedelta(days=30)
    MilestoneFactory(program=program, kind="kick_off", starts_at=when)
    page = client.get(reverse("programs:detail", args=["tid"])).content.decode()
    expected = timezone.localtime(when).replace(microsecond=0).isoformat()
    assert f'<time datetime="{expected}">' in page
    assert "123456" not in page


def test_a_programs_texts_carry_the_language_they_are_written_in(client):
    from programs.tests.factories import MilestoneFactory, ProgramFactory

    program = ProgramFactory(
        slug="sprak", text_language="sv", description="Paren träffas varje månad.",
        membership_required=True, membership_label="Jag är medlem i förbundet",
    )  # fmt: skip
    MilestoneFactory(program=program, kind="kick_off", title_sv="Uppstart", title_en="")
    MilestoneFactory(program=program, kind="closing", title_sv="Avslutning", title_en="Closing")
    page = client.get(
        reverse("programs:detail", args=["sprak"]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert '<div class="program-description" lang="sv">' in page
    assert 'Required: <span lang="sv">Jag är medlem i förbundet</span>' in page
    # A milestone title falls back to Swedish where no English one was written.
    assert '<h3 class="h6 mb-1" lang="sv">Uppstart</h3>' in page
    assert '<h3 class="h6 mb-1" lang="en">Closing</h3>' in page
