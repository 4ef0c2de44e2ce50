"""Titles for allauth's pages that would otherwise share one ("Log in" for the log-in, the
code and the second factor; "Password reset" for the request and its "sent" page): every page
title says what the page is (WCAG 2.4.2)."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

TITLES = {
    "account_login": _("Log in"),
    "account_request_login_code": _("Log in with a code by e-mail"),
    "account_confirm_login_code": _("Log in: enter the code from the e-mail"),
    "mfa_authenticate": _("Log in: the code from your authenticator app"),
    "account_reset_password": _("Forgotten password"),
    "account_reset_password_done": _("Forgotten password: check your e-mail"),
    "account_reset_password_from_key": _("Choose a new password"),
    "account_reset_password_from_key_done": _("Your new password is saved"),
}


@register.simple_tag(takes_context=True)
def page_title(context) -> str:
    match = getattr(context.get("request"), "resolver_match", None)
    return str(TITLES.get(getattr(match, "url_name", None), ""))
