"""Demo data modelled on the programs in shared/seeds: safe to run any number of times.

Dates are placed relative to today, so the demo always has a program open for applications
and one opening soon. Nothing that exists is changed: a second run creates only what is
missing.
"""

from __future__ import annotations

import datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from evaluations.services import survey_create
from programs.models import (
    Application,
    ApplicationAnswer,
    EmailText,
    FocusArea,
    LineManagerSupport,
    Milestone,
    Option,
    OptionalField,
    Organization,
    OrganizationCoordinator,
    Program,
    Question,
    Role,
    Unit,
)

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed by `make run`, demo data only

FOCUS_AREAS = [
    (
        "pedagogical-leadership",
        "Pedagogiskt ledarskap",
        "Pedagogical leadership",
        "Pædagogisk ledelse",
    ),
    ("staff-leadership", "Personalledarskap", "Leading staff", "Personaleledelse"),
    ("budget", "Budget och ekonomi", "Budget and finance", "Budget og økonomi"),
    ("work-environment", "Arbetsmiljö", "Work environment", "Arbejdsmiljø"),
    ("change", "Förändringsledning", "Leading change", "Forandringsledelse"),
    ("conflicts", "Konflikthantering", "Handling conflicts", "Konflikthåndtering"),
    ("recruitment", "Rekrytering", "Recruitment", "Rekruttering"),
    ("strategy", "Strategiskt ledarskap", "Strategic leadership", "Strategisk ledelse"),
    ("communication", "Kommunikation", "Communication", "Kommunikation"),
    ("personal-leadership", "Personligt ledarskap", "Personal leadership", "Personlig ledelse"),
]

USERS = [
    # email, full name, staff, superuser, language
    ("admin@example.org", "Agnes Admin", True, True, "sv"),
    ("coordinator@example.org", "Karin Koordinator", True, False, "sv"),
    ("network-coordinator@example.org", "Nils Nätverk", True, False, "sv"),
    # Coordinates Härnösands kommun's people in the network's program (seed 003).
    ("hr@example.org", "Hanna HR", True, False, "da"),
    ("adept@example.org", "Anna Adept", False, False, "sv"),
    ("mentor@example.org", "Mats Mentor", False, False, "en"),
    # Anna Adept's line manager, asked for his support (the employer gives the working time).
    ("chef@example.org", "Carl Chef", False, False, "sv"),
]


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def first_of_month_after(day: datetime.date, days: int) -> datetime.date:
    later = day + datetime.timedelta(days=days)
    return later.replace(day=1)


