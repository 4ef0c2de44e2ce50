"""The coordinators' back office for programs.

Coordinators are staff users who are not superusers. They need no Django model permissions:
what they may see and change is decided here, from the programs they coordinate, and every
queryset goes through Program.objects.coordinated_by().
"""

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .models import FocusArea, Milestone, Organization, Program


def is_coordinator(user) -> bool:
    return user.is_active and user.is_staff


class CoordinatorPermissions:
    """Any coordinator may use these screens; deleting is for superusers."""

    def has_module_permission(self, request):
        return is_coordinator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_coordinator(request.user)

    def has_add_permission(self, request, *args):
        return is_coordinator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_coordinator(request.user)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(Organization)
class OrganizationAdmin(CoordinatorPermissions, admin.ModelAdmin):
    list_display = ["name", "short_name"]
    search_fields = ["name", "short_name"]


@admin.register(FocusArea)
class FocusAreaAdmin(CoordinatorPermissions, admin.ModelAdmin):
    list_display = ["code", "name_sv", "name_en", "name_da"]
    search_fields = ["code", "name_sv", "name_en", "name_da"]


class MilestoneInline(CoordinatorPermissions, admin.StackedInline):
    model = Milestone
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = [
        ("kind", "title"),
        ("starts_at", "ends_at"),
        ("location", "online_url"),
        ("audience", "notice_days"),
        "description",
    ]

    def has_delete_permission(self, request, obj=None):
        return is_coordinator(request.user)


@admin.register(Program)
class ProgramAdmin(CoordinatorPermissions, admin.ModelAdmin):
    list_display = [
        "name",
        "status",
        "applications_close_at",
        "starts_on",
        "ends_on",
        "adept_places",
        "milestone_count",
    ]
    list_filter = ["status", "pairing_rule"]
    list_select_related = ["owner"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["owner"]
    filter_horizontal = ["organizations", "coordinators", "focus_areas"]
    inlines = [MilestoneInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "status", "summary", "description", "audience"]}),
        (_("Organisations and people"), {"fields": ["owner", "organizations", "coordinators"]}),
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
                ]
            },
        ),
        (
            _("Eligibility and matching"),
            {
                "fields": [
                    ("adept_min_manager_months", "mentor_min_manager_months"),
                    ("membership_required", "membership_label"),
                    "pairing_rule",
                    "focus_areas",
                    "letter_max_chars",
                    "mentor_bank",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            Program.objects.coordinated_by(request.user)
            .select_related("owner")
            .annotate(milestone_total=Count("milestones", distinct=True))
        )

    def get_object(self, request, object_id, from_field=None):
        # Another program's coordinator gets a plain 404, not a redirect that confirms
        # the program exists.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def has_delete_permission(self, request, obj=None):
        # A coordinator may throw away a draft of their own; anything published is kept.
        if obj is not None and obj.status == Program.Status.DRAFT:
            return is_coordinator(request.user)
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("milestones"), ordering="milestone_total")
    def milestone_count(self, obj):
        return obj.milestone_total

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A coordinator who creates or edits a program keeps coordinating it; otherwise the
        # program would vanish from their own list the moment they saved it.
        if not request.user.is_superuser:
            form.instance.coordinators.add(request.user)
