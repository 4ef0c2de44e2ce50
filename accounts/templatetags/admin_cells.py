"""The admin's change list, with each row's first cell a row header (WCAG 1.3.1, H63)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def row_header(cell: SafeString) -> SafeString:
    """The admin writes a row's first cell as a <th> without a scope."""
    if cell.startswith("<th ") and "scope=" not in cell.split(">", 1)[0]:
        return mark_safe('<th scope="row" ' + cell[len("<th ") :])  # noqa: S308 - the admin's own escaped cell
    return cell
