"""Coordinators see how pairs are doing: counts and dates only.

Goal, GoalComment and Meeting are deliberately not registered: their content belongs to the
pair alone.
"""

from django.contrib import admin
from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.admin import FollowedProgramFilter
from matching.models import Match
from programs.admin import CoordinatedOrganizationFilter

from .exports import pair_activity_export
from .models import Meeting, PairActivity
from .services import with_activity


class StalledFilter(admin.SimpleListFilter):
    title = _("meeting rhythm")
    parameter_name = "stalled"

    def lookups(self, request, model_admin):
        return [("yes", _("No meeting for 45 days")), ("no", _("Meeting regularly"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(stalled=self.value() == "yes")
        return queryset


class PairOrganizationFilter(CoordinatedOrganizationFilter):
    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                Q(adept__organization_id=self.value()) | Q(mentor__organization_id=self.value())
            )
        return queryset


@admin.register(PairActivity)
class PairActivityAdmin(admin.ModelAdmin):
    list_display = [
        "adept_name",
        "mentor_name",
        "program",
        "status",
        "held",
        "planned",
        "last_meeting",
        "is_stalled",
        "goals",
    ]
    list_filter = [FollowedProgramFilter, StalledFilter, PairOrganizationFilter, "status"]
    search_fields = ["adept__applicant__full_name", "mentor__applicant__full_name"]
    fields = ["program", "adept", "mentor", "status", "published_at", "ended_at"]
    readonly_fields = fields
    actions = ["export_csv", "export_xlsx"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def get_queryset(self, request):
        held = Q(meetings__status=Meeting.Status.HELD)
        pairs = (
            PairActivity.objects.for_coordinator(request.user)
            .exclude(status=Match.Status.PROPOSED)
            .select_related(
                "program",
                "adept__applicant",
                "adept__program",
                "mentor__applicant",
                "mentor__program",
            )
            .annotate(
                held_count=Count("meetings", filter=held, distinct=True),
                planned_count=Count(
                    "meetings", filter=Q(meetings__status=Meeting.Status.PLANNED), distinct=True
                ),
                goal_count=Count("goals", distinct=True),
            )
        )
        return with_activity(pairs)

    @admin.display(description=_("adept"), ordering="adept__applicant__full_name")
    def adept_name(self, obj):
        return obj.adept.applicant.full_name

    @admin.display(description=_("mentor"), ordering="mentor__applicant__full_name")
    def mentor_name(self, obj):
        return obj.mentor.applicant.full_name

    @admin.display(description=_("meetings held"), ordering="held_count")
    def held(self, obj):
        return obj.held_count

    @admin.display(description=_("meetings planned"), ordering="planned_count")
    def planned(self, obj):
        return obj.planned_count

    @admin.display(description=_("last meeting"), ordering="last")
    def last_meeting(self, obj):
        return obj.last

    # Words, not the admin's icons: their alt text is "True" and "False" in every language.
    @admin.display(description=_("no meeting for 45 days"), ordering="stalled")
    def is_stalled(self, obj):
        return _("Yes, at risk") if obj.stalled else _("No")

    @admin.display(description=_("goals"), ordering="goal_count")
    def goals(self, obj):
        return obj.goal_count

    @admin.action(description=_("Export pair activity as CSV (no content)"))
    def export_csv(self, request, queryset):
        return pair_activity_export(queryset, by=request.user)

    @admin.action(description=_("Export pair activity as Excel (no content)"))
    def export_xlsx(self, request, queryset):
        return pair_activity_export(queryset, by=request.user, kind="xlsx")
