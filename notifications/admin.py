from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import CoordinatedProgramFilter, CoordinatorPermissions

from .models import Notification
from .services import notifications_retry


class KindFilter(admin.SimpleListFilter):
    """The kinds the apps registered, by their labels in the reader's language."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return sorted(Notification.Kind.choices, key=lambda choice: str(choice[1]))

    def queryset(self, request, queryset):
        if self.value() in Notification.Kind.values:
            return queryset.filter(kind=self.value())
        return queryset


@admin.register(Notification)
class NotificationAdmin(CoordinatorPermissions, admin.ModelAdmin):
    list_display = [
        "recipient", "kind_label", "status", "program", "attempts", "created_at", "sent_at",
    ]  # fmt: skip
    list_filter = ["status", KindFilter, CoordinatedProgramFilter]
    search_fields = ["recipient__email", "recipient__full_name"]
    readonly_fields = [
        "recipient",
        "program",
        "kind_label",
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

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, obj):
        return obj.kind_label

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
