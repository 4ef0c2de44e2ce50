"""Text people type: no invisible control characters. A text-direction override in a name can
make it read as something else than it says (and Django already refuses NUL)."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 and C1 controls other than tab, line feed and carriage return (NUL is Django's), and the
# bidirectional embeddings, overrides and isolates.
CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def validate_plain_text(value) -> None:
    if isinstance(value, str) and CONTROL.search(value):
        raise ValidationError(
            _(
                "Remove the invisible control characters (such as a text-direction override): "
                "they can make the text read as something other than it says."
            ),
            code="control_characters",
        )


class PlainTextForm:
    """A form mixin: every text field of the form refuses invisible control characters (also
    those a form adds in its own __init__, as the evaluation's questions)."""

    def full_clean(self):
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and validate_plain_text not in field.validators:
                field.validators.append(validate_plain_text)
        super().full_clean()
