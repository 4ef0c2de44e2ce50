"""Every kind of e-mail an app registered has its three templates."""

from django.core import checks
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from .registry import KINDS


@checks.register(checks.Tags.templates)
def every_email_has_its_templates(app_configs=None, **kwargs):
    errors = []
    for kind in KINDS.values():
        for suffix in ("_subject.txt", ".txt", ".html"):
            name = f"email/{kind.template}{suffix}"
            try:
                get_template(name)
            except TemplateDoesNotExist:
                errors.append(
                    checks.Error(
                        f"The e-mail kind {kind.name!r} has no template {name}.",
                        id="notifications.E001",
                    )
                )
    return errors
