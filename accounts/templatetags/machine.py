"""Values written for machines inside attributes, never localised."""

import datetime

from django import template
from django.utils import timezone

from mentorship import i18n

register = template.Library()


@register.filter
def iso_datetime(value: datetime.datetime | None) -> str:
    """A <time datetime> value: ISO 8601 in the current time zone, to the second (Django's
    'c' format carries microseconds, which the HTML time element does not want)."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()


@register.filter
def language_of(obj, field: str) -> str:
    """The `lang` of a text kept per language (`title_sv`, `title_en` ...): the language the
    shown text is written in, which is another than the page's when it fell back."""
    return i18n.language_of(obj, field)
