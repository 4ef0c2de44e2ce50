"""Security headers on every response."""

from django.conf import settings


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
