from django.contrib import admin

from accounts.admin import CoordinatedProgramFilter, OutOfScopeIs404
from accounts.models import coordinates_organizations_only, is_coordinator

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(OutOfScopeIs404, admin.ModelAdmin):
    """Read only: coordinators read their programs' trail; nobody edits or deletes it."""

    list_display = [
        "created_at",
        "actor",
        "action",
        "program",
        "object_type",
        "object_id",
        "detail",
    ]
    list_filter = ["action", CoordinatedProgramFilter]
    search_fields = ["actor__email", "detail"]
    list_select_related = ["actor", "program"]

    def get_queryset(self, request):
        return AuditEntry.objects.for_coordinator(request.user).select_related("actor", "program")

    # The trail is the lead coordinators': an organisation's own coordinator has none.
    def has_module_permission(self, request):
        return is_coordinator(request.user) and not coordinates_organizations_only(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
