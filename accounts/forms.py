from django import forms
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext_lazy as _

from mentorship.text import PlainTextForm

from .models import User


class SignupForm(PlainTextForm, forms.Form):
    """Extra fields on allauth's sign-up form (allauth calls signup() after saving)."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["full_name", "email", "password1", "password2"]

    def clean(self):
        cleaned = super().clean()
        # allauth creates no account for an address that has one (it e-mails its owner), so
        # it hashes no password; a new address's sign-up spends most of its time hashing one.
        # Hash it here too, so that the answer's timing does not tell which addresses exist.
        if getattr(self, "account_already_exists", False):
            make_password(cleaned.get("password1") or "")
        return cleaned

    def signup(self, request, user):
        # The adapter has already set the name and language; nothing more to store.
        pass


class ProfileForm(PlainTextForm, forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "language", "monthly_reminders", "meeting_reminders"]
        widgets = {"full_name": forms.TextInput(attrs={"autocomplete": "name"})}

    def clean_full_name(self):
        name = self.cleaned_data["full_name"].strip()
        if not name:
            raise forms.ValidationError(_("Please enter your name."))
        return name
