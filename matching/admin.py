from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import CoordinatedProgramFilter, CoordinatorPermissions, FollowedProgramFilter
from accounts.models import User
from programs.models import Program

from .models import Exclusion, Match, MatchingRun, RematchRequest


class ReadOnly(CoordinatorPermissions):
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Match)
class MatchAdmin(ReadOnly, admin.ModelAdmin):
    organization_scoped = True
    list_display = [
        "adept_name",
        "mentor_name",
        "program",
        "status",
        "score",
        "locked",
        "published_at",
    ]
    list_filter = ["status", FollowedProgramFilter]
    search_fields = ["adept__applicant__full_name", "mentor__applicant__full_name"]
    exclude = ["components"]

    def get_queryset(self, request):
        return Match.objects.for_coordinator(request.user).select_related(
            "program", "adept__applicant", "adept__program", "mentor__applicant", "mentor__program"
        )

    @admin.display(description=_("adept"), ordering="adept__applicant__full_name")
    def adept_name(self, obj):
        return obj.adept.applicant.full_name

    @admin.display(description=_("mentor"), ordering="mentor__applicant__full_name")
    def mentor_name(self, obj):
        return obj.mentor.applicant.full_name


@admin.register(MatchingRun)
class MatchingRunAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["program", "created_at", "created_by", "status", "pairs", "duration_ms"]
    list_filter = ["status", CoordinatedProgramFilter]
    exclude = ["unmatched_adepts", "unmatched_mentors", "weights"]

    def get_queryset(self, request):
        programs = Program.objects.coordinated_by(request.user)
        return MatchingRun.objects.filter(program__in=programs).select_related(
            "program", "created_by"
        )


@admin.register(RematchRequest)
class RematchRequestAdmin(ReadOnly, admin.ModelAdmin):
    organization_scoped = True
    list_display = ["requested_by", "match", "created_at", "handled_at"]

    def get_queryset(self, request):
        matches = Match.objects.for_coordinator(request.user)
        return RematchRequest.objects.filter(match__in=matches).select_related(
            "requested_by", "match__adept__applicant", "match__mentor__applicant"
        )


@admin.register(Exclusion)
class ExclusionAdmin(CoordinatorPermissions, admin.ModelAdmin):
    """Conflicts of interest are entered here; ended matches add their own."""

    list_display = ["adept", "mentor", "reason", "created_by", "created_at"]
    list_filter = ["reason"]
    fields = ["adept", "mentor", "reason", "note"]

    def _people(self, request):
        # The people in the coordinator's programs, never the whole user table.
        programs = Program.objects.coordinated_by(request.user)
        return User.objects.filter(applications__program__in=programs).distinct()

    def get_queryset(self, request):
        people = self._people(request)
        return Exclusion.objects.filter(adept__in=people).select_related(
            "adept", "mentor", "created_by"
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("adept", "mentor"):
            kwargs["queryset"] = self._people(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.created_by = obj.created_by or request.user
        super().save_model(request, obj, form, change)
