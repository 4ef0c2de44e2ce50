from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mentorship.text import PlainTextForm

from .models import SCALE, TEXT_MAX, Question

SCALE_HINTS = {1: _("Do not agree at all"), 5: _("Fully agree")}


def field_name(question: Question) -> str:
    return f"q{question.pk}"


class AnswerForm(PlainTextForm, forms.Form):
    """One field per question. Required questions are only enforced when sending; saving a
    draft keeps whatever is filled in."""

    def __init__(self, *args, questions, sending: bool, disabled: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            required = sending and question.required
            if question.kind == Question.Kind.TEXT:
                field = forms.CharField(
                    label=question.text,
                    required=required,
                    max_length=TEXT_MAX,
                    widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX}),
                )
            else:
                if question.kind == Question.Kind.SCALE:
                    choices = [
                        (n, f"{n} – {SCALE_HINTS[n]}" if n in SCALE_HINTS else str(n))
                        for n in SCALE
                    ]
                else:
                    choices = list(enumerate(question.choices))
                field = forms.TypedChoiceField(
                    label=question.text,
                    required=required,
                    choices=choices,
                    coerce=int,
                    empty_value=None,
                    widget=forms.RadioSelect,
                )
            field.question = question
            field.disabled = disabled
            self.fields[field_name(question)] = field

    def answers(self) -> dict[int, object]:
        return {f.question.pk: self.cleaned_data.get(name) for name, f in self.fields.items()}

    def bound_questions(self):
        """(question, bound field) pairs for the template."""
        return [(f.question, self[name]) for name, f in self.fields.items()]
