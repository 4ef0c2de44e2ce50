import datetime

import factory
from django.utils import timezone

from programs.models import (
    Application,
    FocusArea,
    MentorBankEntry,
    Milestone,
    Organization,
    Program,
    Role,
    Unit,
)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Organisation {n}")


class FocusAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocusArea

    code = factory.Sequence(lambda n: f"area-{n}")
    name_sv = factory.Sequence(lambda n: f"Område {n}")
    name_en = factory.Sequence(lambda n: f"Area {n}")
    name_da = factory.Sequence(lambda n: f"Område {n} (da)")


class ProgramFactory(factory.django.DjangoModelFactory):
    """An open program: the window opened a week ago and closes in a month."""

    class Meta:
        model = Program
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Mentorsprogram {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    summary = "Ett år med en erfaren chef som mentor."
    description = "Paren träffas en gång i månaden."
    audience = "Nya chefer med personalansvar."
    owner = factory.SubFactory(OrganizationFactory)
    status = Program.Status.OPEN
    applications_open_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7))
    applications_close_at = factory.LazyFunction(
        lambda: timezone.now() + datetime.timedelta(days=30)
    )
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=420))
    adept_places = 10

    @factory.post_generation
    def organizations(program, create, extracted, **kwargs):
        if create:
            program.organizations.set(extracted or [program.owner])


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    program = factory.SubFactory(ProgramFactory)
    kind = Milestone.Kind.KICK_OFF
    starts_at = factory.LazyAttribute(
        lambda m: timezone.make_aware(
            datetime.datetime.combine(m.program.starts_on, datetime.time(10))
        )
    )


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete, eligible, submitted adept application."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    applicant = factory.SubFactory("accounts.tests.factories.UserFactory")
    role = Role.ADEPT
    status = Application.Status.SUBMITTED
    organization = factory.LazyAttribute(lambda a: a.program.owner)
    unit = "Grundskola Norr"  # a name: the organisation's unit of that name (see below)
    job_title = "Rektor"
    manager_since = factory.LazyAttribute(
        lambda a: a.program.starts_on - datetime.timedelta(days=5 * 365)
    )
    direct_reports = 12
    letter = "Jag vill utvecklas som chef."
    consent_processing_at = factory.LazyFunction(timezone.now)
    submitted_at = factory.LazyFunction(timezone.now)
    mentor_capacity = factory.LazyAttribute(lambda a: 2 if a.role == Role.MENTOR else None)
    consent_bank_at = factory.LazyAttribute(
        lambda a: timezone.now() if a.role == Role.MENTOR else None
    )

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # Tests name units as applicants knew them; the unit is the organisation's listed one.
        unit = kwargs.get("unit")
        if isinstance(unit, str):
            organization = kwargs.get("organization")
            kwargs["unit"] = (
                unit_named(organization, unit) if unit.strip() and organization else None
            )
        return kwargs


def unit_named(organization, name: str, parent=None) -> Unit:
    """The organisation's unit of that name (whatever the case and spacing), made if missing."""
    name = " ".join(name.split())
    return Unit.objects.filter(
        organization=organization, name__iexact=name
    ).first() or Unit.objects.create(organization=organization, name=name, parent=parent)


class MentorBankEntryFactory(factory.django.DjangoModelFactory):
    """A mentor banked from their application, in the bank of its program's organisation."""

    class Meta:
        model = MentorBankEntry

    application = factory.SubFactory(ApplicationFactory, role=Role.MENTOR)
    mentor = factory.SelfAttribute("application.applicant")
    owner = factory.SelfAttribute("application.program.owner")
