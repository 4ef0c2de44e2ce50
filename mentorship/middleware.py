"""Security headers on every response."""

from django.conf import settings
from django.core.exceptions import BadRequest


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy (Django 5.2 has no CSP of its own;
    nosniff, Referrer-Policy and X-Frame-Options come from SecurityMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = "; ".join(f"{name} {value}" for name, value in settings.CONTENT_SECURITY_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RejectNulInQueryMiddleware:
    """A NUL character in the query string is a 400: PostgreSQL refuses it in any text, so a
    search or filter that passed it on would be a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest("NUL in the query string")
        return self.get_response(request)
