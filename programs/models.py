from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import is_coordinator
from accounts.scoping import CoordinatorScopedQuerySet
from mentorship.choices import Language, MeetingFormat, Role
from mentorship.i18n import in_language, language_of
from mentorship.months import add_months, months_between


class Organization(models.Model):
    """An employer taking part in programs: a municipality, agency, university or union."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class UnitQuerySet(models.QuerySet):
    def listed(self):
        """The units applicants pick from: those the coordinators keep, not proposals."""
        return self.filter(confirmed=True)

    def for_program(self, program):
        return self.filter(organization__programs=program)


class Unit(models.Model):
    """A part of an organisation that the matching rules compare: a faculty, a department, a
    school, a leadership team. Kept by the coordinators as a list (or imported from their
    spreadsheet); a unit may sit under a parent unit. An applicant may propose one that is
    missing where the program allows it: it stays unconfirmed until a coordinator confirms
    it or merges it into a listed one."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="units",
    )
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
        help_text=_("The larger unit this one belongs to, for example the school of a team."),
    )
    confirmed = models.BooleanField(
        _("in the list"),
        default=True,
        help_text=_("Unticked for a unit an applicant proposed and no coordinator has checked."),
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["organization__name", "name"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("name"),
                "organization",
                name="unit_name_unique_in_organization",
                violation_error_message=_("The organisation already has a unit of that name."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def path(self) -> str:
        """The unit after the one it is part of, as people name it: the school, then the team."""
        parent = self.parent if self.parent_id else None
        return f"{parent.name} › {self.name}" if parent is not None else self.name

    @property
    def group_id(self) -> int:
        """What "under the same parent" compares: the parent, or the unit itself at the top."""
        return self.parent_id or self.pk

    def clean(self):
        parent = self.parent
        if parent is None:
            return
        if parent.organization_id != self.organization_id:
            raise ValidationError(
                {"parent": _("The larger unit must be of the same organisation.")}
            )
        seen = {self.pk}
        while parent is not None:
            if parent.pk in seen:
                raise ValidationError({"parent": _("A unit cannot be part of itself.")})
            seen.add(parent.pk)
            parent = parent.parent


class FocusArea(models.Model):
    """A need an adept has, or a strength a mentor offers. Named in one or more of our
    languages; the others fall back to it."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_sv = models.CharField(_("name (Swedish)"), max_length=120, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_da = models.CharField(_("name (Danish)"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_sv="", name_en="", name_da=""),
                name="focus_area_named",
                violation_error_message=_("Give the focus area a name in at least one language."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return in_language(self, "name")


class ProgramQuerySet(CoordinatorScopedQuerySet):
    def public(self):
        """Programs anyone may see: everything but drafts."""
        return self.exclude(status=Program.Status.DRAFT)

    def open_for_applications(self, now=None):
        now = now or timezone.now()
        return self.filter(
            status=Program.Status.OPEN,
            applications_open_at__lte=now,
            applications_close_at__gt=now,
        )

    def upcoming(self, now=None):
        """Published programs whose application window has not opened yet."""
        now = now or timezone.now()
        return self.filter(status=Program.Status.OPEN, applications_open_at__gt=now)

    # A program is its own program: its coordinators are on it.
    program_path = ""
    coordinated_by = CoordinatorScopedQuerySet.for_coordinator

    def followed_by(self, user):
        """The programs a coordinator leads, plus those in which they coordinate one
        organisation's people (the applications and pairs lists, not the settings)."""
        if not is_coordinator(user):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(
            Q(pk__in=user.coordinated_programs.values("pk"))
            | Q(pk__in=user.organization_roles.values("program"))
        )

    def for_user(self, user):
        """What a user may open: public programs, plus drafts they coordinate."""
        if user.is_authenticated and user.is_active and user.is_superuser:
            return self
        if is_coordinator(user):
            return self.filter(~Q(status=Program.Status.DRAFT) | Q(coordinators=user)).distinct()
        return self.public()


class OptionalField(models.TextChoices):
    """The fixed fields of the application form a program may make optional."""

    LETTER = "letter", _("Motivation letter")
    JOB_TITLE = "job_title", _("Job title")
    DIRECT_REPORTS = "direct_reports", _("Number of direct reports")


# What the pages call applying, by Program.registration_of_interest.
WORDING = {
    False: {
        "adept": _("Apply as adept"),
        "mentor": _("Apply as mentor"),
        "submit": _("Submit application"),
        "yours": _("Your application"),
        "by": _("Apply by"),
        "submitted": _(
            "Your application has been submitted and we have sent you a confirmation by "
            "e-mail. You can change it until the deadline."
        ),
        "consent": _(
            "I agree that the coordinators of the program process my application, including "
            "my motivation letter, to select and match participants."
        ),
        "withdraw": _("Withdraw application"),
        "withdraw_question": _(
            "Do you want to withdraw your application to %(program)s as %(role)s? This cannot "
            "be undone."
        ),
        "withdrawn": _("Your application has been withdrawn."),
        "not_withdrawable": _("This application can no longer be withdrawn."),
        "closed": _("The application period is over, so the application can no longer be changed."),
        "locked": _("This application can no longer be changed."),
    },
    True: {
        "adept": _("Register interest as adept"),
        "mentor": _("Register interest as mentor"),
        "submit": _("Register interest"),
        "yours": _("Your registration of interest"),
        "by": _("Register interest by"),
        "submitted": _(
            "Your interest is registered and we have sent you a confirmation by e-mail. You "
            "can change what you wrote until the deadline."
        ),
        "consent": _(
            "I agree that the coordinators of the program process what I write here to "
            "match adepts and mentors."
        ),
        "withdraw": _("Withdraw registration of interest"),
        "withdraw_question": _(
            "Do you want to withdraw your registration of interest in %(program)s as "
            "%(role)s? This cannot be undone."
        ),
        "withdrawn": _("Your registration of interest has been withdrawn."),
        "not_withdrawable": _("This registration of interest can no longer be withdrawn."),
        "closed": _(
            "The registration period is over, so what you registered can no longer be changed."
        ),
        "locked": _("This registration of interest can no longer be changed."),
    },
}


class Program(models.Model):
    """One edition (cohort) of a mentor program, from the call for applications to closing."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for applications")
        SELECTION = "selection", _("Selection and matching")
        RUNNING = "running", _("Running")
        CLOSED = "closed", _("Closed")

    class CountedAt(models.TextChoices):
        START = "start", _("when the program starts")
        APPLICATION = "application", _("when the application is sent")

    class PairingRule(models.TextChoices):
        DIFFERENT_ORGANIZATION = "different_organization", _("Mentor from another organisation")
        DIFFERENT_UNIT = "different_unit", _("Mentor from outside the adept's own unit")
        DIFFERENT_UNIT_GROUP = (
            "different_unit_group",
            _("Mentor from outside the adept's unit and the units beside it under the same parent"),
        )
        ANY = "any", _("No restriction")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    summary = models.CharField(
        _("summary"), max_length=300, help_text=_("One or two sentences shown in the list.")
    )
    description = models.TextField(_("description"))
    text_language = models.CharField(
        _("language of the texts"),
        max_length=2,
        choices=Language.choices,
        default=Language.SWEDISH,
        help_text=_(
            "The language the summary, description, audience and membership are written in. "
            "Pages in other languages mark them, so that screen readers pronounce them right."
        ),
    )
    audience = models.TextField(
        _("who it is for"), help_text=_("Who can apply as adept and as mentor.")
    )
    owner = models.ForeignKey(
        Organization,
        verbose_name=_("organised by"),
        on_delete=models.PROTECT,
        related_name="owned_programs",
    )
    organizations = models.ManyToManyField(
        Organization,
        verbose_name=_("participating organisations"),
        related_name="programs",
        help_text=_("Only people employed by these organisations can apply."),
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinators"),
        related_name="coordinated_programs",
        blank=True,
        limit_choices_to={"is_staff": True},
    )
    focus_areas = models.ManyToManyField(
        FocusArea, verbose_name=_("focus areas"), related_name="programs", blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # Set by "next edition": whose waiting list and mentors the new edition can invite.
    previous_edition = models.ForeignKey(
        "self",
        verbose_name=_("previous edition"),
        on_delete=models.SET_NULL,
        related_name="next_editions",
        null=True,
        blank=True,
        editable=False,
    )

    applications_open_at = models.DateTimeField(_("applications open"))
    applications_close_at = models.DateTimeField(_("application deadline"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    adept_places = models.PositiveSmallIntegerField(
        _("adept places"), validators=[MinValueValidator(1)]
    )
    meetings_min = models.PositiveSmallIntegerField(_("expected meetings, at least"), default=8)
    meetings_max = models.PositiveSmallIntegerField(_("expected meetings, at most"), default=10)
    meeting_minutes_min = models.PositiveSmallIntegerField(
        _("meeting length in minutes, from"), default=90
    )
    meeting_minutes_max = models.PositiveSmallIntegerField(
        _("meeting length in minutes, to"), default=120
    )

    adept_min_manager_months = models.PositiveSmallIntegerField(
        _("adepts: minimum months as a manager"), default=6
    )
    adept_max_manager_months = models.PositiveSmallIntegerField(
        _("adepts: maximum months as a manager"),
        null=True,
        blank=True,
        help_text=_("Empty for no upper limit; for example 24 for managers new in the role."),
    )
    mentor_min_manager_months = models.PositiveSmallIntegerField(
        _("mentors: minimum months as a manager"), default=36
    )
    mentor_max_manager_months = models.PositiveSmallIntegerField(
        _("mentors: maximum months as a manager"),
        null=True,
        blank=True,
        help_text=_("Empty for no upper limit."),
    )
    manager_months_counted = models.CharField(
        _("months as a manager are counted"),
        max_length=20,
        choices=CountedAt.choices,
        default=CountedAt.START,
    )
    membership_required = models.BooleanField(_("membership required"), default=False)
    membership_label = models.CharField(
        _("membership"),
        max_length=200,
        blank=True,
        help_text=_("For example: 'I am a member of the union'. Shown on the application form."),
    )
    pairing_rule = models.CharField(
        _("pairing rule"),
        max_length=30,
        choices=PairingRule.choices,
        default=PairingRule.DIFFERENT_ORGANIZATION,
    )
    letter_max_chars = models.PositiveIntegerField(
        _("motivation letter, maximum characters"),
        default=3500,
        validators=[MinValueValidator(200), MaxValueValidator(20000)],
        help_text=_("About one page is 3,500 characters."),
    )
    # Seed 003's network asks for a registration of interest, not an application: the
    # coordinator says which of the form's fixed fields each role may leave empty.
    registration_of_interest = models.BooleanField(
        _("a registration of interest"),
        default=False,
        help_text=_(
            "The call asks people to register their interest rather than to apply: the "
            "program's pages, buttons and e-mails say 'register interest'."
        ),
    )
    adept_optional = ArrayField(
        models.CharField(max_length=20, choices=OptionalField.choices),
        verbose_name=_("adepts may leave empty"),
        default=list,
        blank=True,
    )
    mentor_optional = ArrayField(
        models.CharField(max_length=20, choices=OptionalField.choices),
        verbose_name=_("mentors may leave empty"),
        default=list,
        blank=True,
    )
    units_proposable = models.BooleanField(
        _("applicants may propose a unit"),
        default=False,
        help_text=_(
            "An applicant whose unit is not in the organisation's list may name it; a "
            "coordinator then confirms it or merges it into a listed one."
        ),
    )
    mentor_bank = models.BooleanField(
        _("mentor bank"),
        default=True,
        help_text=_("Mentors who are not matched may stay in a bank for later programs."),
    )

    class LineManagers(models.TextChoices):
        NONE = "none", _("Not at all")
        INFORMED = "informed", _("Informed: they hear of the application and may object")
        SUPPORT = "support", _("Their support is asked before an application is accepted")

    line_managers = models.CharField(
        _("adepts' line managers"),
        max_length=10,
        choices=LineManagers.choices,
        default=LineManagers.NONE,
        help_text=_(
            "Whether adepts name their line manager, who is asked by e-mail to confirm their "
            "support. Coordinators see the answer in the review and may decide anyway."
        ),
    )
    line_manager_say = models.BooleanField(
        _("line managers have a say in the match"),
        default=False,
        help_text=_(
            "Before the pairs are published, each adept's line manager sees the proposed "
            "mentor's name, organisation and role and may raise a concern by a date you set; "
            "silence counts as agreement."
        ),
    )
    mentor_books_planning = models.BooleanField(
        _("the mentor books the planning meeting"),
        default=True,
        help_text=_(
            "The meeting before the start where the mentor and the adept's line manager plan "
            "the course. If not ticked, either of the pair may book it."
        ),
    )

    # Personal data: who answers for it, and how long it is kept.
    privacy_contact = models.EmailField(
        _("privacy contact"),
        blank=True,
        help_text=_("Where people write about their personal data; the coordinators if empty."),
    )
    retention_months = models.PositiveSmallIntegerField(
        _("keep personal data for (months after the end)"),
        default=12,
        validators=[MaxValueValidator(120)],
        help_text=_(
            "Applications, letters, meeting logs and goals are anonymised this long after the "
            "program ends."
        ),
    )
    rejected_retention_months = models.PositiveSmallIntegerField(
        _("keep rejected applications for (months)"),
        default=3,
        validators=[MaxValueValidator(120)],
        help_text=_("Counted from the decision."),
    )

    archive_on_erasure = models.BooleanField(
        _("archive instead of deleting at once"),
        default=False,
        help_text=_(
            "For organisations bound to archive: when a participant deletes their account, their "
            "application and log are kept until the retention period ends, then anonymised."
        ),
    )

    reminder_day = models.PositiveSmallIntegerField(
        _("day of the month for meeting reminders"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Pairs with no meeting in the month are reminded from this day."),
    )

    # Matching: how much each part of the score counts (relative weights), and the score a
    # pair needs to be proposed at all (0-100).
    weight_needs = models.FloatField(
        _("weight: needs met by strengths"), default=5, validators=[MinValueValidator(0)]
    )
    weight_region = models.FloatField(
        _("weight: same region"), default=2, validators=[MinValueValidator(0)]
    )
    weight_format = models.FloatField(
        _("weight: meeting format"), default=2, validators=[MinValueValidator(0)]
    )
    weight_language = models.FloatField(
        _("weight: shared language"), default=1, validators=[MinValueValidator(0)]
    )
    weight_experience = models.FloatField(
        _("weight: experience gap"), default=1, validators=[MinValueValidator(0)]
    )
    weight_wishes = models.FloatField(
        _("weight: free-text wishes"), default=1, validators=[MinValueValidator(0)]
    )
    weight_preferences = models.FloatField(
        _("weight: ranks in the preference round"),
        default=10,
        validators=[MinValueValidator(0)],
        help_text=_("Counts only where the program holds a preference round."),
    )
    # The preference round (issue 19): after acceptance, each adept ranks their shortlist.
    preferences_open_at = models.DateTimeField(
        _("preference round opens"),
        null=True,
        blank=True,
        help_text=_(
            "Accepted adepts (and mentors, if ticked) rank a shortlist of their best "
            "candidates; the matching then honours their ranks. Leave empty for no round."
        ),
    )
    preferences_close_at = models.DateTimeField(_("preference round closes"), null=True, blank=True)
    shortlist_size = models.PositiveSmallIntegerField(
        _("candidates on each shortlist"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(10)],
    )
    mentors_rank = models.BooleanField(_("mentors rank their shortlist too"), default=False)
    blind_shortlist = models.BooleanField(
        _("blind shortlist"),
        default=False,
        help_text=_(
            "The shortlist shows each candidate's job title, experience, strengths or needs, "
            "meeting format and region, but not their name or organisation."
        ),
    )
    matching_min_score = models.FloatField(
        _("minimum score for a pair"),
        default=40,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("From 0 to 100. Weaker pairs are left unmatched rather than forced."),
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["applications_close_at", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(applications_close_at__gt=models.F("applications_open_at")),
                name="program_window_in_order",
                violation_error_message=_("The deadline must be after the opening."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")),
                name="program_dates_in_order",
                violation_error_message=_("The program must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(meetings_max__gte=models.F("meetings_min")),
                name="program_meetings_in_order",
                violation_error_message=_(
                    "The most meetings cannot be fewer than the fewest meetings."
                ),
            ),
            models.CheckConstraint(
                condition=Q(meeting_minutes_max__gte=models.F("meeting_minutes_min")),
                name="program_meeting_length_in_order",
                violation_error_message=_(
                    "The longest meeting length cannot be shorter than the shortest."
                ),
            ),
            models.CheckConstraint(
                condition=Q(preferences_open_at__isnull=True, preferences_close_at__isnull=True)
                | Q(preferences_close_at__gt=models.F("preferences_open_at")),
                name="program_preference_round_in_order",
                violation_error_message=_(
                    "Give the preference round both dates, the closing after the opening."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programs:detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        errors = {}
        if (
            self.applications_close_at
            and self.starts_on
            and self.applications_close_at.date() > self.starts_on
        ):
            errors["applications_close_at"] = _(
                "The application deadline must be before the program starts."
            )
        for role, low, high in (
            ("adept", self.adept_min_manager_months, self.adept_max_manager_months),
            ("mentor", self.mentor_min_manager_months, self.mentor_max_manager_months),
        ):
            if high is not None and low is not None and high < low:
                errors[f"{role}_max_manager_months"] = _(
                    "The maximum must be at least the minimum."
                )
        if self.membership_required and not self.membership_label.strip():
            errors["membership_label"] = _(
                "Write the membership applicants must confirm, since it is required."
            )
        if errors:
            raise ValidationError(errors)

    UNIT_RULES = (PairingRule.DIFFERENT_UNIT, PairingRule.DIFFERENT_UNIT_GROUP)

    def needs_unit(self, organization_id) -> bool:
        """Does an applicant of this organisation have to give a unit? Where the pairing rule
        compares units and there is one to give: a listed one, or a proposal if allowed."""
        if self.pairing_rule not in self.UNIT_RULES or organization_id is None:
            return False
        return (
            self.units_proposable
            or Unit.objects.listed().filter(organization_id=organization_id).exists()
        )

    @property
    def words(self) -> dict:
        return WORDING[self.registration_of_interest]

    def optional_fields(self, role: str) -> list[str]:
        """The form's fixed fields this program lets a role leave empty."""
        return self.adept_optional if role == Role.ADEPT else self.mentor_optional

    def required_to_submit(self, role: str) -> tuple[str, ...]:
        optional = self.optional_fields(role)
        return tuple(name for name in Application.REQUIRED_TO_SUBMIT if name not in optional)

    def manager_months(self, role: str) -> tuple[int, int | None]:
        """The least and the most months as a manager the program asks of a role."""
        if role == Role.ADEPT:
            return self.adept_min_manager_months, self.adept_max_manager_months
        return self.mentor_min_manager_months, self.mentor_max_manager_months

    def manager_rules(self) -> list[str]:
        return [rule for rule in map(self.manager_rule, (Role.ADEPT, Role.MENTOR)) if rule]

    def manager_rule(self, role: str) -> str:
        """The time-as-a-manager rule for one role, as the program page prints it; empty when
        the program asks nothing."""
        low, high = self.manager_months(role)
        if not low and high is None:
            return ""
        values = {
            "role": gettext("Adepts") if role == Role.ADEPT else gettext("Mentors"),
            "least": low,
            "most": high,
            "when": self.get_manager_months_counted_display(),
        }
        if high is None:
            text = ngettext(
                "%(role)s: at least %(least)d month as a manager with staff, %(when)s.",
                "%(role)s: at least %(least)d months as a manager with staff, %(when)s.",
                low,
            )
        elif not low:
            text = ngettext(
                "%(role)s: at most %(most)d month as a manager with staff, %(when)s.",
                "%(role)s: at most %(most)d months as a manager with staff, %(when)s.",
                high,
            )
        else:
            text = ngettext(
                "%(role)s: from %(least)d to %(most)d month as a manager with staff, %(when)s.",
                "%(role)s: from %(least)d to %(most)d months as a manager with staff, %(when)s.",
                high,
            )
        return text % values

    @property
    def personal_data_kept_until(self) -> datetime.date:
        """The day after which the retention sweep anonymises what people wrote."""
        return add_months(self.ends_on, self.retention_months)

    def current_status(self, now: datetime.datetime | None = None) -> str:
        """The status as the dates have it now: past the deadline an open program is in
        selection, and from its first day it runs, whether or not the hourly sweep that
        records it (`programs_advance`) has run yet. Draft and closed are the coordinator's."""
        now = now or timezone.now()
        status = self.status
        if status == self.Status.OPEN and now >= self.applications_close_at:
            status = self.Status.SELECTION
        if status == self.Status.SELECTION and timezone.localdate(now) >= self.starts_on:
            status = self.Status.RUNNING
        return status

    def get_current_status_display(self) -> str:
        return str(dict(self.Status.choices)[self.current_status()])

    def meeting_plan(self) -> str:
        """The plan as people read it ("8 to 10 meetings of 90 to 120 minutes" with a dash),
        one number where a range is one number ("12 meetings of 60 minutes")."""
        low, high = self.meetings_min, self.meetings_max
        if low == high:
            meetings = ngettext("%(count)d meeting", "%(count)d meetings", high) % {"count": high}
        else:
            meetings = gettext("%(low)d–%(high)d meetings") % {"low": low, "high": high}
        short, long = self.meeting_minutes_min, self.meeting_minutes_max
        if short == long:
            minutes = ngettext("%(count)d minute", "%(count)d minutes", long) % {"count": long}
        else:
            minutes = gettext("%(low)d–%(high)d minutes") % {"low": short, "high": long}
        return gettext("%(meetings)s of %(minutes)s") % {"meetings": meetings, "minutes": minutes}

    def is_open(self, now: datetime.datetime | None = None) -> bool:
        """Can applications be submitted right now?"""
        now = now or timezone.now()
        return (
            self.status == self.Status.OPEN
            and self.applications_open_at <= now < self.applications_close_at
        )

    @property
    def matching_weights(self) -> dict[str, float]:
        return {
            "needs": self.weight_needs,
            "region": self.weight_region,
            "format": self.weight_format,
            "language": self.weight_language,
            "experience": self.weight_experience,
            "wishes": self.weight_wishes,
            # The ranks weigh only once the round has opened.
            "preference": self.weight_preferences if self.preferences_open_at else 0.0,
        }

    def preference_round_open(self, now=None) -> bool:
        now = now or timezone.now()
        return bool(
            self.preferences_open_at
            and self.preferences_close_at
            and self.preferences_open_at <= now < self.preferences_close_at
        )

    def opens_later(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.OPEN and now < self.applications_open_at


def default_notice_days() -> list[int]:
    return [14, 1]


class LineManagerMeeting(models.TextChoices):
    """The meetings a pair holds with the adept's line manager (seed 004): planning the
    course before the start, and evaluating it at the end."""

    PLANNING = "planning", _("Planning meeting with the line manager")
    EVALUATION = "evaluation", _("Evaluation meeting with the line manager")


class MilestoneQuerySet(models.QuerySet):
    def for_role(self, role: str):
        """The milestones meant for an adept or a mentor: the one rule the pair's page, the
        calendar feed and the notices all follow."""
        return self.filter(audience__in=Milestone.audiences_for(role))


class Milestone(models.Model):
    """A joint event on the program's timeline: kick-off, half-time seminar, closing ..."""

    class Kind(models.TextChoices):
        KICK_OFF = "kick_off", _("Kick-off")
        ADEPT_INTRO = "adept_intro", _("Introduction for adepts")
        MENTOR_TRAINING = "mentor_training", _("Mentor training")
        INSPIRATION = "inspiration", _("Inspiration meeting")
        HALF_TIME = "half_time", _("Half-time seminar")
        CLOSING = "closing", _("Closing")
        EVALUATION = "evaluation", _("Evaluation meeting")
        OTHER = "other", _("Other")

    class Audience(models.TextChoices):
        BOTH = "both", _("Adepts and mentors")
        ADEPTS = "adepts", _("Adepts")
        MENTORS = "mentors", _("Mentors")

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="milestones"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Titles and descriptions in one or more languages; the others fall back to them.
    title_sv = models.CharField(
        _("title (Swedish)"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to use the kind."),
    )
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_da = models.CharField(_("title (Danish)"), max_length=200, blank=True)
    description_sv = models.TextField(_("description (Swedish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_da = models.TextField(_("description (Danish)"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    location = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    audience = models.CharField(
        _("for"), max_length=10, choices=Audience.choices, default=Audience.BOTH
    )
    notice_days = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("send notices (days before)"),
        default=default_notice_days,
        blank=True,
        help_text=_("Comma-separated, for example 14,1."),
    )
    line_manager_meeting = models.CharField(
        _("pairs meet their line manager by this date"),
        max_length=10,
        choices=LineManagerMeeting.choices,
        blank=True,
        help_text=_(
            "For example: plan the start with the line manager by the kick-off. The dashboard "
            "counts the pairs that held it by the milestone's end (or start)."
        ),
    )

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="milestone_times_in_order",
                violation_error_message=_("A milestone must end after it starts."),
            ),
        ]

    def __str__(self):
        return self.display_title

    @staticmethod
    def audiences_for(role: str) -> list[str]:
        both = Milestone.Audience.BOTH
        return [
            both,
            Milestone.Audience.ADEPTS if role == Role.ADEPT else Milestone.Audience.MENTORS,
        ]

    @property
    def roles(self) -> tuple[str, ...]:
        """Who this milestone is for."""
        return tuple(role for role in Role.values if self.audience in self.audiences_for(role))

    @property
    def display_title(self) -> str:
        """The title in the reader's language (or the one given), else the kind."""
        return in_language(self, "title") or str(self.get_kind_display())

    @property
    def display_description(self) -> str:
        return in_language(self, "description")

    @property
    def is_online(self) -> bool:
        return bool(self.online_url) and not self.location


class ApplicationQuerySet(CoordinatorScopedQuerySet):
    # An organisation's own coordinator sees and decides its people's applications.
    organization_paths = ("organization",)

    def for_user(self, user):
        """An applicant's own applications."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(applicant=user)

    def for_coordinator(self, user):
        """Submitted applications in the programs a coordinator coordinates. Drafts stay
        private to the applicant until they are submitted."""
        return super().for_coordinator(user).exclude(status=Application.Status.DRAFT)

    def with_eligibility(self):
        """Annotate `eligible`: months as a manager (at least, and at most where the program
        says so, counted on the day the program chooses) and membership, by the program's
        rules as they stand now."""
        minimum = models.Case(
            models.When(role=Role.ADEPT, then=F("program__adept_min_manager_months")),
            default=F("program__mentor_min_manager_months"),
        )
        maximum = models.Case(
            models.When(role=Role.ADEPT, then=F("program__adept_max_manager_months")),
            default=F("program__mentor_max_manager_months"),
        )
        counted_on = models.Case(
            models.When(
                program__manager_months_counted=Program.CountedAt.APPLICATION,
                then=Coalesce(TruncDate("submitted_at"), models.Value(timezone.localdate())),
            ),
            default=F("program__starts_on"),
            output_field=models.DateField(),
        )
        # Whole months from manager_since to counted_on are at least m exactly when
        # manager_since is on or before counted_on less m months (mentorship.months).
        by_the_rules = models.ExpressionWrapper(
            Q(manager_since__lte=MonthsBefore(counted_on, minimum))
            & (
                Q(rule_most_months__isnull=True)
                | Q(manager_since__gt=MonthsBefore(counted_on, F("rule_most_months") + 1))
            )
            & (Q(program__membership_required=False) | Q(membership_confirmed=True))
            & ~models.Exists(
                ApplicationAnswer.objects.filter(
                    application=models.OuterRef("pk"), options__eligible=False
                )
            ),
            output_field=models.BooleanField(),
        )
        # An anonymised application keeps the outcome it had, not the dates behind it.
        return self.annotate(rule_most_months=maximum).annotate(
            eligible=models.Case(
                models.When(
                    manager_since__isnull=True,
                    eligible_kept__isnull=False,
                    then=F("eligible_kept"),
                ),
                default=by_the_rules,
                output_field=models.BooleanField(),
            )
        )

    def accepted_adepts(self):
        return self.filter(role=Role.ADEPT, status=Application.Status.ACCEPTED)


class MonthsBefore(models.Func):
    """A date minus a number of months, in SQL."""

    arity = 2
    output_field = models.DateField()

    def as_sql(self, compiler, connection, function=None, template=None, arg_joiner=None, **extra):
        date_sql, date_params = compiler.compile(self.source_expressions[0])
        months_sql, months_params = compiler.compile(self.source_expressions[1])
        return (
            f"({date_sql} - make_interval(months => {months_sql}))::date",
            (*date_params, *months_params),
        )


class Application(models.Model):
    """One person's application to one program, as adept or as mentor."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        WAITLISTED = "waitlisted", _("Waiting list")
        REJECTED = "rejected", _("Not accepted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        BANKED = "banked", _("In the mentor bank")

    # The statuses a coordinator's decision can set, and those it can be made from.
    class RejectionReason(models.TextChoices):
        NOT_ELIGIBLE = "not_eligible", _("Does not meet the program's rules")
        NO_PLACE = "no_place", _("More applicants than places")
        OTHER = "other", _("Another reason (written to the applicant)")

    DECISIONS = (Status.ACCEPTED, Status.WAITLISTED, Status.REJECTED)
    # What must be filled in before an application can be submitted, less what the program
    # makes optional for the role (Program.required_to_submit); the form marks them required
    # and the service checks them (a mentor also gives a capacity).
    REQUIRED_TO_SUBMIT = ("organization", "job_title", "manager_since", "direct_reports", "letter")
    DECIDABLE = (Status.SUBMITTED, Status.WAITLISTED, Status.ACCEPTED, Status.REJECTED)

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.CASCADE,
        related_name="applications",
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="applications",
        null=True,
        blank=True,
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit or leadership team"),
        on_delete=models.PROTECT,
        related_name="applications",
        null=True,
        blank=True,
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    # For the preference round's shortlist: a few lines the other side reads.
    presentation = models.TextField(
        _("presentation"),
        blank=True,
        max_length=600,
        help_text=_("What you bring, what you seek: a few lines the other side reads."),
    )
    preferences_at = models.DateTimeField(_("preferences given"), null=True, blank=True)
    line_manager_name = models.CharField(_("line manager's name"), max_length=200, blank=True)
    line_manager_email = models.EmailField(_("line manager's e-mail address"), blank=True)
    manager_since = models.DateField(
        _("manager with staff since"),
        null=True,
        blank=True,
        help_text=_("When you first became a manager with staff."),
    )
    direct_reports = models.PositiveSmallIntegerField(
        _("number of direct reports"), null=True, blank=True
    )
    membership_confirmed = models.BooleanField(_("membership confirmed"), default=False)
    focus_areas = models.ManyToManyField(
        FocusArea, verbose_name=_("focus areas"), related_name="applications", blank=True
    )
    meeting_format = models.CharField(
        _("meeting format"),
        max_length=10,
        choices=MeetingFormat.choices,
        default=MeetingFormat.EITHER,
    )
    region = models.CharField(_("region or town"), max_length=100, blank=True)
    languages = ArrayField(
        models.CharField(max_length=2, choices=Language.choices),
        verbose_name=_("languages"),
        default=list,
        blank=True,
    )
    wishes = models.TextField(_("other wishes"), blank=True, max_length=1000)
    mentor_capacity = models.PositiveSmallIntegerField(
        _("adepts you can take"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    letter = models.TextField(_("motivation letter"), blank=True)

    consent_processing_at = models.DateTimeField(
        _("consented to processing"), null=True, blank=True
    )
    consent_bank_at = models.DateTimeField(_("consented to the mentor bank"), null=True, blank=True)

    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    rejection_reason = models.CharField(
        _("reason for the rejection"), max_length=20, choices=RejectionReason.choices, blank=True
    )
    decision_message = models.TextField(
        _("message to the applicant"),
        blank=True,
        max_length=2000,
        help_text=_("Sent with the decision, in the applicant's e-mail."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    internal_note = models.TextField(
        _("internal note"),
        blank=True,
        help_text=_("Seen by coordinators only, never by the applicant."),
    )
    # Set when the application is anonymised: the eligibility it had, so that the program's
    # counts stay right once the dates behind it are gone.
    eligible_kept = models.BooleanField(null=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "applicant", "role"],
                name="one_application_per_program_and_role",
                violation_error_message=_("You have already applied to this program in this role."),
            ),
            models.CheckConstraint(
                condition=Q(mentor_capacity__isnull=True)
                | Q(mentor_capacity__gte=1, mentor_capacity__lte=3),
                name="application_mentor_capacity_1_to_3",
            ),
        ]

    def __str__(self):
        # No related rows: __str__ is called for every application on admin delete
        # confirmations. Pages that show applications name the applicant themselves.
        return f"{self.get_role_display()} #{self.pk}"

    def get_absolute_url(self):
        return reverse("programs:application", kwargs={"pk": self.pk})

    @property
    def minimum_manager_months(self) -> int:
        return self.program.manager_months(self.role)[0]

    def months_counted_on(self) -> datetime.date:
        """The day the program counts months as a manager on: its start, or the day the
        application was sent (today for one not sent yet)."""
        if self.program.manager_months_counted == Program.CountedAt.APPLICATION:
            return (
                timezone.localdate(self.submitted_at)
                if self.submitted_at
                else (timezone.localdate())
            )
        return self.program.starts_on

    def manager_months(self) -> int | None:
        """Months as a manager on the day the program's rule counts them."""
        if self.manager_since is None:
            return None
        return months_between(self.manager_since, self.months_counted_on())

    def manager_months_at_start(self) -> int | None:
        if self.manager_since is None:
            return None
        return months_between(self.manager_since, self.program.starts_on)

    def is_eligible(self) -> bool:
        if self.manager_since is None and self.eligible_kept is not None:
            return self.eligible_kept
        months = self.manager_months()
        least, most = self.program.manager_months(self.role)
        return (
            months is not None
            and months >= least
            and (most is None or months <= most)
            and (self.membership_confirmed or not self.program.membership_required)
            and not self.disqualifying_answers()
        )

    def disqualifying_answers(self) -> list[ApplicationAnswer]:
        """The answers that mean the program's rules are not met (prefetch answers__options,
        answers__question for lists)."""
        return [
            answer
            for answer in self.answers.all()
            if any(not option.eligible for option in answer.options.all())
        ]

    def is_editable(self, now=None) -> bool:
        """The applicant may change it: a draft or a submitted application before the deadline."""
        return self.status in (self.Status.DRAFT, self.Status.SUBMITTED) and self.program.is_open(
            now
        )

    def can_withdraw(self) -> bool:
        return self.status in (
            self.Status.DRAFT,
            self.Status.SUBMITTED,
            self.Status.WAITLISTED,
            self.Status.ACCEPTED,
        )


class OrganizationCoordinator(models.Model):
    """An organisation's own HR contact in a program run by several (seven universities,
    forty agencies): they see and decide their organisation's applications and follow its
    pairs. The program's coordinators lead: they see all of it and alone set the program up,
    run the matching and publish."""

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="organization_coordinators",
        verbose_name=_("program"),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="organization_roles",
        verbose_name=_("coordinator"),
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("coordinator for one organisation")
        verbose_name_plural = _("coordinators for one organisation")
        ordering = ["organization__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "organization", "user"],
                name="one_role_per_organization",
                violation_error_message=_(
                    "They coordinate this organisation in the program already."
                ),
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.organization})"


class LineManagerSupport(models.Model):
    """An adept's line manager asked to support the application (seed 004's chef or
    aftaleholder; the Swedish närmaste chef): they answer from the e-mail's link, and only the
    coordinators read a reason for declining."""

    class Answer(models.TextChoices):
        WAITING = "waiting", _("Waiting for an answer")
        SUPPORTED = "supported", _("Supports the application")
        DECLINED = "declined", _("Does not support the application")
        WITHDRAWN = "withdrawn", _("Has withdrawn their support")

    application = models.OneToOneField(
        Application,
        on_delete=models.CASCADE,
        related_name="line_manager_support",
        verbose_name=_("application"),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="supported_applications",
        verbose_name=_("line manager"),
    )
    answer = models.CharField(
        _("answer"), max_length=10, choices=Answer.choices, default=Answer.WAITING
    )
    reason = models.TextField(_("reason (for the coordinators)"), blank=True, max_length=2000)
    asked_at = models.DateTimeField(_("asked"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)

    class Meta:
        verbose_name = _("line manager's support")
        verbose_name_plural = _("line managers' support")

    def __str__(self):
        return f"{self.manager} ({self.get_answer_display()})"


class ParticipantInvitation(models.Model):
    """Someone on the coordinators' own list of participants, asked to apply in a role (seed
    003's HR network gathers registrations of interest elsewhere; seed 001 had letters by
    e-mail): what the list says of them fills in their form, which they check and submit
    themselves. One per program, person and role."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("program")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="program_invitations",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit or leadership team"),
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation to apply")
        verbose_name_plural = _("invitations to apply")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "person", "role"], name="one_invitation_per_role"
            )
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()})"


class MentorBankEntry(models.Model):
    """A mentor an organisation may ask again for its later programs: one who was not matched
    and agreed to be asked, or one its coordinators added from their own list (seed 001's
    union keeps its bank in a spreadsheet). A person can be in the banks of several
    organisations, once in each."""

    owner = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="mentor_bank",
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentor"),
        on_delete=models.CASCADE,
        related_name="mentor_bank_entries",
    )
    application = models.ForeignKey(
        Application,
        verbose_name=_("from application"),
        on_delete=models.CASCADE,
        related_name="bank_entries",
        null=True,
        blank=True,
    )
    note = models.CharField(
        _("note"),
        max_length=200,
        blank=True,
        help_text=_("Why and when the mentor joined, as the coordinators' list says."),
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("mentor bank entry")
        verbose_name_plural = _("mentor bank")
        ordering = ["-joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "mentor"], name="one_bank_entry_per_owner")
        ]

    def __str__(self):
        return str(self.mentor)

    @property
    def why(self) -> str:
        """Why the mentor is in the bank: the program they were not matched in, or what the
        coordinators' list said when they were added."""
        if self.application is not None:
            return gettext("Not matched in %(program)s") % {"program": self.application.program}
        return self.note or gettext("Added by the coordinators")


class BankOffer(models.Model):
    """An offer to the mentor bank (seed 001: "regular offers of events"): one e-mail to each
    mentor in the bank of the program's organisation, from every edition, once per person per
    offer, each with the way out of the bank."""

    program = models.ForeignKey(
        Program,
        verbose_name=_("from the program"),
        on_delete=models.CASCADE,
        related_name="bank_offers",
        help_text=_(
            "The offer goes to the mentor bank of the program's organisation: the mentors of "
            "every edition who are in it."
        ),
    )
    title_sv = models.CharField(_("title (Swedish)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_da = models.CharField(_("title (Danish)"), max_length=200, blank=True)
    text_sv = models.TextField(_("text (Swedish)"), max_length=3000, blank=True)
    text_en = models.TextField(_("text (English)"), max_length=3000, blank=True)
    text_da = models.TextField(_("text (Danish)"), max_length=3000, blank=True)
    link = models.URLField(
        _("link"), blank=True, help_text=_("Where to read more or sign up, if anywhere.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    sent_at = models.DateTimeField(_("last sent"), null=True, blank=True, editable=False)

    objects = CoordinatorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer to the mentor bank")
        verbose_name_plural = _("offers to the mentor bank")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return in_language(self, "title") or gettext("Offer to the mentor bank")

    def clean(self) -> None:
        if not (self.title_sv or self.title_en or self.title_da):
            raise ValidationError(_("Give the offer a title in at least one language."))
        if not (self.text_sv or self.text_en or self.text_da):
            raise ValidationError(_("Write the offer in at least one language."))

    @property
    def notification_key(self) -> str:
        return f"bank_offer:{self.pk}"


# --------------------------------------------------------------------------------------------
# The program's own questions
# --------------------------------------------------------------------------------------------


class EmailText(models.Model):
    """The program's own paragraph in one of its e-mails, in its languages; the app keeps the
    fixed parts (who the pair is, confidentiality, the links, the decision itself)."""

    class Kind(models.TextChoices):
        INTRODUCTION = "introduction", _("Introduction of a new pair")
        ACCEPTED = "accepted", _("Decision: accepted")
        WAITLISTED = "waitlisted", _("Decision: waiting list")
        REJECTED = "rejected", _("Decision: not accepted")
        CLOSING = "program_closed", _("Thanks at the program's close")

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="email_texts"
    )
    kind = models.CharField(
        _("e-mail"),
        max_length=20,
        choices=Kind.choices,
        help_text=_(
            "The paragraph comes after the app's own text, in the reader's language if it is "
            "written in it. In the introduction it takes the place of the app's sentence on "
            "who books the first meeting: say who does, and what to bring."
        ),
    )
    text_sv = models.TextField(_("paragraph (Swedish)"), max_length=2000, blank=True)
    text_en = models.TextField(_("paragraph (English)"), max_length=2000, blank=True)
    text_da = models.TextField(_("paragraph (Danish)"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("the program's paragraph in an e-mail")
        verbose_name_plural = _("the program's paragraphs in its e-mails")
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "kind"],
                name="one_email_text_per_program_and_kind",
                violation_error_message=_("The program has a paragraph for this e-mail already."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    def clean(self) -> None:
        if not (self.text_sv or self.text_en or self.text_da):
            raise ValidationError(_("Write the paragraph in at least one language."))


def program_paragraph(program: Program, kind: str) -> dict:
    """The program's paragraph for an e-mail, in the reader's language or the one it is
    written in, with that language for the `lang` attribute; empty if it has none. Reads the
    prefetched `email_texts`, so a batch of e-mails runs no query per e-mail."""
    text = next((t for t in program.email_texts.all() if t.kind == kind), None)
    if text is None:
        return {"text": "", "lang": ""}
    return {"text": in_language(text, "text"), "lang": language_of(text, "text")}


class Question(models.Model):
    """A question a program adds to its application form, for one role or both, written in
    one or more of the program's languages. A question with answers to pick (one, several,
    or yes/no) can be a matching criterion, an eligibility rule (an answer that does not
    qualify) and carry places per answer."""

    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        CHOICE = "choice", _("One of several answers")
        CHOICES = "choices", _("Several answers")
        YES_NO = "yes_no", _("Yes or no")
        DATE = "date", _("A date")
        NUMBER = "number", _("A number")

    class Criterion(models.TextChoices):
        NONE = "", _("Not used in the matching")
        SAME = "same", _("Adept and mentor must give the same answer")
        DIFFERENT = "different", _("Adept and mentor must give different answers")

    PICKED = (Kind.CHOICE, Kind.CHOICES, Kind.YES_NO)
    # One answer per person: what a matching criterion compares.
    SINGLE = (Kind.CHOICE, Kind.YES_NO)

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="questions"
    )
    role = models.CharField(
        _("asked of"),
        max_length=10,
        choices=[("", _("Adepts and mentors")), *Role.choices],
        blank=True,
    )
    text_sv = models.CharField(_("question (Swedish)"), max_length=300, blank=True)
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    text_da = models.CharField(_("question (Danish)"), max_length=300, blank=True)
    kind = models.CharField(_("kind of answer"), max_length=12, choices=Kind.choices)
    required = models.BooleanField(_("an answer is required to send"), default=False)
    criterion = models.CharField(
        _("in the matching"),
        max_length=10,
        choices=Criterion.choices,
        blank=True,
        help_text=_("For a question with one answer to pick (one of several, or yes or no)."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = CoordinatorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["program", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text_sv="", text_en="", text_da=""),
                name="question_written",
                violation_error_message=_("Write the question in at least one language."),
            ),
        ]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.kind == self.Kind.YES_NO and not self.options.exists():
            Option.objects.create_texts(self, [("Ja", "Yes", "Ja"), ("Nej", "No", "Nej")])

    @property
    def text(self) -> str:
        return in_language(self, "text")

    def is_for(self, role: str) -> bool:
        return self.role in ("", role)

    def clean(self):
        if self.criterion and self.kind not in self.SINGLE:
            raise ValidationError(
                {
                    "criterion": _(
                        "Only a question with one answer to pick (one of several, or yes or "
                        "no) can be used in the matching."
                    )
                }
            )


class OptionQuerySet(models.QuerySet):
    def with_places(self):
        """The answers with places of their own, each with `accepted`: the adepts accepted
        with it (what acceptance checks and the place counts show)."""
        return self.filter(places__isnull=False).annotate(
            accepted=Count(
                "answers",
                filter=Q(
                    answers__application__role=Role.ADEPT,
                    answers__application__status=Application.Status.ACCEPTED,
                ),
            )
        )

    def create_texts(self, question, texts) -> list:
        """The question's answers to pick from (sv, en, da) texts, in this order."""
        return self.bulk_create(
            self.model(question=question, position=n, text_sv=sv, text_en=en, text_da=da)
            for n, (sv, en, da) in enumerate(texts)
        )


class Option(models.Model):
    """An answer to pick. `places` limits the adepts accepted with this answer (seed 000's
    five principals and five deputy principals); an answer that is not `eligible` means the
    applicant does not meet the program's rules (seed 001's union membership)."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="options"
    )
    text_sv = models.CharField(_("answer (Swedish)"), max_length=200, blank=True)
    text_en = models.CharField(_("answer (English)"), max_length=200, blank=True)
    text_da = models.CharField(_("answer (Danish)"), max_length=200, blank=True)
    places = models.PositiveSmallIntegerField(
        _("adept places"),
        null=True,
        blank=True,
        help_text=_("Empty for no limit of its own: the program's places count."),
    )
    eligible = models.BooleanField(
        _("qualifies"),
        default=True,
        help_text=_("Untick if applicants who give this answer do not meet the program's rules."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = OptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer to pick")
        verbose_name_plural = _("answers to pick")
        ordering = ["question", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text_sv="", text_en="", text_da=""),
                name="option_written",
                violation_error_message=_("Write the answer in at least one language."),
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def text(self) -> str:
        return in_language(self, "text")


class ApplicationAnswer(models.Model):
    """One applicant's answer to one of the program's questions."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE,
        related_name="answers",
    )  # fmt: skip
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="answers"
    )
    text = models.TextField(_("answer"), blank=True, max_length=3000)
    number = models.DecimalField(_("number"), max_digits=12, decimal_places=2, null=True)
    date = models.DateField(_("date"), null=True)
    options = models.ManyToManyField(
        Option, verbose_name=_("answers picked"), blank=True, related_name="answers"
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "question"], name="one_application_answer_per_question"
            ),
        ]

    def __str__(self):
        return self.display()

    def display(self) -> str:
        """The answer as the applicant gave it, in the reader's language and formats."""
        kind = self.question.kind
        if kind == Question.Kind.DATE:
            return date_format(self.date, "DATE_FORMAT") if self.date else ""
        if kind == Question.Kind.NUMBER:
            return "" if self.number is None else number_format(self.number.normalize())
        return self.cell()

    def cell(self):
        """The answer for a spreadsheet: a date as a date, a number as a number."""
        kind = self.question.kind
        if kind in Question.PICKED:
            return ", ".join(option.text for option in self.options.all())
        if kind == Question.Kind.DATE:
            return self.date.isoformat() if self.date else ""
        if kind == Question.Kind.NUMBER:
            return None if self.number is None else float(self.number)
        return self.text
