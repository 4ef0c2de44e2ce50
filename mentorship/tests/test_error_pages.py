"""Error pages in the visitor's language, with a way on; the 500 page needs nothing from the
database or the request."""

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views import defaults

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "heading"),
    [("sv", "Sidan finns inte"), ("en", "Page not found"), ("da", "Siden findes ikke")],
)
def test_an_unknown_address_gives_a_404_page_in_the_visitors_language(client, language, heading):
    client.post("/account/language/", {"language": language})
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert heading in page and 'href="/"' in page


@pytest.mark.parametrize(
    ("view", "status", "heading"),
    [
        (defaults.server_error, 500, "Något gick fel"),
        (defaults.permission_denied, 403, "Inte tillåtet"),
        (defaults.bad_request, 400, "Något var fel med förfrågan"),
    ],
)
def test_the_other_error_pages(view, status, heading):
    request = RequestFactory().get("/")
    with translation.override("sv"):
        response = view(request) if view is defaults.server_error else view(request, Exception())
    assert response.status_code == status
    assert heading in response.content.decode()
