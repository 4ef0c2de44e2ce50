"""Surveys in the coordinators' back office: attach one to a milestone, start from the ready
half-time or final set (or an earlier survey), edit the questions. Answers are not here:
coordinators read results, aggregated, on the results page."""

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.admin import CoordinatorPermissions
from accounts.models import is_coordinator
from programs.models import Milestone, Program

from . import services
from .models import Question, Survey


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = [
        ("position", "kind", "required"),
        "text_sv",
        "text_en",
        "text_da",
        ("choices_sv", "choices_en", "choices_da"),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name.startswith("choices_"):
            field.widget.attrs["rows"] = 3
        return field

    def _answered(self, obj):
        return obj is not None and obj.responses.exists()

    # Once people have answered, questions can be corrected but not added, removed or
    # turned into another kind: that would break the results.
    def get_readonly_fields(self, request, obj=None):
        if self._answered(obj):
            return ["kind", "choices_sv", "choices_en", "choices_da"]
        return []

    def has_add_permission(self, request, obj=None):
        return is_coordinator(request.user) and not self._answered(obj)

    def has_change_permission(self, request, obj=None):
        return is_coordinator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_coordinator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_coordinator(request.user) and not self._answered(obj)


class SurveyAddForm(forms.ModelForm):
    start_with = forms.ChoiceField(
        label=_("Questions"),
        help_text=_("Start from the ready set for this evaluation, or from an earlier survey."),
    )

    class Meta:
        model = Survey
        fields = ["milestone", "phase", "opens_at", "closes_at", "intro_sv", "intro_en", "intro_da"]

    def __init__(self, *args, earlier=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_with"].choices = [
            (services.START_DEFAULT, _("The ready questions for this evaluation")),
            (services.START_EMPTY, _("No questions: I write my own")),
        ] + [
            (str(s.pk), _("A copy of: %(survey)s, %(program)s") % {
                "survey": s.title, "program": s.program.name,
            })
            for s in earlier
        ]  # fmt: skip
        self.earlier = {str(s.pk): s for s in earlier}

    def start_from(self):
        value = self.cleaned_data["start_with"]
        return self.earlier.get(value, value)


@admin.register(Survey)
class SurveyAdmin(CoordinatorPermissions, admin.ModelAdmin):
    list_display = ["__str__", "program", "milestone", "opens_at", "closes_at", "answers", "links"]
    list_filter = ["phase", ("program", admin.RelatedOnlyFieldListFilter)]
    inlines = [QuestionInline]
    fields = ["milestone", "phase", ("opens_at", "closes_at"), "intro_sv", "intro_en", "intro_da"]

    def get_queryset(self, request):
        return (
            Survey.objects.for_coordinator(request.user)
            .select_related("program", "milestone")
            .annotate(sent=Count("responses", filter=Q(responses__submitted_at__isnull=False)))
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            earlier = Survey.objects.for_coordinator(request.user).select_related("program")
            form = super().get_form(request, obj, change=change, form=SurveyAddForm, **kwargs)

            class Add(form):
                def __init__(self, *args, **kw):
                    super().__init__(*args, earlier=list(earlier), **kw)

            return Add
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # Answers belong to the evaluation they were given to.
        if obj is not None and obj.responses.exists():
            return ["milestone", "phase"]
        return []

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*self.fields, "start_with"]
        return self.fields

    def get_inlines(self, request, obj):
        # A new survey gets its questions from the chosen start; they are edited after.
        return self.inlines if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "milestone":
            programs = Program.objects.coordinated_by(request.user)
            kwargs["queryset"] = Milestone.objects.filter(program__in=programs).select_related(
                "program"
            )
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = lambda m: (
                f"{m.program.name}: {m.display_title} ({m.starts_at:%Y-%m-%d})"
            )
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.survey_save(
            survey=obj, by=request.user, start_with=None if change else form.start_from()
        )

    @admin.display(description=_("answers sent"), ordering="sent")
    def answers(self, obj):
        return obj.sent

    @admin.display(description=_("results"))
    def links(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("evaluations:results", args=[obj.pk]),
            _("Results"),
            reverse("evaluations:dashboard", args=[obj.program.slug]),
            _("Dashboard"),
        )
