"""The coordinators' back office for programs.

Coordinators are staff users who are not superusers. They need no Django model permissions:
what they may see and change is decided here, from the programs they coordinate, and every
queryset goes through Program.objects.coordinated_by().
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import (
    NATIVE_WIDGETS,
    CoordinatedProgramFilter,
    CoordinatorPermissions,
    FollowedProgramFilter,
    IdFilter,
    person_label,
)
from accounts.models import is_coordinator
from audit.models import AuditEntry
from audit.services import audit
from mentorship.errors import ServiceError
from mentorship.months import add_months
from mentorship.spreadsheets import UnreadableSheet, read_rows
from notifications.models import Notification
from notifications.planning import plan_all
from notifications.services import kick_delivery

from . import services
from .exports import applications_export
from .imports import (
    BANK_SALT,
    COORDINATOR_SALT,
    PARTICIPANT_SALT,
    apply_coordinators,
    apply_mentor_bank,
    apply_participants,
    apply_units,
    changeable_organizations,
    plan_coordinators,
    plan_mentor_bank,
    plan_participants,
    plan_units,
    sign_program_rows,
    sign_rows,
    unsign_program_rows,
    unsign_rows,
)
from .models import (
    Application,
    BankOffer,
    EmailText,
    FocusArea,
    LineManagerSupport,
    MentorBankEntry,
    Milestone,
    Option,
    OptionalField,
    Organization,
    OrganizationCoordinator,
    Program,
    Question,
    Role,
    Unit,
)


class SharedByPrograms(CoordinatorPermissions):
    """Organisations and focus areas are shared by programs: a coordinator changes one only
    if they coordinate every program that uses it (a superuser always); anyone else reads it,
    and is told why."""

    # Program's fields that name this model.
    used_by: tuple[str, ...] = ()
    read_only_message = ""

    def programs_using(self, obj):
        uses = Q()
        for lookup in self.used_by:
            uses |= Q(**{lookup: obj})
        return Program.objects.filter(uses)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.is_superuser:
            return True
        return not self.programs_using(obj).exclude(coordinators=request.user).exists()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The context gets has_change_permission only in super(): ask for it here.
        if change and not self.has_change_permission(request, obj):
            self.message_user(request, self.read_only_message, messages.WARNING)
        return super().render_change_form(request, context, add, change, form_url, obj)


class UnitInline(SharedByPrograms, admin.StackedInline):
    """The organisation's units on its own page: whoever may change the organisation keeps
    its units (a unit with applications cannot be deleted, only merged)."""

    model = Unit
    fk_name = "organization"
    fields = [("name", "parent", "confirmed")]
    extra = 0
    show_change_link = True
    used_by = ("organizations", "owner")

    def has_add_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "parent":
            organization_id = request.resolver_match.kwargs.get("object_id")
            field.queryset = Unit.objects.filter(organization_id=organization_id or 0)
        return field


@admin.register(Organization)
class OrganizationAdmin(SharedByPrograms, admin.ModelAdmin):
    list_display = ["name", "short_name", "unit_count"]
    search_fields = ["name", "short_name"]
    used_by = ("organizations", "owner")
    inlines = [UnitInline]
    read_only_message = _(
        "Programs you do not coordinate use this organisation, so only their coordinators "
        "together or an administrator can change it."
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(unit_total=Count("units"))

    @admin.display(description=_("units"), ordering="unit_total")
    def unit_count(self, obj):
        return obj.unit_total

    def get_inline_instances(self, request, obj=None):
        # Units belong to an organisation that exists; a new one gets them after saving.
        return super().get_inline_instances(request, obj) if obj is not None else []


class ProposedFilter(admin.SimpleListFilter):
    title = _("in the list")
    parameter_name = "listed"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No, proposed by an applicant"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(confirmed=self.value() == "yes")
        return queryset


class UnitOrganizationFilter(IdFilter):
    title = _("organisation")
    parameter_name = "organization"

    def lookups(self, request, model_admin):
        return list(
            model_admin.get_queryset(request)
            .values_list("organization_id", "organization__name")
            .distinct()
            .order_by("organization__name")
        )

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(organization_id=self.value())
        return queryset


class UnitImportForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("Leave empty if the file has a column with each row's organisation."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A .csv or .xlsx file with the columns organisation (unless chosen above), unit and "
            "part of (the larger unit, may be empty); a first row with these headings is "
            "recognised in Swedish, Danish and English."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = changeable_organizations(user)


class PeopleImportForm(forms.Form):
    """A spreadsheet of people, one row each; the help text says its columns."""

    file = forms.FileField(
        label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"})
    )

    def __init__(self, *args, help_text, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = help_text


@dataclass(frozen=True)
class PeopleImport:
    """One of the program's imports of people: how its rows become a plan and are carried
    out, and what its pages say."""

    plan: Callable
    apply: Callable
    salt: str  # of the signed rows the preview hands on to the import
    title: Callable[[Program], str]
    help_text: str
    done: Callable[[int], str]


PEOPLE_IMPORTS = {
    "coordinators": PeopleImport(
        plan=plan_coordinators,
        apply=apply_coordinators,
        salt=COORDINATOR_SALT,
        title=lambda program: _("Import coordinators of %(program)s") % {"program": program.name},
        help_text=_(
            "A .csv or .xlsx file with the columns e-mail, name and organisation: the "
            "organisation whose people they coordinate, as the program names it, or empty for "
            "a coordinator of the whole program. A first row with these headings is "
            "recognised in Swedish, Danish and English."
        ),
        done=lambda count: (
            ngettext(
                "%(count)d coordinator invited; each gets one e-mail with the steps.",
                "%(count)d coordinators invited; each gets one e-mail with the steps.",
                count,
            )
            % {"count": count}
        ),
    ),
    "participants": PeopleImport(
        plan=plan_participants,
        apply=apply_participants,
        salt=PARTICIPANT_SALT,
        title=lambda program: (
            _("Invite participants of %(program)s from a list") % {"program": program.name}
        ),
        help_text=_(
            "A .csv or .xlsx file with the columns e-mail, name, role (adept or mentor), "
            "organisation (one that takes part in the program), unit, job title and language "
            "(sv, da or en, for someone new to the app; empty: the program's). Only e-mail, "
            "name and role are needed. A first row with these headings is recognised in "
            "Swedish, Danish and English."
        ),
        done=lambda count: (
            ngettext(
                "%(count)d person invited to apply; each gets one e-mail with the link.",
                "%(count)d people invited to apply; each gets one e-mail with the link.",
                count,
            )
            % {"count": count}
        ),
    ),
    "mentor_bank": PeopleImport(
        plan=plan_mentor_bank,
        apply=apply_mentor_bank,
        salt=BANK_SALT,
        title=lambda program: (
            _("Import mentors to the mentor bank of %(organisation)s")
            % {"organisation": program.owner.name}
        ),
        help_text=_(
            "A .csv or .xlsx file with the columns e-mail, name, note (why and since when the "
            "mentor is in the bank; they can read it) and language (sv, da or en: the "
            "language of their e-mails if they are new to the app; empty: the program's). A "
            "first row with these headings is recognised in Swedish, Danish and English."
        ),
        done=lambda count: (
            ngettext(
                "%(count)d mentor added to the mentor bank; each gets one e-mail that says so, "
                "with the way out.",
                "%(count)d mentors added to the mentor bank; each gets one e-mail that says so, "
                "with the way out.",
                count,
            )
            % {"count": count}
        ),
    ),
}


class NextEditionForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the new edition"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
    )
    starts_on = forms.DateField(
        label=_("The new edition starts on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Every date of the program (the application window, the end, the milestones) "
            "moves by as much as the start."
        ),
    )

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program

    def clean_starts_on(self):
        starts_on = self.cleaned_data["starts_on"]
        if starts_on <= self.program.starts_on:
            raise forms.ValidationError(
                _("The new edition must start after this one, which starts on %(date)s.")
                % {"date": date_format(self.program.starts_on)}
            )
        return starts_on

    @staticmethod
    def initial_for(program: Program) -> dict:
        """A year on: the same start date, and the years in the name one higher."""
        return {
            "name": re.sub(r"\b(19|20)\d\d\b", lambda m: str(int(m.group()) + 1), program.name),
            "starts_on": add_months(program.starts_on, 12),
        }


class EditionInviteForm(forms.Form):
    """Which groups the new edition invites to apply; each label says how many."""

    groups = forms.MultipleChoiceField(
        label=_("Invite to apply"),
        # The admin's own list of choices: each label as wide as it needs.
        widget=forms.CheckboxSelectMultiple(attrs={"class": "radiolist"}),
        error_messages={"required": _("Choose at least one group to invite.")},
    )

    def __init__(self, *args, program: Program, invitees: dict, **kwargs):
        super().__init__(*args, **kwargs)
        previous = program.previous_edition
        labels = {
            services.Invitees.BANK: _("The mentor bank of %(organisation)s")
            % {"organisation": program.owner.name},
            services.Invitees.WAITLIST: _("The waiting list of %(program)s")
            % {"program": previous.name if previous else _("the previous edition")},
            services.Invitees.MENTORS: _("The mentors of %(program)s")
            % {"program": previous.name if previous else _("the previous edition")},
        }
        self.fields["groups"].choices = [
            (
                group,
                format_html(
                    "{} ({})",
                    labels[group],
                    ngettext(
                        "%(count)d person not yet invited",
                        "%(count)d people not yet invited",
                        len(invitees[group]),
                    )
                    % {"count": len(invitees[group])},
                ),
            )
            for group in services.Invitees.GROUPS
        ]
        self.fields["groups"].help_text = _(
            "Each person is invited once to this edition, in the role they had: adepts as "
            "adepts, mentors as mentors. People who have applied already are left out. The "
            "e-mail's link fills in the form from their application of last time."
        )


class UnitMergeForm(forms.Form):
    keep = forms.ModelChoiceField(
        label=_("Keep"), queryset=Unit.objects.none(), widget=forms.RadioSelect, empty_label=None
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = units
        self.fields["keep"].label_from_instance = lambda unit: unit.path


@admin.register(Unit)
class UnitAdmin(SharedByPrograms, admin.ModelAdmin):
    """Units of the organisations in the programs a coordinator coordinates: the list the
    applicants pick from, the proposals to confirm or merge, and an import from the
    coordinator's spreadsheet."""

    fields = ["organization", "name", "parent", "confirmed"]
    list_display = ["name", "organization", "parent_name", "confirmed", "application_count"]
    list_filter = [ProposedFilter, UnitOrganizationFilter]
    search_fields = ["name", "organization__name", "parent__name"]
    list_per_page = 100
    actions = ["confirm", "merge"]
    used_by = ("organizations__units", "owner__units")
    read_only_message = _(
        "Programs you do not coordinate use this unit's organisation, so only their "
        "coordinators together or an administrator can change it."
    )

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def get_queryset(self, request):
        units = Unit.objects.select_related("organization", "parent").annotate(
            application_total=Count("applications")
        )
        if request.user.is_superuser:
            return units
        programs = Program.objects.coordinated_by(request.user)
        return units.filter(
            Q(organization__programs__in=programs) | Q(organization__owned_programs__in=programs)
        ).distinct()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "organization":
            field.queryset = changeable_organizations(request.user)
        if db_field.name == "parent":
            field.queryset = self.get_queryset(request).order_by("organization__name", "name")
            field.label_from_instance = lambda unit: f"{unit.organization} – {unit.path}"
        return field

    @admin.display(description=_("part of"), ordering="parent__name")
    def parent_name(self, obj):
        return obj.parent.name if obj.parent_id else "–"

    @admin.display(description=_("applications"), ordering="application_total")
    def application_count(self, obj):
        return obj.application_total

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="programs_unit_import",
            ),
            *super().get_urls(),
        ]

    def _changeable(self, request, queryset):
        allowed = changeable_organizations(request.user)
        return queryset.filter(organization__in=allowed), queryset.exclude(
            organization__in=allowed
        ).count()

    @admin.action(description=_("Confirm the selected units (put them in the list)"))
    def confirm(self, request, queryset):
        units, refused = self._changeable(request, queryset)
        done = units.filter(confirmed=False).update(confirmed=True)
        if refused:
            self.message_user(request, self.read_only_message, messages.ERROR)
        self.message_user(
            request,
            ngettext(
                "%(count)d unit is now in the list.", "%(count)d units are now in the list.", done
            )
            % {"count": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("Merge the selected units into one"))
    def merge(self, request, queryset):
        """A step of its own: the coordinator picks the unit to keep; the others' applicants
        and sub-units move to it, and the others are deleted."""
        units, refused = self._changeable(request, queryset)
        if refused:
            self.message_user(request, self.read_only_message, messages.ERROR)
            return None
        if units.count() < 2 or units.values("organization").distinct().count() != 1:
            self.message_user(
                request,
                _("Choose at least two units of one organisation to merge."),
                messages.ERROR,
            )
            return None
        form = UnitMergeForm(request.POST if "apply" in request.POST else None, units=units)
        if form.is_valid():
            keep = form.cleaned_data["keep"]
            merged = services.units_merge(keep=keep, units=units, by=request.user)
            self.message_user(
                request,
                ngettext(
                    "%(count)d unit merged into %(unit)s.",
                    "%(count)d units merged into %(unit)s.",
                    merged,
                )
                % {"count": merged, "unit": keep.path},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/programs/unit/merge.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Merge units"),
                "form": form,
                "units": units,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    def import_view(self, request):
        """Upload, preview, import: nothing is saved until the coordinator has seen what the
        file would change and says so."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "token" in request.POST:
            return self._import_apply(request)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import units"),
            "opts": self.model._meta,
        }
        form = UnitImportForm(user=request.user)
        if request.method == "POST":
            form = UnitImportForm(request.POST, request.FILES, user=request.user)
            if form.is_valid():
                context.update(self._import_preview(request, form))
        context["form"] = form
        if form.errors:
            context["title"] = f"{_('Error:')} {context['title']}"
        return TemplateResponse(request, "admin/programs/unit/import.html", context)

    def _import_preview(self, request, form) -> dict:
        organization = form.cleaned_data["organization"]
        try:
            rows = read_rows(form.cleaned_data["file"])
        except UnreadableSheet as exc:
            form.add_error("file", str(exc))
            return {}
        plan = plan_units(rows, user=request.user, organization=organization)
        if not plan.rows:
            form.add_error("file", _("The file has no rows to import."))
            return {}
        return {
            "plan": plan,
            "token": sign_rows(rows, organization),
            "title": _("Import units: preview"),
        }

    def _import_apply(self, request):
        try:
            rows, organization_id = unsign_rows(request.POST["token"])
        except signing.BadSignature:
            self.message_user(
                request,
                _("The preview is more than an hour old or was changed: upload the file again."),
                messages.ERROR,
            )
            return redirect("admin:programs_unit_import")
        organization = changeable_organizations(request.user).filter(pk=organization_id).first()
        plan = plan_units(rows, user=request.user, organization=organization)
        try:
            changed = apply_units(plan, user=request.user)
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return redirect("admin:programs_unit_import")
        self.message_user(
            request,
            ngettext(
                "%(count)d unit imported or changed.",
                "%(count)d units imported or changed.",
                changed,
            )
            % {"count": changed},
            messages.SUCCESS,
        )
        return redirect("admin:programs_unit_changelist")


@admin.register(FocusArea)
class FocusAreaAdmin(SharedByPrograms, admin.ModelAdmin):
    used_by = ("focus_areas",)
    read_only_message = _(
        "Programs you do not coordinate use this focus area, so only their coordinators "
        "together or an administrator can change it."
    )
    list_display = ["code", "name_sv", "name_en", "name_da"]
    search_fields = ["code", "name_sv", "name_en", "name_da"]


class OrganizationCoordinatorInline(CoordinatorPermissions, admin.StackedInline):
    """Who coordinates one organisation's people; added by invitation (the field above, or
    an import), removed here."""

    model = OrganizationCoordinator
    fields = ["organization", "coordinator", "created_at"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization", "user")

    @admin.display(description=_("coordinator"))
    def coordinator(self, obj):
        return person_label(obj.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return is_coordinator(request.user)


class MilestoneInline(CoordinatorPermissions, admin.StackedInline):
    model = Milestone
    extra = 0
    formfield_overrides = {**NATIVE_WIDGETS, models.URLField: {"assume_scheme": "https"}}
    fields = [
        ("kind", "audience"),
        ("title_sv", "title_en", "title_da"),
        ("starts_at", "ends_at"),
        ("location", "online_url"),
        ("notice_days", "line_manager_meeting"),
        ("description_sv", "description_en", "description_da"),
    ]

    def has_delete_permission(self, request, obj=None):
        return is_coordinator(request.user)


class QuestionInline(CoordinatorPermissions, admin.StackedInline):
    """The program's own questions, in order; the answers to pick are set on the question's
    own page (the link beside each)."""

    model = Question
    extra = 0
    fields = [
        ("text_sv", "text_en", "text_da"),
        ("kind", "role"),
        ("required", "criterion", "position"),
    ]
    show_change_link = True

    def has_delete_permission(self, request, obj=None):
        return is_coordinator(request.user)


class EmailTextInline(CoordinatorPermissions, admin.StackedInline):
    """The program's own paragraph in an e-mail: who books the first meeting and what to bring
    in the introduction, what comes next in a decision, a last word at the close."""

    model = EmailText
    extra = 0
    fields = ["kind", ("text_sv", "text_en", "text_da")]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 4})}}

    def has_delete_permission(self, request, obj=None):
        return is_coordinator(request.user)


class OptionInline(CoordinatorPermissions, admin.StackedInline):
    model = Option
    extra = 0
    fields = [("text_sv", "text_en", "text_da"), ("places", "eligible", "position")]

    def has_delete_permission(self, request, obj=None):
        return is_coordinator(request.user)


@admin.register(Question)
class QuestionAdmin(CoordinatorPermissions, admin.ModelAdmin):
    list_display = ["__str__", "program", "kind", "role", "required", "criterion"]
    list_filter = [CoordinatedProgramFilter, "kind"]
    fields = [
        "program", "position", "text_sv", "text_en", "text_da", "kind", "role", "required",
        "criterion",
    ]  # fmt: skip
    inlines = [OptionInline]

    def get_queryset(self, request):
        return Question.objects.for_coordinator(request.user).select_related("program")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "program":
            field.queryset = Program.objects.coordinated_by(request.user)
        return field

    def has_delete_permission(self, request, obj=None):
        return is_coordinator(request.user)


def optional_fields(label) -> forms.MultipleChoiceField:
    """Which of the form's fixed fields a role may leave empty, as check boxes."""
    return forms.MultipleChoiceField(
        label=label,
        choices=OptionalField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "radiolist"}),
        help_text=_("The rest of the form stays required when they submit."),
    )