class Command(BaseCommand):
    help = "Create demo organisations, programs, milestones and logins (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        today = timezone.localdate()
        areas = self.focus_areas()
        users = self.users()
        created = [
            self.school_leaders(today, areas, users),
            self.universities(today, areas, users),
            self.agencies(today, areas, users),
        ]
        school, school_created = created[0]
        if school_created:
            self.applications(school, users)
        universities, universities_created = created[1]
        if universities_created:
            self.accepted_for_matching(universities)
            self.evaluations(universities)
        new = [p.name for p, was_created in created if was_created]
        self.stdout.write(
            f"Demo data ready: {len(new)} new program(s)"
            + (f" ({', '.join(new)})" if new else "")
            + f". Logins use the password {DEMO_PASSWORD}."
        )

    def focus_areas(self) -> dict[str, FocusArea]:
        areas = {}
        for code, sv, en, da in FOCUS_AREAS:
            areas[code], _ = FocusArea.objects.get_or_create(
                code=code, defaults={"name_sv": sv, "name_en": en, "name_da": da}
            )
        return areas

    def users(self) -> dict[str, User]:
        users = {}
        for email, name, staff, superuser, language in USERS:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email,
                    password=DEMO_PASSWORD,
                    full_name=name,
                    is_staff=staff,
                    is_superuser=superuser,
                    language=language,
                )
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
            if staff and not Authenticator.objects.filter(user=user).exists():
                # Staff need a second factor; `make run` lets the demo accept code 000000.
                TOTP.activate(user, generate_totp_secret())
            users[email.split("@")[0]] = user
        return users

    def applications(self, program: Program, users: dict[str, User]) -> None:
        """Submitted applications, so that a coordinator has something to review."""
        now = timezone.now()
        organizations = list(program.organizations.exclude(pk=program.owner_id))
        areas = list(program.focus_areas.all())
        school_form = self.school_form_question(program)
        forms = list(school_form.options.all())
        people = [
            (users["adept"], Role.ADEPT, 2, "Biträdande rektor"),
            (users["mentor"], Role.MENTOR, 12, "Rektor"),
        ] + [
            (
                self.participant(f"{kind}{n}@example.org", name),
                role,
                years,
                title,
            )
            for n, (kind, name, role, years, title) in enumerate(
                [
                    ("adept", "Elin Ek", Role.ADEPT, 1, "Rektor"),
                    ("adept", "Omar Hassan", Role.ADEPT, 2, "Biträdande rektor"),
                    ("adept", "Sofia Lind", Role.ADEPT, 0, "Rektor"),
                    ("mentor", "Birgitta Berg", Role.MENTOR, 15, "Skolchef"),
                    ("mentor", "Johan Holm", Role.MENTOR, 8, "Rektor"),
                ],
                start=1,
            )
        ]
        for index, (user, role, years, title) in enumerate(people):
            application = Application.objects.create(
                program=program,
                applicant=user,
                role=role,
                status=Application.Status.SUBMITTED,
                organization=organizations[index % len(organizations)],
                unit=self.unit(
                    organizations[index % len(organizations)], f"Skolområde {index + 1}"
                ),
                job_title=title,
                manager_since=program.starts_on - datetime.timedelta(days=int(365 * years) + 200),
                direct_reports=8 + index * 3,
                membership_confirmed=True,
                meeting_format=["either", "physical", "digital"][index % 3],
                region=["Stockholm", "Göteborg", "Malmö", "Uppsala", "Umeå"][index % 5],
                languages=["sv"],
                mentor_capacity=2 if role == Role.MENTOR else None,
                letter="Jag söker för att få ett bollplank i mitt ledarskap och perspektiv från "
                "någon som har mött liknande utmaningar.",
                consent_processing_at=now,
                consent_bank_at=now if role == Role.MENTOR else None,
                submitted_at=now - datetime.timedelta(days=index),
            )
            application.focus_areas.set(areas[index % len(areas) :][:2])
            if user == users["adept"]:
                application.line_manager_name = users["chef"].full_name
                application.line_manager_email = users["chef"].email
                application.save(update_fields=["line_manager_name", "line_manager_email"])
                LineManagerSupport.objects.create(
                    application=application, manager=users["chef"], asked_at=now,
                    answer=LineManagerSupport.Answer.SUPPORTED, answered_at=now,
                )  # fmt: skip
            ApplicationAnswer.objects.create(
                application=application, question=school_form
            ).options.set([forms[index % len(forms)]])

    def school_form_question(self, program: Program) -> Question:
        """A question of the program's own, asked of adepts and mentors alike."""
        question = Question.objects.create(
            program=program,
            kind=Question.Kind.CHOICE,
            required=True,
            text_sv="Vilken skolform leder du?",
            text_en="Which kind of school do you lead?",
            text_da="Hvilken skoleform leder du?",
        )
        Option.objects.create_texts(
            question,
            [
                ("Förskola", "Preschool", "Børnehave"),
                ("Grundskola", "Compulsory school", "Grundskole"),
                ("Gymnasieskola", "Upper secondary school", "Gymnasium"),
            ],
        )
        return question

    def accepted_for_matching(self, program: Program) -> None:
        """Accepted adepts and mentors from different universities, ready to be matched."""
        now = timezone.now()
        universities = list(program.organizations.order_by("name"))
        areas = list(program.focus_areas.order_by("code"))
        regions = ["Stockholm", "Solna", "Huddinge", "Stockholm"]
        people = [
            ("Alva Andersson", Role.ADEPT, 1), ("Ben Berglund", Role.ADEPT, 2),
            ("Cecilia Chen", Role.ADEPT, 1), ("David Dahl", Role.ADEPT, 0),
            ("Emma Ek", Role.ADEPT, 2), ("Farid Fors", Role.ADEPT, 1),
            ("Greta Gran", Role.MENTOR, 12), ("Hans Holm", Role.MENTOR, 9),
            ("Ingrid Isaksson", Role.MENTOR, 15), ("Jonas Jansson", Role.MENTOR, 7),
        ]  # fmt: skip
        for index, (name, role, years) in enumerate(people):
            user = self.participant(f"larosaten{index + 1}@example.org", name)
            application = Application.objects.create(
                program=program,
                applicant=user,
                role=role,
                status=Application.Status.ACCEPTED,
                organization=universities[index % len(universities)],
                unit=self.unit(
                    universities[index % len(universities)], f"Institution {index % 3 + 1}"
                ),
                job_title="Prefekt" if role == Role.MENTOR else "Enhetschef",
                manager_since=program.starts_on - datetime.timedelta(days=365 * years + 200),
                direct_reports=6 + index,
                meeting_format=["either", "physical", "digital"][index % 3],
                region=regions[index % len(regions)],
                languages=["sv", "en"] if index % 2 else ["sv"],
                mentor_capacity=2 if role == Role.MENTOR else None,
                letter="Jag vill utvecklas i mitt chefskap tillsammans med någon utanför mitt "
                "eget lärosäte.",
                consent_processing_at=now,
                consent_bank_at=now if role == Role.MENTOR else None,
                submitted_at=now,
                decided_at=now,
            )
            application.focus_areas.set(areas[index % len(areas) :][:3])

    def evaluations(self, program: Program) -> None:
        """The half-time and final surveys from the ready question sets, open for two weeks
        from their seminar."""
        phases = {Milestone.Kind.HALF_TIME: "half_time", Milestone.Kind.CLOSING: "final"}
        for milestone in program.milestones.filter(kind__in=phases):
            survey_create(
                milestone=milestone,
                phase=phases[milestone.kind],
                opens_at=milestone.starts_at - datetime.timedelta(days=3),
                closes_at=milestone.starts_at + datetime.timedelta(days=14),
            )

    def participant(self, email: str, name: str) -> User:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    def unit(self, organization: Organization, name: str, parent: Unit | None = None) -> Unit:
        return Unit.objects.get_or_create(
            organization=organization, name=name, defaults={"parent": parent}
        )[0]

    def organizations(self, names: list[str]) -> list[Organization]:
        return [Organization.objects.get_or_create(name=name)[0] for name in names]

    def program(
        self,
        *,
        slug,
        defaults,
        owner,
        organizations,
        coordinators,
        areas,
        milestones,
        texts=(),
        roles=(),
    ):
        program, created = Program.objects.get_or_create(
            slug=slug, defaults={**defaults, "owner": owner}
        )
        if created:
            program.full_clean()
            program.organizations.set(organizations)
            program.coordinators.set(coordinators)
            program.focus_areas.set(areas)
            Milestone.objects.bulk_create(
                Milestone(program=program, **milestone) for milestone in milestones
            )
            EmailText.objects.bulk_create(EmailText(program=program, **text) for text in texts)
            OrganizationCoordinator.objects.bulk_create(
                OrganizationCoordinator(program=program, organization=org, user=user)
                for org, user in roles
            )
        return program, created

    def school_leaders(self, today, areas, users):
        """A national program of a school leaders' union, June to April (seed 001)."""
        year = today.year if today < datetime.date(today.year, 3, 1) else today.year + 1
        union, *employers = self.organizations(
            [
                "Skolledarfacket",
                "Stockholms stad",
                "Göteborgs stad",
                "Malmö stad",
                "Uppsala kommun",
                "Umeå kommun",
            ]
        )
        union.short_name = "SLF"
        union.save(update_fields=["short_name"])
        return self.program(
            slug=f"mentorsprogram-for-skolledare-{year}",
            owner=union,
            organizations=[union, *employers],
            coordinators=[users["coordinator"]],
            areas=[
                areas[c]
                for c in (
                    "pedagogical-leadership",
                    "staff-leadership",
                    "budget",
                    "work-environment",
                    "change",
                    "conflicts",
                )
            ],
            defaults={
                "name": f"Mentorsprogram för skolledare {year}/{year + 1}",
                "summary": "För dig som är relativt ny som rektor, biträdande rektor eller "
                "skolchef och vill ha en erfaren skolledare som mentor under ett år.",
                "description": "Ett mentorskap är ett utvecklande möte mellan två människor. "
                "Genom mentorskapet skapas en tillitsfull relation med utbyte av kunskap och "
                "perspektiv.\n\nNi träffas en gång per månad, ungefär 1,5–2 timmar, fysiskt "
                "eller digitalt. Det är adepten som leder samtalen. Programmet inleds med en "
                "gemensam halvdag för alla adepter och mentorer och avslutas gemensamt i april.",
                "audience": "Adepter: skolledare som är relativt nya i rollen och medlemmar i "
                "förbundet.\nMentorer: skolledare med längre erfarenhet som vill dela med sig. "
                "Mentorer som inte matchas erbjuds plats i mentorbanken.",
                "status": Program.Status.OPEN,
                "applications_open_at": at(today - datetime.timedelta(days=14), 8),
                "applications_close_at": at(datetime.date(year, 3, 31), 23, 59),
                "starts_on": datetime.date(year, 6, 1),
                "ends_on": datetime.date(year + 1, 4, 30),
                "adept_places": 20,
                "meetings_min": 8,
                "meetings_max": 10,
                "meeting_minutes_min": 90,
                "meeting_minutes_max": 120,
                "adept_min_manager_months": 0,
                "mentor_min_manager_months": 36,
                "membership_required": True,
                "membership_label": "Jag är medlem i Skolledarfacket",
                "pairing_rule": Program.PairingRule.ANY,
                "mentor_bank": True,
                "line_managers": Program.LineManagers.SUPPORT,
                "line_manager_say": True,
            },
            milestones=[
                {
                    "kind": Milestone.Kind.ADEPT_INTRO,
                    "title_sv": "Digital introduktion för adepter",
                    "title_en": "Online introduction for adepts",
                    "title_da": "Digital introduktion for mentees",
                    "starts_at": at(datetime.date(year, 6, 14), 14, 30),
                    "ends_at": at(datetime.date(year, 6, 14), 16),
                    "online_url": "https://meet.example.org/skolledare-intro",
                    "audience": Milestone.Audience.ADEPTS,
                },
                {
                    "kind": Milestone.Kind.KICK_OFF,
                    "title_sv": "Gemensam uppstart",
                    "title_en": "Joint kick-off",
                    "title_da": "Fælles opstart",
                    "starts_at": at(datetime.date(year, 6, 28), 10),
                    "ends_at": at(datetime.date(year, 6, 28), 15),
                    "location": "Förbundets hus, Stockholm",
                },
                {
                    "kind": Milestone.Kind.INSPIRATION,
                    "title_sv": "Inspirationsträff (digital)",
                    "title_en": "Inspiration meeting (online)",
                    "title_da": "Inspirationsmøde (digitalt)",
                    "starts_at": at(datetime.date(year, 10, 7), 15),
                    "ends_at": at(datetime.date(year, 10, 7), 17),
                    "online_url": "https://meet.example.org/skolledare-inspiration",
                },
                {
                    "kind": Milestone.Kind.CLOSING,
                    "title_sv": "Gemensam avslutning",
                    "title_en": "Joint closing",
                    "title_da": "Fælles afslutning",
                    "starts_at": at(datetime.date(year + 1, 4, 20), 10),
                    "ends_at": at(datetime.date(year + 1, 4, 20), 15),
                    "location": "Förbundets hus, Stockholm",
                },
            ],
        )

    def universities(self, today, areas, users):
        """Seven cooperating universities; adept and mentor from different ones (seed 002)."""
        start = first_of_month_after(today, 100)
        end = start.replace(year=start.year + 1) - datetime.timedelta(days=1)
        universities = self.organizations(
            [
                "Stockholms universitet",
                "Karolinska Institutet",
                "Kungliga Tekniska högskolan",
                "Södertörns högskola",
                "Konstfack",
                "Gymnastik- och idrottshögskolan",
                "Försvarshögskolan",
            ]
        )
        return self.program(
            slug=f"mentorprogram-larosaten-{start.year}",
            owner=universities[0],
            organizations=universities,
            coordinators=[users["coordinator"]],
            areas=[
                areas[c]
                for c in (
                    "staff-leadership",
                    "work-environment",
                    "change",
                    "conflicts",
                    "recruitment",
                    "strategy",
                    "communication",
                )
            ],
            defaults={
                "name": f"Mentorprogram för chefer vid samverkande lärosäten {start.year}",
                "summary": "Nya chefer med personalansvar får en erfaren chef från ett annat "
                "lärosäte som mentor under ett år.",
                "description": "Programmet ska stödja nya chefer i roll och uppdrag, skapa "
                "erfarenhetsutbyte mellan nya och erfarna chefer och öka samarbetet i "
                "regionen.\n\nAdept och mentor kommer från olika lärosäten. Paren träffas 8–10 "
                "gånger under året. Ungefär ett halvår in hålls ett halvtidsseminarium och "
                "programmet avslutas efter ett år med en gemensam träff.",
                "audience": "Chefer med personalansvar vid något av de samverkande lärosätena, "
                "inom akademin eller förvaltningen. Adepten är ny som chef, mentorn erfaren.",
                "status": Program.Status.OPEN,
                "applications_open_at": at(today - datetime.timedelta(days=7), 8),
                "applications_close_at": at(start - datetime.timedelta(days=35), 23, 59),
                "starts_on": start,
                "ends_on": end,
                "adept_places": 14,
                "adept_min_manager_months": 0,
                "mentor_min_manager_months": 36,
                "pairing_rule": Program.PairingRule.DIFFERENT_ORGANIZATION,
            },
            milestones=[
                {
                    "kind": Milestone.Kind.KICK_OFF,
                    "title_sv": "Gemensam uppstartsträff",
                    "title_en": "Joint kick-off",
                    "title_da": "Fælles opstartsmøde",
                    "starts_at": at(start + datetime.timedelta(days=9), 13),
                    "ends_at": at(start + datetime.timedelta(days=9), 16),
                    "location": "Aula Magna, Stockholm",
                },
                {
                    "kind": Milestone.Kind.HALF_TIME,
                    "title_sv": "Halvtidsseminarium",
                    "title_en": "Half-time seminar",
                    "title_da": "Midtvejsseminar",
                    "starts_at": at(start + datetime.timedelta(days=182), 13),
                    "ends_at": at(start + datetime.timedelta(days=182), 15),
                    "online_url": "https://meet.example.org/larosaten-halvtid",
                },
                {
                    "kind": Milestone.Kind.CLOSING,
                    "title_sv": "Avslutande träff",
                    "title_en": "Closing meeting",
                    "title_da": "Afsluttende møde",
                    "starts_at": at(end - datetime.timedelta(days=7), 13),
                    "ends_at": at(end - datetime.timedelta(days=7), 16),
                    "location": "Aula Magna, Stockholm",
                },
            ],
        )

    def agencies(self, today, areas, users):
        """A network of agencies and municipalities, September to May (seed 003)."""
        opens = today + datetime.timedelta(days=30)
        closes = opens + datetime.timedelta(days=60)
        year = closes.year if closes < datetime.date(closes.year, 8, 1) else closes.year + 1
        network = self.organizations(
            [
                "Myndighetsnätverket Västernorrland",
                "Länsstyrelsen Västernorrland",
                "Härnösands kommun",
                "Sundsvalls kommun",
                "Mittuniversitetet",
            ]
        )
        return self.program(
            slug=f"myndighetsnatverkets-mentorsprogram-{year}",
            texts=[
                {
                    "kind": EmailText.Kind.INTRODUCTION,
                    "text_sv": "Mentorn bokar ert första möte inom två veckor. Ta med era "
                    "förväntningar på året till kick-offen i Härnösand, där ni gör en "
                    "överenskommelse om hur ni vill arbeta.",
                },
                {
                    "kind": EmailText.Kind.CLOSING,
                    "text_sv": "Tack för att ni var med! Nästa program startar i september: "
                    "tipsa gärna en kollega om att anmäla intresse.",
                },
            ],
            owner=network[0],
            organizations=network[1:],
            coordinators=[users["network-coordinator"]],
            roles=[(network[2], users["hr"])],
            areas=[
                areas[c]
                for c in (
                    "staff-leadership",
                    "work-environment",
                    "change",
                    "personal-leadership",
                    "communication",
                )
            ],
            defaults={
                "name": f"Myndighetsnätverkets mentorsprogram {year}/{year + 1}",
                "summary": "Nyare chefer får stöd av en erfaren chef från en annan myndighet "
                "eller kommun i nätverket.",
                "description": "Mentorskapet innebär att en mer erfaren person erbjuder sin "
                "kompetens, erfarenhet och tid till en annan chef. Efter intresseanmälan "
                "matchar HR-nätverkets koordinator adepter och mentorer. Paren träffas en gång "
                "i månaden under åtta månader, med ett halvtidsseminarium och ett "
                "avslutningsseminarium i maj.",
                "audience": "Adepter: chef över medarbetare i minst 6 månader.\nMentorer: chef "
                "över medarbetare i minst 3 år. Mentorn kommer från en annan organisation.",
                "status": Program.Status.OPEN,
                "applications_open_at": at(opens, 8),
                "applications_close_at": at(closes, 23, 59),
                "starts_on": datetime.date(year, 9, 1),
                "ends_on": datetime.date(year + 1, 5, 31),
                "adept_places": 10,
                "meetings_min": 8,
                "meetings_max": 8,
                "meeting_minutes_min": 60,
                "meeting_minutes_max": 120,
                "adept_min_manager_months": 6,
                "mentor_min_manager_months": 36,
                # "at least 6 months ... to register interest": counted when they apply.
                "manager_months_counted": Program.CountedAt.APPLICATION,
                "pairing_rule": Program.PairingRule.DIFFERENT_ORGANIZATION,
                # "göra en intresseanmälan": no letter asked of anyone, the rest as usual.
                "registration_of_interest": True,
                "adept_optional": [OptionalField.LETTER, OptionalField.DIRECT_REPORTS],
                "mentor_optional": [OptionalField.LETTER, OptionalField.DIRECT_REPORTS],
            },
            milestones=[
                {
                    "kind": Milestone.Kind.KICK_OFF,
                    "title_sv": "Kick-off",
                    "title_en": "Kick-off",
                    "title_da": "Kick-off",
                    "starts_at": at(datetime.date(year, 9, 15), 9),
                    "ends_at": at(datetime.date(year, 9, 15), 12),
                    "location": "Härnösand",
                },
                {
                    "kind": Milestone.Kind.HALF_TIME,
                    "title_sv": "Halvtidsseminarium",
                    "title_en": "Half-time seminar",
                    "title_da": "Midtvejsseminar",
                    "starts_at": at(datetime.date(year + 1, 1, 20), 13),
                    "ends_at": at(datetime.date(year + 1, 1, 20), 16),
                    "location": "Sundsvall",
                },
                {
                    "kind": Milestone.Kind.CLOSING,
                    "title_sv": "Avslutningsseminarium",
                    "title_en": "Closing seminar",
                    "title_da": "Afslutningsseminar",
                    "starts_at": at(datetime.date(year + 1, 5, 20), 13),
                    "ends_at": at(datetime.date(year + 1, 5, 20), 16),
                    "location": "Härnösand",
                },
            ],
        )
