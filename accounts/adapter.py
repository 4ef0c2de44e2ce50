from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from .models import User


@dataclass
class Site:
    """What allauth's e-mails call the site: its name, not the host it was reached on."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # E-mails to a known person (codes, password resets, address changes) go out in their
        # language, not in the language of the browser that asked for them.
        user = context.get("user") or User.objects.filter(email__iexact=email).first()
        language = getattr(user, "language", None) or translation.get_language()
        request = allauth_context.request
        domain = request.get_host() if request is not None else ""
        context = {
            "request": request,
            "email": email,
            **context,
            "current_site": Site(name=settings.SITE_NAME, domain=domain),
        }
        with translation.override(language):
            message = self.render_mail(template_prefix, email, context)
        self.deliver(message, user)

    def deliver(self, message, user) -> None:
        """Send it now; the outbox's adapter (notifications.allauth) queues it instead."""
        message.send()

    def get_client_ip(self, request):
        # With DJANGO_TRUSTED_PROXY_COUNT set, allauth reads the client from X-Forwarded-For
        # and refuses a header with fewer entries than proxies (a request that did not come
        # through them): that is the peer itself, not a reason for a 500.
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            return request.META["REMOTE_ADDR"]

    def save_user(self, request, user, form, commit=True):
        # A new account starts in the language the visitor was using when signing up.
        user.language = translation.get_language() or user.language
        user.full_name = form.cleaned_data.get("full_name", "").strip()
        return super().save_user(request, user, form, commit=commit)