class ProgramAdminForm(forms.ModelForm):
    invite_coordinator = forms.EmailField(
        label=_("Invite a co-coordinator"),
        required=False,
        help_text=_(
            "Their e-mail address. They get an e-mail with a link to set a password and set up "
            "a second factor, and then coordinate this program with you."
        ),
    )

    invite_organization = forms.ModelChoiceField(
        label=_("Coordinates"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("the whole program, with you"),
        help_text=_(
            "Or one of the participating organisations only: its coordinator sees and decides "
            "that organisation's applications and follows its pairs, while the program's "
            "settings, the matching and publishing stay with you."
        ),
    )

    adept_optional = optional_fields(_("Adepts may leave empty"))
    mentor_optional = optional_fields(_("Mentors may leave empty"))

    class Meta:
        model = Program
        fields = []  # the admin's fieldsets say which

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "invite_organization" in self.fields and self.instance.pk:
            self.fields["invite_organization"].queryset = self.instance.organizations.all()

    def clean_status(self):
        status = self.cleaned_data["status"]
        if self.instance.pk:
            try:
                services.program_status_check(current=self.initial["status"], status=status)
            except ServiceError as exc:
                raise forms.ValidationError(exc.message) from exc
        return status


@admin.register(Program)
class ProgramAdmin(CoordinatorPermissions, admin.ModelAdmin):
    form = ProgramAdminForm
    list_display = [
        "name",
        "current_status",
        "applications_close_at",
        "starts_on",
        "ends_on",
        "adept_places",
        "milestone_count",
        "matching_link",
        "dashboard_link",
    ]
    list_filter = ["status", "pairing_rule"]
    list_select_related = ["owner"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganizationCoordinatorInline, MilestoneInline, QuestionInline, EmailTextInline]
    actions = ["send_due_notices"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "status",
                    "text_language",
                    "summary",
                    "description",
                    "audience",
                ]
            },
        ),
        (
            _("Organisations and people"),
            {
                "fields": [
                    "owner",
                    "organizations",
                    "coordinators",
                    ("invite_coordinator", "invite_organization"),
                ]
            },
        ),
        (
            _("Application window and dates"),
            {
                "fields": [
                    ("applications_open_at", "applications_close_at"),
                    ("starts_on", "ends_on"),
                ]
            },
        ),
        (
            _("Places and meetings"),
            {
                "fields": [
                    "adept_places",
                    ("meetings_min", "meetings_max"),
                    ("meeting_minutes_min", "meeting_minutes_max"),
                    "reminder_day",
                ]
            },
        ),
        (
            _("Eligibility and matching"),
            {
                "fields": [
                    ("adept_min_manager_months", "adept_max_manager_months"),
                    ("mentor_min_manager_months", "mentor_max_manager_months"),
                    "manager_months_counted",
                    ("membership_required", "membership_label"),
                    "pairing_rule",
                    "units_proposable",
                    "focus_areas",
                    "mentor_bank",
                    "line_managers",
                    ("line_manager_say", "mentor_books_planning"),
                ]
            },
        ),
        (
            _("The application form"),
            {
                "fields": [
                    "registration_of_interest",
                    ("adept_optional", "mentor_optional"),
                    "letter_max_chars",
                ]
            },
        ),
        (
            _("Personal data"),
            {
                "fields": [
                    "privacy_contact",
                    ("retention_months", "rejected_retention_months"),
                    "archive_on_erasure",
                ]
            },
        ),
        (
            _("Preference round"),
            {
                "fields": [
                    ("preferences_open_at", "preferences_close_at"),
                    ("shortlist_size", "mentors_rank", "blind_shortlist"),
                ],
            },
        ),
        (
            _("Matching weights"),
            {
                "classes": ["collapse"],
                "fields": [
                    ("weight_needs", "weight_region", "weight_format"),
                    ("weight_language", "weight_experience", "weight_wishes"),
                    ("weight_preferences", "matching_min_score"),
                ],
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            Program.objects.coordinated_by(request.user)
            .select_related("owner", "previous_edition")
            .annotate(milestone_total=Count("milestones", distinct=True))
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/next-edition/",
                self.admin_site.admin_view(self.next_edition_view),
                name="programs_program_next_edition",
            ),
            path(
                "<path:object_id>/invite/",
                self.admin_site.admin_view(self.invite_view),
                name="programs_program_invite",
            ),
            path(
                "<path:object_id>/coordinators/",
                self.admin_site.admin_view(self.coordinators_import_view),
                name="programs_program_coordinators",
            ),
            path(
                "<path:object_id>/participants/",
                self.admin_site.admin_view(self.participants_import_view),
                name="programs_program_participants",
            ),
            path(
                "<path:object_id>/mentor-bank/",
                self.admin_site.admin_view(self.mentor_bank_import_view),
                name="programs_program_mentor_bank",
            ),
            *super().get_urls(),
        ]

    def invite_view(self, request, object_id):
        """Invite the mentor bank, last edition's waiting list and its mentors to apply."""
        program = self._coordinated(request, object_id)
        invitees = services.edition_invitees(program)
        form = EditionInviteForm(
            request.POST if request.method == "POST" else None,
            program=program,
            invitees=invitees,
        )
        if form.is_valid():
            try:
                invited = services.edition_invite(
                    program=program, groups=form.cleaned_data["groups"], by=request.user
                )
            except ServiceError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return redirect("admin:programs_program_invite", program.pk)
            self.message_user(
                request,
                ngettext(
                    "%(count)d invitation to apply to %(program)s is on its way.",
                    "%(count)d invitations to apply to %(program)s are on their way.",
                    invited,
                )
                % {"count": invited, "program": program.name}
                if invited
                else _(
                    "No one in the groups you chose is left to invite: all have applied or "
                    "been invited."
                ),
                messages.SUCCESS if invited else messages.INFO,
            )
            return redirect("admin:programs_program_change", program.pk)
        title = _("Invite to apply to %(program)s") % {"program": program.name}
        return self._step_page(request, program, form, title, "invite", is_open=program.is_open())

    def coordinators_import_view(self, request, object_id):
        return self._people_import(request, self._coordinated(request, object_id), "coordinators")

    def participants_import_view(self, request, object_id):
        return self._people_import(request, self._coordinated(request, object_id), "participants")

    def mentor_bank_import_view(self, request, object_id):
        program = self._coordinated(request, object_id)
        if not program.mentor_bank:
            self.message_user(
                request,
                _("%(program)s keeps no mentor bank: turn it on in the program's settings first.")
                % {"program": program.name},
                messages.ERROR,
            )
            return redirect("admin:programs_program_change", program.pk)
        return self._people_import(request, program, "mentor_bank")

    def _people_import(self, request, program, name):
        """People from a spreadsheet (a network's coordinators, the mentor bank): upload,
        preview, import. Nothing is saved and no one is e-mailed until the coordinator has
        seen the preview."""
        steps = PEOPLE_IMPORTS[name]
        title = steps.title(program)
        here = request.path
        if request.method == "POST" and "token" in request.POST:
            try:
                rows = unsign_program_rows(request.POST["token"], program, steps.salt)
            except signing.BadSignature:
                self.message_user(
                    request,
                    _("The preview is more than an hour old or was changed: upload the file "
                      "again."),
                    messages.ERROR,
                )  # fmt: skip
                return redirect(here)
            try:
                done = steps.apply(
                    steps.plan(rows, program=program), program=program, by=request.user
                )
            except ServiceError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return redirect(here)
            self.message_user(request, steps.done(done), messages.SUCCESS)
            return redirect("admin:programs_program_change", program.pk)
        form = PeopleImportForm(
            request.POST or None, request.FILES or None, help_text=steps.help_text
        ) if request.method == "POST" else PeopleImportForm(help_text=steps.help_text)  # fmt: skip
        extra = {"legend": title}
        if form.is_valid():
            try:
                rows = read_rows(form.cleaned_data["file"])
            except UnreadableSheet as exc:
                form.add_error("file", str(exc))
            else:
                plan = steps.plan(rows, program=program)
                if plan.rows:
                    extra |= {"plan": plan, "token": sign_program_rows(rows, program, steps.salt)}
                    title = _("%(title)s: preview") % {"title": title}
                else:
                    form.add_error("file", _("The file has no rows to import."))
        return self._step_page(request, program, form, title, name, **extra)

    def next_edition_view(self, request, object_id):
        """The next edition in one step: a name and a start date, the rest is copied."""
        program = self._coordinated(request, object_id)
        form = NextEditionForm(initial=NextEditionForm.initial_for(program), program=program)
        if request.method == "POST":
            form = NextEditionForm(request.POST, program=program)
            if form.is_valid():
                edition = services.program_next_edition(
                    program=program, by=request.user, **form.cleaned_data
                )
                self.message_user(
                    request,
                    _(
                        "“%(edition)s” is ready as a draft, with this program's milestones and "
                        "questions. Check its dates and texts, then open it for applications."
                    )
                    % {"edition": edition.name},
                    messages.SUCCESS,
                )
                return redirect("admin:programs_program_change", edition.pk)
        title = _("Next edition of %(program)s") % {"program": program.name}
        return self._step_page(request, program, form, title, "next_edition")

    def _coordinated(self, request, object_id) -> Program:
        """The program of one of the program's own pages, for its coordinators only."""
        program = self.get_object(request, object_id)
        if program is None:
            raise Http404
        if not is_coordinator(request.user):
            raise PermissionDenied
        return program

    def _step_page(self, request, program, form, title, template, **extra):
        """One of the program's own pages with a form: the title says when it has errors."""
        context = {
            **self.admin_site.each_context(request),
            "title": f"{_('Error:')} {title}" if form.errors else title,
            "opts": self.model._meta,
            "original": program,
            "form": form,
            **extra,
        }
        return TemplateResponse(request, f"admin/programs/program/{template}.html", context)

    def has_delete_permission(self, request, obj=None):
        # A coordinator may throw away a draft of their own; anything published is kept.
        if obj is not None and obj.status == Program.Status.DRAFT:
            return is_coordinator(request.user)
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Send the reminders and notices that are due now"))
    def send_due_notices(self, request, queryset):
        planned = plan_all(programs=queryset)
        if planned:
            transaction.on_commit(kick_delivery)
        self.message_user(
            request,
            ngettext(
                "%(count)d e-mail planned; it is being sent.",
                "%(count)d e-mails planned; they are being sent.",
                planned,
            )
            % {"count": planned}
            if planned
            else _("Nothing is due now: every reminder and notice has gone out."),
            messages.SUCCESS,
        )

    @admin.display(description=_("matching"))
    def matching_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("matching:review", args=[obj.slug]), _("Matching")
        )

    @admin.display(description=_("dashboard"))
    def dashboard_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("evaluations:dashboard", args=[obj.slug]),
            _("Dashboard"),
        )

    @admin.display(description=_("status"), ordering="status")
    def current_status(self, obj):
        return obj.get_current_status_display()

    @admin.display(description=_("milestones"), ordering="milestone_total")
    def milestone_count(self, obj):
        return obj.milestone_total

    def save_model(self, request, obj, form, change):
        # A new status goes through the service (allowed moves, closing the pairs); the form
        # has checked the move.
        status = obj.status
        if change and "status" in form.changed_data:
            obj.status = form.initial["status"]
        super().save_model(request, obj, form, change)
        action = AuditEntry.Action.PROGRAM_CHANGED if change else AuditEntry.Action.PROGRAM_CREATED
        changed = ", ".join(form.changed_data)[:300]
        audit(actor=request.user, action=action, program=obj, obj=obj, detail=changed)
        if status != obj.status:
            outcome = services.program_set_status(program=obj, status=status, by=request.user)
            completed = outcome.get("completed", 0)
            if completed:
                self.message_user(
                    request,
                    ngettext(
                        "The program is closed: %(count)d pair has completed it.",
                        "The program is closed: %(count)d pairs have completed it.",
                        completed,
                    )
                    % {"count": completed},
                    messages.SUCCESS,
                )

    def delete_model(self, request, obj):
        audit(actor=request.user, action=AuditEntry.Action.PROGRAM_DELETED, detail=obj.name)
        super().delete_model(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A coordinator who creates or edits a program keeps coordinating it; otherwise the
        # program would vanish from their own list the moment they saved it.
        if not request.user.is_superuser:
            form.instance.coordinators.add(request.user)
        email = form.cleaned_data.get("invite_coordinator")
        if email:
            organization = form.cleaned_data.get("invite_organization")
            try:
                invited = services.coordinator_invite(
                    program=form.instance, email=email, by=request.user, organization=organization
                )
            except ServiceError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return
            if organization is None:
                done = _("%(person)s now coordinates this program and gets an e-mail about it.")
            else:
                done = _(
                    "%(person)s now coordinates %(organization)s in this program and gets an "
                    "e-mail about it."
                )
            self.message_user(
                request,
                done % {"person": person_label(invited), "organization": organization},
                messages.SUCCESS,
            )


# --------------------------------------------------------------------------------------------
# Applications: the review list
# --------------------------------------------------------------------------------------------


class CoordinatedOrganizationFilter(IdFilter):
    title = _("organisation")
    parameter_name = "organization"

    def lookups(self, request, model_admin):
        programs = Program.objects.coordinated_by(request.user)
        # An organisation's own coordinator filters by the organisations they coordinate.
        return list(
            Organization.objects.filter(
                Q(programs__in=programs)
                | Q(pk__in=request.user.organization_roles.values("organization"))
            )
            .distinct()
            .values_list("pk", "name")
        )

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(organization_id=self.value())
        return queryset


class LineManagerFilter(admin.SimpleListFilter):
    """The line manager's answer (a withdrawn support is found here); shown where a program
    the coordinator follows involves line managers."""

    title = _("line manager")
    parameter_name = "line_manager"

    def lookups(self, request, model_admin):
        return [*LineManagerSupport.Answer.choices, ("none", _("not named"))]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(role=Role.ADEPT, line_manager_support__isnull=True)
        if self.value() in LineManagerSupport.Answer.values:
            return queryset.filter(line_manager_support__answer=self.value())
        return queryset


class EligibilityFilter(admin.SimpleListFilter):
    title = _("eligibility")
    parameter_name = "eligible"

    def lookups(self, request, model_admin):
        return [("yes", _("Eligible")), ("no", _("Not eligible"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(eligible=self.value() == "yes")
        return queryset


@admin.register(Application)
class ApplicationAdmin(CoordinatorPermissions, admin.ModelAdmin):
    organization_scoped = True
    list_display = [
        "person",
        "role",
        "status",
        "workplace",
        "program",
        "months_as_manager",
        "is_eligible",
        "submitted",
    ]
    list_filter = [
        FollowedProgramFilter,
        "role",
        "status",
        CoordinatedOrganizationFilter,
        EligibilityFilter,
    ]
    search_fields = ["applicant__full_name", "applicant__email"]
    list_per_page = 50
    actions = [
        "accept",
        "waitlist",
        "reject",
        "move_to_mentor_bank",
        "export_csv",
        "export_csv_with_letters",
        "export_xlsx",
        "export_xlsx_with_letters",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["program_shown", "applicant_name", "applicant_email", "role", "status"]},
        ),
        (
            _("Position"),
            {
                "fields": [
                    "organization",
                    "unit_path",
                    "job_title",
                    "manager_since",
                    "months_as_manager",
                    "is_eligible",
                    "direct_reports",
                    "membership_confirmed",
                ]
            },
        ),
        (
            _("Focus and wishes"),
            {
                "fields": [
                    "focus_area_names",
                    "meeting_format",
                    "region",
                    "languages",
                    "wishes",
                    "mentor_capacity",
                ]
            },
        ),
        (
            _("Line manager"),
            {"fields": ["line_manager_name", "line_manager_email", "line_manager_answer"]},
        ),
        (_("The program's questions"), {"fields": ["answer_list"]}),
        (_("Motivation letter"), {"fields": ["letter_text"]}),
        (
            _("Consent and decision"),
            {
                "fields": [
                    "consent_processing_at",
                    "consent_bank_at",
                    "submitted_at",
                    "decided_at",
                    "decided_by",
                ]
            },
        ),
        (_("Coordinators only"), {"fields": ["internal_note"]}),
    ]

    def get_queryset(self, request):
        led = Program.objects.coordinated_by(request.user).filter(pk=OuterRef("program_id"))
        return (
            Application.objects.for_coordinator(request.user)
            .annotate(program_led=Exists(led))
            .with_eligibility()
            .select_related(
                "applicant", "program", "organization", "unit__parent", "decided_by",
                "line_manager_support",
            )
            .prefetch_related("answers__question", "answers__options")
        )  # fmt: skip

    def _involves_line_managers(self, request) -> bool:
        """Whether a program the coordinator follows involves line managers (once a request)."""
        if not hasattr(request, "_involves_line_managers"):
            request._involves_line_managers = (
                Program.objects.followed_by(request.user)
                .exclude(line_managers=Program.LineManagers.NONE)
                .exists()
            )
        return request._involves_line_managers

    def get_list_display(self, request):
        # The line manager's answer, where a program the coordinator follows asks for it.
        columns = list(super().get_list_display(request))
        if self._involves_line_managers(request):
            columns.insert(columns.index("submitted"), "line_manager")
        return columns

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if self._involves_line_managers(request):
            filters.append(LineManagerFilter)
        return filters

    def _support(self, obj):
        try:
            return obj.line_manager_support
        except LineManagerSupport.DoesNotExist:
            return None

    @admin.display(description=_("line manager"), ordering="line_manager_support__answer")
    def line_manager(self, obj):
        """The line manager's answer where the program involves them: supported, declined
        or waiting (the coordinator may decide anyway)."""
        support = self._support(obj)
        if support is not None:
            return support.get_answer_display()
        if obj.role != Role.ADEPT or obj.program.line_managers == Program.LineManagers.NONE:
            return "–"
        return _("not named")

    @admin.display(description=_("the line manager's answer"))
    def line_manager_answer(self, obj):
        support = self._support(obj)
        if support is None:
            return "–"
        answer = support.get_answer_display()
        if support.answered_at:
            when = date_format(timezone.localtime(support.answered_at), "DATETIME_FORMAT")
            answer = f"{answer} ({when})"
        if support.reason:
            return format_html("{}<br>{}: {}", answer, _("Reason"), support.reason)
        return answer

    @admin.display(description=_("program"))
    def program_shown(self, obj):
        # A link to the program's settings for its lead coordinators; an organisation's own
        # coordinator reads the name (the settings are not theirs).
        if getattr(obj, "program_led", False):
            url = reverse("admin:programs_program_change", args=[obj.program_id])
            return format_html('<a href="{}">{}</a>', url, obj.program)
        return obj.program.name

    @admin.display(description=_("answers"))
    def answer_list(self, obj):
        answers = list(obj.answers.all())
        if not answers:
            return "–"
        return format_html(
            '<ul class="answers">{}</ul>',
            format_html_join(
                "", "<li><strong>{}</strong>: {}</li>",
                ((a.question.text, a.display() or "–") for a in answers),
            ),
        )  # fmt: skip

    @admin.display(description=_("organisation and unit"), ordering="organization__name")
    def workplace(self, obj):
        if obj.unit_id:
            return format_html("{}<br>{}", obj.organization or "–", obj.unit.path)
        return obj.organization or "–"

    @admin.display(description=_("unit or leadership team"), ordering="unit__name")
    def unit_path(self, obj):
        return obj.unit.path if obj.unit_id else "–"

    def get_readonly_fields(self, request, obj=None):
        # The applicant's answers are theirs: a coordinator decides and notes, never edits.
        editable = {"internal_note"}
        shown = [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]
        return [name for name in shown if name not in editable]

    def has_add_permission(self, request, *args):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            application = response.context_data["original"]
            audit(
                actor=request.user, action=AuditEntry.Action.LETTER_VIEWED,
                program=application.program_id, obj=application,
            )  # fmt: skip
        return response

    def changelist_view(self, request, extra_context=None):
        programs = (
            Program.objects.followed_by(request.user)
            .exclude(status__in=[Program.Status.DRAFT, Program.Status.CLOSED])
            .annotate(
                accepted_adepts=Count(
                    "applications",
                    filter=Q(
                        applications__role=Role.ADEPT,
                        applications__status=Application.Status.ACCEPTED,
                    ),
                ),
                accepted_mentors=Count(
                    "applications",
                    filter=Q(
                        applications__role=Role.MENTOR,
                        applications__status=Application.Status.ACCEPTED,
                    ),
                ),
            )
            .prefetch_related(
                Prefetch(
                    "questions",
                    queryset=Question.objects.filter(options__places__isnull=False)
                    .distinct()
                    .prefetch_related(
                        Prefetch(
                            "options",
                            queryset=Option.objects.with_places(),
                            to_attr="with_places",
                        )
                    ),
                    to_attr="with_places",
                )
            )
            .order_by("applications_close_at")
        )
        extra_context = {**(extra_context or {}), "place_counts": programs}
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("name"), ordering="applicant__full_name")
    def applicant_name(self, obj):
        return obj.applicant.full_name

    @admin.display(description=_("applicant"), ordering="applicant__full_name")
    def person(self, obj):
        # The e-mail under the name: one column, and people of one name told apart.
        return format_html(
            '{}<br><span class="quiet">{}</span>', obj.applicant.full_name, obj.applicant.email
        )

    @admin.display(description=_("e-mail"), ordering="applicant__email")
    def applicant_email(self, obj):
        return obj.applicant.email

    @admin.display(description=_("months as manager, as the rules count them"))
    def months_as_manager(self, obj):
        return obj.manager_months()

    @admin.display(description=_("submitted"), ordering="submitted_at")
    def submitted(self, obj):
        if obj.submitted_at is None:
            return "–"
        return date_format(timezone.localtime(obj.submitted_at), "ABBR_DATE_FORMAT")

    # Words, not the admin's icons: their alt text is "True" and "False" in every language.
    @admin.display(description=_("eligible"), ordering="eligible")
    def is_eligible(self, obj):
        eligible = getattr(obj, "eligible", None)
        eligible = obj.is_eligible() if eligible is None else eligible
        return _("Eligible") if eligible else _("Not eligible")

    @admin.display(description=_("focus areas"))
    def focus_area_names(self, obj):
        return ", ".join(area.name for area in obj.focus_areas.all())

    @admin.display(description=_("motivation letter"))
    def letter_text(self, obj):
        # Escaped first, then marked safe: the letter is shown as written, never as HTML.
        return mark_safe(linebreaks(obj.letter, autoescape=True))  # noqa: S308

    def _report(self, request, errors, done_message):
        for error in errors:
            self.message_user(request, error, messages.ERROR)
        if done_message:
            self.message_user(request, done_message, messages.SUCCESS)

    def _decide(self, request, queryset, decision, **why):
        try:
            changed, errors = services.applications_decide(
                applications=queryset, decision=decision, by=request.user, **why
            )
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        done = ngettext(
            "%(count)d application changed; the applicant is told by e-mail.",
            "%(count)d applications changed; each applicant is told by e-mail.",
            changed,
        ) % {"count": changed}
        self._report(request, errors, done if changed else "")

    @admin.action(description=_("Accept the selected applications"))
    def accept(self, request, queryset):
        self._decide(request, queryset, Application.Status.ACCEPTED)

    @admin.action(description=_("Put the selected applications on the waiting list"))
    def waitlist(self, request, queryset):
        self._decide(request, queryset, Application.Status.WAITLISTED)

    @admin.action(description=_("Reject the selected applications"))
    def reject(self, request, queryset):
        """A step of its own: the coordinator says why, and the applicants read it."""
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._decide(
                request, queryset, Application.Status.REJECTED,
                reason=form.cleaned_data["reason"], message=form.cleaned_data["message"],
            )  # fmt: skip
            return None
        return TemplateResponse(
            request,
            "admin/programs/application/reject.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reject applications"),
                "form": form,
                "applications": queryset.select_related("applicant"),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    @admin.action(description=_("Move the selected mentors to the mentor bank"))
    def move_to_mentor_bank(self, request, queryset):
        moved, errors = services.applications_move_to_bank(applications=queryset, by=request.user)
        done = ngettext(
            "%(count)d mentor moved to the mentor bank.",
            "%(count)d mentors moved to the mentor bank.",
            moved,
        ) % {"count": moved}
        self._report(request, errors, done if moved else "")

    def _export(self, request, queryset, with_letters, kind="csv"):
        return applications_export(
            queryset.select_related("unit__parent")
            .prefetch_related("focus_areas")
            .order_by("program", "role", "pk"),
            with_letters=with_letters,
            by=request.user,
            kind=kind,
        )

    @admin.action(description=_("Export the selected applications as CSV"))
    def export_csv(self, request, queryset):
        return self._export(request, queryset, with_letters=False)

    @admin.action(description=_("Export the selected applications as CSV, with letters"))
    def export_csv_with_letters(self, request, queryset):
        return self._export(request, queryset, with_letters=True)

    @admin.action(description=_("Export the selected applications as Excel"))
    def export_xlsx(self, request, queryset):
        return self._export(request, queryset, with_letters=False, kind="xlsx")

    @admin.action(description=_("Export the selected applications as Excel, with letters"))
    def export_xlsx_with_letters(self, request, queryset):
        return self._export(request, queryset, with_letters=True, kind="xlsx")


# --------------------------------------------------------------------------------------------
# The mentor bank
# --------------------------------------------------------------------------------------------


class RejectForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why"),
        choices=Application.RejectionReason.choices,
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label=_("Message to the applicants"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent in the e-mail; required for another reason."),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("reason") == Application.RejectionReason.OTHER
            and not data.get("message", "").strip()
        ):
            self.add_error("message", _("Write the reason the applicant will read."))
        return data


class InviteForm(forms.Form):
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.coordinated_by(
            user
        ).open_for_applications()


@admin.register(MentorBankEntry)
class MentorBankEntryAdmin(CoordinatorPermissions, admin.ModelAdmin):
    """The mentor bank across editions: a coordinator sees the banked mentors of every program
    of the organisations whose programs they coordinate, with why and when each joined and
    how many offers each was sent."""

    list_display = ["mentor_name", "mentor_email", "owner", "why", "joined_at", "offers"]
    search_fields = ["mentor__full_name", "mentor__email", "note"]
    readonly_fields = ["owner", "mentor", "application", "why", "joined_at", "offers_sent"]
    actions = ["invite"]

    def get_queryset(self, request):
        owners = Program.objects.coordinated_by(request.user).values("owner_id")
        offers = Notification.objects.filter(
            recipient=OuterRef("mentor_id"),
            kind=Notification.Kind.BANK_OFFER,
            program__owner_id=OuterRef("owner_id"),
        )
        return (
            MentorBankEntry.objects.filter(owner_id__in=owners)
            .select_related("owner", "mentor", "application__program")
            .annotate(offer_count=Coalesce(
                Subquery(offers.values("recipient").annotate(n=Count("pk")).values("n")), 0
            ))
        )  # fmt: skip

    def changelist_view(self, request, extra_context=None):
        # Where to add mentors from a list: each organisation's bank, through its newest
        # program that keeps one.
        importing: dict[int, Program] = {}
        for program in (
            Program.objects.coordinated_by(request.user)
            .filter(mentor_bank=True)
            .select_related("owner")
            .order_by("-starts_on", "pk")
        ):
            importing.setdefault(program.owner_id, program)
        banks = sorted(importing.values(), key=lambda program: program.owner.name)
        return super().changelist_view(request, {**(extra_context or {}), "importing": banks})

    @admin.display(description=_("why"), ordering="note")
    def why(self, obj):
        return obj.why

    @admin.display(description=_("offers sent"), ordering="offer_count")
    def offers(self, obj):
        return obj.offer_count

    @admin.display(description=_("offers sent"))
    def offers_sent(self, obj):
        sent = services.bank_offers_sent(obj.mentor_id, most=None, owner_id=obj.owner_id)
        if not sent:
            return _("None yet.")
        return format_html_join(
            mark_safe("<br>"), "{} ({})",
            ((offer, date_format(timezone.localtime(at), "DATE_FORMAT")) for offer, at in sent),
        )  # fmt: skip

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("name"), ordering="mentor__full_name")
    def mentor_name(self, obj):
        return obj.mentor.full_name

    @admin.display(description=_("e-mail"), ordering="mentor__email")
    def mentor_email(self, obj):
        return obj.mentor.email

    @admin.action(description=_("Invite the selected mentors to apply to a program"))
    def invite(self, request, queryset):
        form = InviteForm(request.POST if "apply" in request.POST else None, user=request.user)
        if form.is_valid():
            program = form.cleaned_data["program"]
            try:
                invited = services.mentor_bank_invite(
                    entries=queryset, program=program, by=request.user
                )
            except ServiceError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d mentor invited to %(program)s.",
                        "%(count)d mentors invited to %(program)s.",
                        invited,
                    )
                    % {"count": invited, "program": program.name},
                    messages.SUCCESS,
                )
            return None
        return TemplateResponse(
            request,
            "admin/programs/mentorbankentry/invite.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Invite mentors from the bank"),
                "form": form,
                "entries": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


