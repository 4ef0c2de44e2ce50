from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def is_coordinator(user) -> bool:
    """Coordinators are active staff users; which programs they coordinate is on Program."""
    return user.is_authenticated and user.is_active and user.is_staff


def coordinates_organizations_only(user) -> bool:
    """An organisation's own coordinator who leads no program: their admin is the lists of
    their organisation's people (applications, pairs), not the program's settings. Asked once
    per request (the answer is kept on the user object)."""
    if not is_coordinator(user) or user.is_superuser:
        return False
    known = getattr(user, "_organizations_only", None)
    if known is None:
        known = user.organization_roles.exists() and not user.coordinated_programs.exists()
        user._organizations_only = known
    return known


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Log-in is case-insensitive, matching the unique index on lower(email).
        return self.get(email__iexact=username)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).strip(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: adept, mentor or coordinator. The e-mail address is the login.

    Coordinators are staff users; which programs they coordinate is on the program.
    """

    # unique=True keeps exact duplicates out and satisfies auth's checks; the constraint on
    # lower(email) below is what makes the login unique whatever the case.
    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Pages and e-mails are shown in this language."),
    )
    monthly_reminders = models.BooleanField(
        _("monthly meeting reminders"),
        default=True,
        help_text=_("An e-mail when your pair has no meeting planned in a month."),
    )
    meeting_reminders = models.BooleanField(
        _("reminders before meetings"),
        default=True,
        help_text=_("An e-mail the day before a planned meeting, with a calendar file."),
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Coordinators are staff: they can log in to the admin."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message=_("A user with this e-mail address already exists."),
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).strip()

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name.split() or [self.email])[0]
