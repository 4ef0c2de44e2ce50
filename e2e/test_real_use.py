"""What real use of the seed programs found in a browser: a chart that drew nothing in
Swedish and Danish, a review that scrolled sideways on a phone, admin lists that cut off
their key columns at 1280 px."""

import itertools

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from e2e.helpers import choose_language, current_code, log_in
from e2e.test_evaluations import cohort  # noqa: F401 (a fixture)
from programs.models import Application, Role
from programs.tests.factories import ApplicationFactory, OrganizationFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = {"sv": "Svenska", "en": "English", "da": "Dansk"}
LONG_NAME = "Myndigheten för samhällsskydd och beredskap, regionkontoret i Västernorrland"


@pytest.mark.usefixtures("cohort")
def test_the_dashboard_chart_draws_its_bars_in_every_language(page, cohort):  # noqa: F811
    log_in(page, "karin@example.org", code=current_code)
    for code, name in LANGUAGES.items():
        page.goto(f"/manage/programs/{cohort['program'].slug}/dashboard/")
        choose_language(page, name)
        expect(page.locator("html")).to_have_attribute("lang", code)
        sizes = page.evaluate(
            """Array.from(document.querySelectorAll('svg.chart rect.held'))
                 .map(r => { const b = r.getBBox(); return b.width * b.height; })"""
        )
        assert sizes and max(sizes) > 0, (code, sizes)
        labels = page.evaluate(
            "Array.from(document.querySelectorAll('svg.chart text[text-anchor=middle]'))"
            ".map(t => t.getBBox().x)"
        )
        assert len(set(labels)) == len(labels) > 1, (code, labels)  # not piled up at the left


@pytest.fixture
def long_names(coordinator):
    long = OrganizationFactory(name=LONG_NAME)
    other = OrganizationFactory(name="Kommunförbundet i Skåne och Blekinge län")
    program = ProgramFactory(slug="natverket", organizations=[long, other], matching_min_score=0)
    program.coordinators.add(coordinator)
    for n in range(3):
        for role, organization in ((Role.ADEPT, long), (Role.MENTOR, other)):
            ApplicationFactory(
                program=program, role=role, organization=organization,
                status=Application.Status.ACCEPTED, unit=f"Enheten för krisberedskap {n}",
                applicant=UserFactory(full_name=f"Kristina Andersson-Lindqvist {role} {n}"),
            )  # fmt: skip
    return program


def test_the_matching_review_fits_a_phone_and_its_form_labels_sit_above_their_fields(
    page, coordinator, long_names
):
    from matching import services

    services.matching_start(program=long_names, by=coordinator)
    log_in(page, coordinator.email, code=current_code)
    page.goto(f"/manage/programs/{long_names.slug}/matching/")
    for code, name in (("sv", "Svenska"), ("da", "Dansk")):
        page.set_viewport_size({"width": 1280, "height": 800})
        choose_language(page, name)
        expect(page.locator("table").first.locator("tbody tr")).to_have_count(3)
        for width in (375, 320):
            page.set_viewport_size({"width": width, "height": 800})
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
                code, width,
            )  # fmt: skip
            for field in ("adept", "mentor"):
                label = page.locator(f"label[for=id_{field}]").bounding_box()
                select = page.locator(f"#id_{field}").bounding_box()
                assert label["y"] + label["height"] <= select["y"] + 1, (code, width, field)
                assert select["width"] > width * 0.6, (code, width, field)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_the_admin_lists_keep_their_key_columns_in_view_at_1280(page, coordinator, long_names):
    from matching import services

    services.matching_start(program=long_names, by=coordinator)
    services.matches_publish(program=long_names, by=coordinator)
    log_in(page, coordinator.email, code=current_code)
    page.set_viewport_size({"width": 1280, "height": 900})
    for name in ("Svenska", "Dansk"):
        page.goto("/")
        choose_language(page, name)
        for url, column in (
            ("/admin/programs/application/", "td.field-is_eligible"),
            ("/admin/meetings/pairactivity/", "td.field-last_meeting"),
        ):
            page.goto(url)
            widths = page.evaluate(
                "(() => { const r = document.querySelector('.results');"
                " return [r.scrollWidth, r.clientWidth, [...r.querySelectorAll('thead th')]"
                ".map(th => `${th.className}:${Math.round(th.getBoundingClientRect().width)}`)];"
                " })()"
            )
            assert widths[0] <= widths[1], f"{name} {url} {widths}"
            expect(page.locator(column).first).to_be_in_viewport()
        # The places summary's headers stand apart.
        page.goto("/admin/programs/application/")
        boxes = [page.locator(".place-counts th").nth(i).bounding_box() for i in range(1, 4)]
        for left, right in itertools.pairwise(boxes):
            assert left["x"] + left["width"] <= right["x"], (name, boxes)
