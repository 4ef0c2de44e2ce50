from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from programs.admin import CoordinatedProgramFilter, CoordinatorPermissions

from .models import Notification
from .services import notifications_retry


@admin.register(Notification)
class NotificationAdmin(CoordinatorPermissions, admin.ModelAdmin):
    list_display = ["recipient", "kind", "status", "program", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind", CoordinatedProgramFilter]
    search_fields = ["recipient__email", "recipient__full_name"]
    readonly_fields = [
        "recipient",
        "program",
        "kind",
        "key",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "created_at",
        "sent_at",
    ]
    exclude = ["context"]
    actions = ["retry"]

    def get_queryset(self, request):
        return Notification.objects.for_coordinator(request.user).select_related(
            "recipient", "program"
        )

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Try sending the selected e-mails again"))
    def retry(self, request, queryset):
        count = notifications_retry(notifications=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d e-mail will be sent again.",
                "%(count)d e-mails will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
