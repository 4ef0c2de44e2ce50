from django import forms
from django.utils.translation import gettext_lazy as _

from mentorship.text import PlainTextForm
from mentorship.widgets import DateInput
from programs.models import Application, Role


class _LaterChoice(forms.ModelChoiceField):
    """A choice whose object the form looks up together with the others, in one query."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            pk = int(value)
        except (TypeError, ValueError):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None
        if not 0 < pk < 2**63:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return pk

    def validate(self, value):
        forms.Field.validate(self, value)


def _label(application) -> str:
    where = " – ".join(str(x) for x in (application.organization, application.unit) if x)
    return f"{application.applicant} ({where or '–'})"


class AddPairForm(forms.Form):
    adept = _LaterChoice(label=_("Adept"), queryset=Application.objects.none())
    mentor = _LaterChoice(label=_("Mentor"), queryset=Application.objects.none())

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.accepted = Application.objects.filter(
            program=program, status=Application.Status.ACCEPTED
        ).select_related("applicant", "organization", "unit")
        self.fields["adept"].queryset = self.accepted.filter(role=Role.ADEPT)
        self.fields["mentor"].queryset = self.accepted.filter(role=Role.MENTOR)
        for field in self.fields.values():
            field.label_from_instance = _label
            field.widget.attrs["class"] = "form-select"

    def clean(self):
        data = super().clean()
        wanted = {name: data.get(name) for name in ("adept", "mentor")}
        found = self.accepted.in_bulk([pk for pk in wanted.values() if pk])
        for name, role in (("adept", Role.ADEPT), ("mentor", Role.MENTOR)):
            if wanted[name] is None:
                continue
            application = found.get(wanted[name])
            if application is None or application.role != role:
                self.add_error(
                    name,
                    forms.ValidationError(
                        self.fields[name].error_messages["invalid_choice"],
                        code="invalid_choice",
                    ),
                )
                data.pop(name, None)
            else:
                data[name] = application
        return data


class RematchForm(PlainTextForm, forms.Form):
    reason = forms.CharField(
        label=_("Why would you like a new match?"),
        help_text=_("Only the program's coordinators read this."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AskLineManagersForm(forms.Form):
    answer_by = forms.DateField(
        label=_("Line managers answer by"),
        widget=DateInput,
        help_text=_("After this date, a line manager who has not answered counts as agreeing."),
        error_messages={"required": _("Choose the date by which line managers answer.")},
    )


class ConsultationForm(PlainTextForm, forms.Form):
    """The line manager's view of the proposed mentor: agreed, or a concern for the
    coordinators."""

    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            ("agreed", _("I see no reason against the match")),
            ("concern", _("I have a concern")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you agree with the match.")},
    )
    concern = forms.CharField(
        label=_("Your concern (only the program's coordinators read it)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("answer") == "concern" and not data.get("concern", "").strip():
            self.add_error("concern", _("Write your concern for the coordinators."))
        return data


class PreferencesForm(PlainTextForm, forms.Form):
    """A person's ranks for their shortlist: for each candidate a rank (or none) and "rather
    not"; for an adept, a mentor they wish for; and their presentation."""

    presentation = forms.CharField(
        label=_("Your presentation"),
        required=False,
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you bring, what you seek: a few lines the other side reads."),
    )

    def __init__(self, *args, candidates, labels, depth, wishable=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        ranks = [("", _("No rank")), *((str(r), str(r)) for r in range(1, depth + 1))]
        for candidate, label in zip(candidates, labels, strict=True):
            pk = candidate.application.pk
            self.fields[f"rank_{pk}"] = forms.TypedChoiceField(
                label=_("Rank for %(candidate)s") % {"candidate": label},
                choices=ranks,
                coerce=int,
                empty_value=None,
                required=False,
                initial=candidate.rank,
            )
            self.fields[f"rather_not_{pk}"] = forms.BooleanField(
                label=_("Rather not %(candidate)s") % {"candidate": label},
                required=False,
                initial=candidate.rather_not,
            )
        if wishable:
            self.fields["named"] = forms.TypedChoiceField(
                label=_("A mentor you wish for (optional)"),
                choices=[("", "–"), *((str(m.pk), m.applicant.full_name) for m in wishable)],
                coerce=int,
                empty_value=None,
                required=False,
                help_text=_("Counts as your first choice where the program's rules allow it."),
            )

    def clean(self):
        data = super().clean()
        seen = {}
        for candidate in self.candidates:
            pk = candidate.application.pk
            rank = data.get(f"rank_{pk}")
            if rank is not None and data.get(f"rather_not_{pk}"):
                self.add_error(
                    f"rather_not_{pk}", _("A candidate you rank cannot also be a “rather not”.")
                )
            if rank is not None:
                if rank in seen:
                    self.add_error(
                        f"rank_{pk}", _("Each rank once: %(rank)d is given twice.") % {"rank": rank}
                    )
                seen[rank] = pk
        return data

    def ranks(self) -> dict[int, int]:
        return {
            c.application.pk: self.cleaned_data[f"rank_{c.application.pk}"]
            for c in self.candidates
            if self.cleaned_data.get(f"rank_{c.application.pk}") is not None
        }

    def rather_not(self) -> set[int]:
        return {
            c.application.pk
            for c in self.candidates
            if self.cleaned_data.get(f"rather_not_{c.application.pk}")
        }


class PulseForm(forms.Form):
    working = forms.TypedChoiceField(
        label=_("Is the match working?"),
        choices=[
            (5, _("5: very well")),
            (4, _("4: well")),
            (3, _("3: so-so")),
            (2, _("2: not well")),
            (1, _("1: not at all")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose from 1 to 5.")},
    )
    talk = forms.BooleanField(label=_("I would like to talk to the coordinators"), required=False)
