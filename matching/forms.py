from django import forms
from django.utils.translation import gettext_lazy as _

from programs.models import Application, Role


class AddPairForm(forms.Form):
    adept = forms.ModelChoiceField(label=_("Adept"), queryset=Application.objects.none())
    mentor = forms.ModelChoiceField(label=_("Mentor"), queryset=Application.objects.none())

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        accepted = Application.objects.filter(
            program=program, status=Application.Status.ACCEPTED
        ).select_related("applicant", "organization")
        self.fields["adept"].queryset = accepted.filter(role=Role.ADEPT)
        self.fields["mentor"].queryset = accepted.filter(role=Role.MENTOR)
        for field in self.fields.values():
            field.label_from_instance = lambda a: f"{a.applicant} ({a.organization or '–'})"


class RematchForm(forms.Form):
    reason = forms.CharField(
        label=_("Why would you like a new match?"),
        help_text=_("Only the program's coordinators read this."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