@admin.register(BankOffer)
class BankOfferAdmin(CoordinatorPermissions, admin.ModelAdmin):
    """Offers to the mentor bank (an event, news for mentors): written here, sent with the
    action, once per mentor per offer."""

    list_display = ["__str__", "program", "created_at", "sent_at", "recipients"]
    list_filter = [CoordinatedProgramFilter]
    fields = [
        "program",
        ("title_sv", "title_en", "title_da"),
        ("text_sv", "text_en", "text_da"),
        "link",
        "sent_at",
    ]
    readonly_fields = ["sent_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["send"]

    def get_queryset(self, request):
        sent = Notification.objects.filter(
            kind=Notification.Kind.BANK_OFFER,
            key=Concat(Value("bank_offer:"), Cast(OuterRef("pk"), models.CharField())),
        )
        return (
            BankOffer.objects.for_coordinator(request.user)
            .select_related("program")
            .annotate(recipient_count=Coalesce(
                Subquery(sent.values("kind").annotate(n=Count("pk")).values("n")), 0
            ))
        )  # fmt: skip

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "program":
            field.queryset = Program.objects.coordinated_by(request.user).filter(mentor_bank=True)
        return field

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            _("The offer is saved, not sent: select it in the list and choose 'Send to the "
              "mentor bank'."),
            messages.INFO,
        )  # fmt: skip
        return super().response_add(request, obj, post_url_continue)

    @admin.display(description=_("sent to"), ordering="recipient_count")
    def recipients(self, obj):
        return obj.recipient_count

    @admin.action(description=_("Send to the mentor bank"))
    def send(self, request, queryset):
        for offer in queryset.select_related("program__owner"):
            sent = services.bank_offer_send(offer=offer, by=request.user)
            if sent:
                message = ngettext(
                    "'%(offer)s' is on its way to %(count)d mentor.",
                    "'%(offer)s' is on its way to %(count)d mentors.",
                    sent,
                ) % {"offer": offer, "count": sent}
                self.message_user(request, message, messages.SUCCESS)
            elif not services.mentor_bank_of(offer.program).exists():
                self.message_user(
                    request,
                    _("No one is in the mentor bank of %(organisation)s yet, so '%(offer)s' "
                      "went to no one.")
                    % {"organisation": offer.program.owner, "offer": offer},
                    messages.WARNING,
                )  # fmt: skip
            else:
                self.message_user(
                    request,
                    _("Everyone in the mentor bank has had '%(offer)s' already.")
                    % {"offer": offer},
                    messages.INFO,
                )
