from django import forms
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mentorship.i18n import language_of
from mentorship.text import PlainTextForm
from mentorship.widgets import DateInput

from .models import Application, ApplicationAnswer, Language, Program, Question, Role, Unit

# A draft may be longer than the program's page while the applicant works on it.
DRAFT_LETTER_MAX = 20_000


class LetterField(forms.CharField):
    """Counts characters as the browser does: a line break is one character, not \\r\\n."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if value else value


class ApplicationForm(PlainTextForm, forms.ModelForm):
    """The application, shaped by the program (organisations, focus areas, membership label,
    letter limit) and the role. With submitting=False (saving a draft) nothing is required."""

    # Its label is the program's (Program.words): an application or a registration of interest.
    consent_processing = forms.BooleanField(required=False)
    consent_bank = forms.BooleanField(
        label=_(
            "If I am not matched, keep me in the mentor bank so that I can be asked for a "
            "later program. I can leave the bank at any time."
        ),
        required=False,
    )
    proposed_unit = forms.CharField(
        label=_("My unit is not in the list: its name"),
        max_length=200,
        required=False,
        help_text=_("A coordinator adds it to the list, or tells you which listed unit it is."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you can hold the conversations in"),
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Application
        fields = [
            "organization",
            "unit",
            "job_title",
            "manager_since",
            "direct_reports",
            "membership_confirmed",
            "line_manager_name",
            "line_manager_email",
            "focus_areas",
            "meeting_format",
            "region",
            "languages",
            "wishes",
            "mentor_capacity",
            "letter",
        ]
        field_classes = {"letter": LetterField}
        widgets = {
            "manager_since": DateInput,
            "focus_areas": forms.CheckboxSelectMultiple,
            "meeting_format": forms.RadioSelect,
            "wishes": forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
            "letter": forms.Textarea(attrs={"rows": 16}),
            "job_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "line_manager_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "line_manager_email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "organization": forms.Select,
        }

    def __init__(self, *args, program: Program, role: str, submitting: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.role = role
        self.submitting = submitting
        fields = self.fields
        # The queryset is the rule: a tampered organisation id fails validation.
        fields["organization"].queryset = program.organizations.all()
        fields["organization"].empty_label = _("Choose your organisation")
        self._unit_choices(program)
        fields["focus_areas"].queryset = program.focus_areas.all()
        fields["focus_areas"].label = (
            _("What do you want support with?")
            if role == Role.ADEPT
            else _("What can you offer as a mentor?")
        )
        # No maxlength on the field: the browser would cut a pasted letter silently. A draft
        # keeps a letter of any reasonable length; sending it asks for one page, and says so.
        limit = program.letter_max_chars
        fields["letter"].help_text = _(
            "Plain text, at most %(limit)s characters (about one page). Why do you want to "
            "take part, and what do you hope for?"
        ) % {"limit": limit}
        fields["letter"].validators.append(
            forms.fields.validators.MaxLengthValidator(limit if submitting else DRAFT_LETTER_MAX)
        )
        fields["letter"].error_messages["max_length"] = _(
            "Your letter has %(show_value)d characters; the program asks for at most "
            "%(limit_value)d (about one page). Shorten it and send again: nothing you wrote "
            "is lost."
        )
        fields["consent_processing"].label = program.words["consent"]
        for name in program.optional_fields(role):
            fields[name].label = _("%(field)s (optional)") % {"field": fields[name].label}
        fields["manager_since"].widget.attrs["max"] = program.starts_on.isoformat()
        fields["direct_reports"].widget.attrs["min"] = 0
        fields["meeting_format"].choices = [
            c for c in fields["meeting_format"].choices if c[0] != ""
        ]
        if program.membership_required:
            # Written in the program's language, which may not be the page's (WCAG 3.1.2).
            fields["membership_confirmed"].label = format_html(
                '<span lang="{}">{}</span>', program.text_language, program.membership_label
            )
        else:
            del fields["membership_confirmed"]
        self._fields_of_role(program, role)
        self._line_manager_fields(program, role, submitting)
        self._question_fields(program, role, submitting)
        if self.instance.pk:
            fields["consent_processing"].initial = bool(self.instance.consent_processing_at)
            if "consent_bank" in fields:
                fields["consent_bank"].initial = bool(self.instance.consent_bank_at)
        if submitting:
            for name in program.required_to_submit(role):
                fields[name].required = True
            fields["consent_processing"].required = True
            if role == Role.MENTOR:
                fields["mentor_capacity"].required = True
            if program.membership_required:
                fields["membership_confirmed"].required = True
        else:
            for field in fields.values():
                field.required = False

    def _unit_choices(self, program: Program) -> None:
        """The units of the program's organisations, grouped by organisation (the page shows
        only the chosen organisation's group), a team under the unit it belongs to. The
        applicant's own proposal stays choosable until a coordinator has looked at it."""
        field = self.fields["unit"]
        mine = Q(pk=self.instance.unit_id) if self.instance.unit_id else Q(pk__in=[])
        units = (
            Unit.objects.filter(organization__in=program.organizations.all())
            .filter(Q(confirmed=True) | mine)
            .select_related("organization", "parent")
            .order_by(
                "organization__name",
                Coalesce("parent__name", "name"),
                F("parent").asc(nulls_first=True),
                "name",
            )
        )
        field.queryset = units
        field.empty_label = _("Choose your unit")
        groups: dict[str, list] = {}
        for unit in units:
            groups.setdefault(unit.organization.name, []).append((unit.pk, unit.path))
        field.widget.choices = [("", field.empty_label), *groups.items()]
        field.widget.attrs["data-grouped-by"] = "id_organization"
        field.help_text = (
            _("Pick the unit or leadership team you lead. Is it missing? Name it below.")
            if program.units_proposable
            else _("Pick the unit or leadership team you lead.")
        )
        if not program.units_proposable:
            del self.fields["proposed_unit"]

    def _question_fields(self, program: Program, role: str, submitting: bool) -> None:
        """The program's own questions for this role, after the fixed fields; each one's
        label carries the language it is written in where that is not the page's."""
        self.questions = [q for q in program.questions.all() if q.is_for(role)]
        answers = (
            {a.question_id: a for a in self.instance.answers.all()} if self.instance.pk else {}
        )
        for question in self.questions:
            field = question_field(question)
            field.required = submitting and question.required
            field.label = question.text
            if language_of(question, "text") != get_language()[:2]:
                field.label = format_html(
                    '<span lang="{}">{}</span>', language_of(question, "text"), question.text
                )
            if question.pk in answers:
                field.initial = answer_value(question, answers[question.pk])
            self.fields[f"question_{question.pk}"] = field

    @property
    def question_fields(self):
        return [self[f"question_{q.pk}"] for q in self.questions]

    def answers(self) -> dict:
        """{question: value} as the service takes them: options as Option objects."""
        data = self.cleaned_data
        values = {}
        for question in self.questions:
            value = data.get(f"question_{question.pk}")
            options = {str(o.pk): o for o in question.options.all()}
            if question.kind in (Question.Kind.CHOICE, Question.Kind.YES_NO):
                value = [options[value]] if value else []
            elif question.kind == Question.Kind.CHOICES:
                value = [options[v] for v in value or []]
            values[question] = value
        return values

    def clean(self):
        data = super().clean()
        organization, unit = data.get("organization"), data.get("unit")
        if (
            unit is not None
            and organization is not None
            and unit.organization_id != organization.pk
        ):
            self.add_error(
                "unit",
                _("%(unit)s is a unit of %(organization)s; choose one of your organisation's.")
                % {"unit": unit, "organization": unit.organization},
            )
        if (
            self.submitting
            and unit is None
            and not data.get("proposed_unit")
            and organization is not None
            and self.program.needs_unit(organization.pk)
        ):
            self.add_error(
                "unit",
                _("Pick your unit: the program matches you with someone from outside it."),
            )
        if unit is not None and data.get("proposed_unit"):
            self.add_error(
                "proposed_unit",
                _("Either pick your unit in the list or name a missing one, not both."),
            )
        return data

    def _line_manager_fields(self, program: Program, role: str, submitting: bool) -> None:
        """An adept names their line manager where the program involves them, and must
        where it asks for their support."""
        fields = self.fields
        if program.line_managers == Program.LineManagers.NONE or role != Role.ADEPT:
            del fields["line_manager_name"], fields["line_manager_email"]
            return
        # Under the heading "Your line manager".
        fields["line_manager_name"].label = _("Name")
        fields["line_manager_email"].label = _("E-mail address")
        fields["line_manager_email"].help_text = (
            _("We ask them by e-mail to confirm their support; they never see your letter.")
            if program.line_managers == Program.LineManagers.SUPPORT
            else _("We tell them of your application by e-mail; they never see your letter.")
        )
        if submitting and program.line_managers == Program.LineManagers.SUPPORT:
            fields["line_manager_name"].required = fields["line_manager_email"].required = True

    def _fields_of_role(self, program: Program, role: str) -> None:
        """Capacity is a mentor's; the mentor bank is for mentors, where the program has one."""
        fields = self.fields
        if role == Role.MENTOR:
            fields["mentor_capacity"].widget = forms.NumberInput(attrs={"min": 1, "max": 3})
            fields["mentor_capacity"].help_text = _("From 1 to 3.")
            if not program.mentor_bank:
                del fields["consent_bank"]
        else:
            del fields["mentor_capacity"]
            del fields["consent_bank"]


