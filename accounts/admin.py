from allauth.usersessions.admin import UserSessionAdmin as BaseUserSessionAdmin
from allauth.usersessions.models import UserSession
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from mentorship.widgets import DateInput, DateTimeLocalInput

from .models import User, coordinates_organizations_only, is_coordinator

# The coordinators' admin, shared by every app's admin pages. Coordinators are staff who are
# not superusers; they need no Django model permissions: what they may see is the programs they
# coordinate, and each page's queryset says so.


class OutOfScopeIs404:
    """Objects outside a coordinator's queryset are a plain 404, not the admin's redirect that
    would confirm they exist."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj


# The browser's own date and time fields, one labelled field each, instead of the admin's date
# and time halves (no label of their own, calendar and clock links without text); checkboxes
# instead of the two-box filter (its icons carry labels on spans, and it repeats ids).
NATIVE_WIDGETS = {
    models.DateTimeField: {"form_class": forms.DateTimeField, "widget": DateTimeLocalInput},
    models.DateField: {"widget": DateInput},
    models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
}


class AccessibleWidgets:
    formfield_overrides = NATIVE_WIDGETS


class CoordinatorPermissions(AccessibleWidgets, OutOfScopeIs404):
    """Any coordinator may use these screens; deleting is for superusers. A coordinator of
    one organisation's people who leads no program has only the lists that say
    `organization_scoped` (their querysets show them their people)."""

    organization_scoped = False

    def _may_use(self, request) -> bool:
        return is_coordinator(request.user) and (
            self.organization_scoped or not coordinates_organizations_only(request.user)
        )

    def has_module_permission(self, request):
        return self._may_use(request)

    def has_view_permission(self, request, obj=None):
        return self._may_use(request)

    def has_add_permission(self, request, *args):
        return self._may_use(request)

    def has_change_permission(self, request, obj=None):
        return self._may_use(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    # Where a person is picked, the e-mail stands beside the name: four accounts may share
    # a name.
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return _with_email(db_field, field)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return _with_email(db_field, field)


def person_label(user) -> str:
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


def _with_email(db_field, field):
    if field is not None and db_field.related_model is get_user_model():
        field.label_from_instance = person_label
    return field


class IdFilter(admin.SimpleListFilter):
    """A filter by id: a value that is not one of its choices (tampered, stale, "abc") is
    treated as absent, never a 500."""

    def value(self):
        value = super().value()
        choices = {str(pk) for pk, _label in self.lookup_choices}
        return value if value in choices else None


class CoordinatedProgramFilter(IdFilter):
    title = _("program")
    parameter_name = "program"
    # The programs' queryset method that says which programs the list can hold.
    scope = "coordinated_by"

    def lookups(self, request, model_admin):
        # Any model of a program: its program key names the Program model.
        programs = model_admin.model._meta.get_field("program").related_model.objects
        return list(getattr(programs, self.scope)(request.user).values_list("pk", "name"))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(program_id=self.value())
        return queryset


class FollowedProgramFilter(CoordinatedProgramFilter):
    """For the lists an organisation's own coordinator sees too (applications, pairs)."""

    scope = "followed_by"


class UserCreateForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    ordering = ["email"]
    list_display = ["email", "full_name", "language", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "language"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["full_name", "language"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]


# allauth's session admin searches by username; our users have none.
admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(BaseUserSessionAdmin):
    search_fields = ["user__email", "ip"]
