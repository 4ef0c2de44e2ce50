"""The evaluations open to the reader, for pages of the apps below this one (the pair's page):
they ask for them by tag instead of importing this app."""

from django import template

from ..services import open_surveys_for

register = template.Library()


@register.inclusion_tag("evaluations/_open_surveys.html", takes_context=True)
def open_surveys(context, program_id):
    user = context["request"].user
    return {"open_surveys": list(open_surveys_for(user).filter(program=program_id))}