def question_field(question: Question) -> forms.Field:
    """A form field for one of the program's questions; choices come from the prefetched
    options, so a form with many questions still runs a fixed number of queries."""
    kind = question.kind
    choices = [(str(o.pk), o.text) for o in question.options.all()]
    if kind in (Question.Kind.CHOICE, Question.Kind.YES_NO):
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect)
    if kind == Question.Kind.CHOICES:
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple)
    if kind == Question.Kind.DATE:
        return forms.DateField(widget=DateInput)
    if kind == Question.Kind.NUMBER:
        return forms.DecimalField(max_digits=12, decimal_places=2)
    if kind == Question.Kind.LONG_TEXT:
        return forms.CharField(max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))
    return forms.CharField(max_length=300)


def answer_value(question: Question, answer: ApplicationAnswer):
    """What the question's field shows for a stored answer."""
    kind = question.kind
    if kind in (Question.Kind.CHOICE, Question.Kind.YES_NO):
        picked = [str(o.pk) for o in answer.options.all()]
        return picked[0] if picked else None
    if kind == Question.Kind.CHOICES:
        return [str(o.pk) for o in answer.options.all()]
    if kind == Question.Kind.DATE:
        return answer.date
    if kind == Question.Kind.NUMBER:
        return answer.number
    return answer.text


class LineManagerForm(PlainTextForm, forms.Form):
    """The line manager's answer: support or not, and for a decline a reason for the
    coordinators."""

    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            ("supported", _("I support the application")),
            ("declined", _("I do not support the application")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you support the application.")},
    )
    reason = forms.CharField(
        label=_("Why not (optional; only the program's coordinators read it)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
