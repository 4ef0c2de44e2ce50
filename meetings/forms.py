from django import forms
from django.utils.translation import gettext_lazy as _

from mentorship.text import PlainTextForm
from mentorship.widgets import DATETIME_LOCAL, DateTimeLocalInput

from .models import MAX_MINUTES, MIN_MINUTES, Goal, GoalComment, Meeting


class GoalForm(PlainTextForm, forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["title", "description", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class CommentForm(PlainTextForm, forms.ModelForm):
    class Meta:
        model = GoalComment
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class MeetingForm(PlainTextForm, forms.ModelForm):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        input_formats=[DATETIME_LOCAL],
        widget=DateTimeLocalInput,
    )

    class Meta:
        model = Meeting
        fields = [
            "kind", "starts_at", "duration_minutes", "meeting_format", "location", "agenda",
            "notes",
        ]  # fmt: skip
        widgets = {
            "kind": forms.RadioSelect,
            "meeting_format": forms.RadioSelect,
            "agenda": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 5}),
            "duration_minutes": forms.NumberInput(
                attrs={"min": MIN_MINUTES, "max": MAX_MINUTES, "step": 15}
            ),
        }
        help_texts = {
            "notes": _("What you talked about. Only the two of you can read it."),
            "location": _("An address or room, or the link to a digital meeting."),
        }

    def __init__(self, *args, line_manager: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duration_minutes"].help_text = _("From 15 minutes to 8 hours.")
        kind = self.fields["kind"]
        kind.label = _("Kind of meeting")
        if not line_manager:
            # The pair has no line manager in the program: every meeting is the pair's.
            del self.fields["kind"]
        elif self.instance.pk:
            # Who is invited is settled when the meeting is planned.
            kind.disabled = True
        else:
            kind.help_text = _(
                "The line manager is invited by e-mail with a calendar file and sees the "
                "meeting's time and place, never its agenda or notes."
            )
