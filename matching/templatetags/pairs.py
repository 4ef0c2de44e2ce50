"""The pair an application led to, for the application's page (which belongs to programs, an
app below this one: the page asks for it by tag instead of importing it)."""

from django import template
from django.db.models import Q

from ..models import Match

register = template.Library()


@register.inclusion_tag("matching/_application_pairs.html", takes_context=True)
def application_pairs(context, application):
    matches = (
        Match.objects.for_user(context["request"].user)
        .filter(Q(adept=application) | Q(mentor=application), status=Match.Status.PUBLISHED)
        .select_related(
            "adept__applicant", "adept__organization", "mentor__applicant", "mentor__organization"
        )
    )
    return {"application": application, "matches": matches}
