"""A small world in which every page a person can reach has something to show, and the list
of those pages by who sees them. Shared by the language test (no English on a Swedish or
Danish page) and the browser sweep (axe-core in three languages, phone width)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.models import AuditEntry
from evaluations.services import survey_create
from matching.models import Match, MatchConsultation
from matching.services import consultation_token
from meetings.models import CalendarFeed, Goal, GoalComment, Meeting
from notifications.models import Notification
from programs.models import (
    Application,
    ApplicationAnswer,
    BankOffer,
    EmailText,
    LineManagerSupport,
    Milestone,
    Option,
    OrganizationCoordinator,
    ParticipantInvitation,
    Program,
    Question,
    Role,
)
from programs.services import bank_leave_token, line_manager_token
from programs.tests.factories import (
    ApplicationFactory,
    MentorBankEntryFactory,
    MilestoneFactory,
    ProgramFactory,
)

DAY = datetime.timedelta(days=1)
ANONYMOUS, PARTICIPANT, COORDINATOR = "anonymous", "participant", "coordinator"


def build_world() -> dict:
    now = timezone.now()
    today = timezone.localdate()
    coordinator = UserFactory(
        email="karin@example.org", full_name="Karin Koordinator", is_staff=True
    )
    running = ProgramFactory(
        slug="arets-program",
        name="Mentorprogram för skolledare",
        status=Program.Status.RUNNING,
        applications_open_at=now - 200 * DAY,
        applications_close_at=now - 150 * DAY,
        starts_on=today - 120 * DAY,
        ends_on=today + 240 * DAY,
        line_managers=Program.LineManagers.SUPPORT,
        line_manager_say=True,
        preferences_open_at=now - 2 * DAY,
        preferences_close_at=now + 5 * DAY,
    )
    running.coordinators.add(coordinator)
    open_program = ProgramFactory(slug="nasta-ar", name="Mentorprogram 2027", mentor_bank=True)
    open_program.coordinators.add(coordinator)
    kick_off = MilestoneFactory(
        program=running, kind=Milestone.Kind.KICK_OFF, starts_at=now - 100 * DAY
    )
    half_time = MilestoneFactory(
        program=running, kind=Milestone.Kind.HALF_TIME, starts_at=now + 3 * DAY,
        location="Aulan, Sundsvall",
    )  # fmt: skip
    MilestoneFactory(program=open_program, kind=Milestone.Kind.KICK_OFF)
    # A mentor of last year's edition, in the bank.
    banked = ApplicationFactory(
        program=running, role=Role.MENTOR, status=Application.Status.BANKED,
        applicant=UserFactory(email="bo@example.org", full_name="Bo Bank"),
    )  # fmt: skip
    MentorBankEntryFactory(mentor=banked.applicant, application=banked)
    offer = BankOffer.objects.create(
        program=open_program, title_sv="Skolledardagen i maj",
        text_sv="Vi bjuder in mentorbanken till en dag om ledarskap.\nAnmäl dig senast 1 april.",
        link="https://example.org/skolledardagen",
    )  # fmt: skip
    # The owner's HR contact coordinates its own people in the program.
    organization_coordinator = UserFactory(
        email="hr@example.org", full_name="Hanna HR", is_staff=True
    )
    OrganizationCoordinator.objects.create(
        program=running, organization=running.owner, user=organization_coordinator
    )
    # The program's own paragraphs, in Swedish only: marked as such in other languages' mail.
    for kind, text in (
        (EmailText.Kind.INTRODUCTION, "Mentorn bokar första mötet. Ta med årets mål."),
        (EmailText.Kind.ACCEPTED, "Uppstarten är i Sundsvall."),
        (EmailText.Kind.CLOSING, "Välkommen tillbaka som mentor!"),
    ):
        EmailText.objects.create(program=running, kind=kind, text_sv=text)

    adept = UserFactory(email="ada@example.org", full_name="Ada Adept")
    mentor = UserFactory(email="max@example.org", full_name="Max Mentor")
    match = Match.objects.create(
        program=running,
        adept=ApplicationFactory(
            program=running, applicant=adept, status=Application.Status.ACCEPTED
        ),
        mentor=ApplicationFactory(
            program=running, applicant=mentor, role=Role.MENTOR, status=Application.Status.ACCEPTED
        ),
        status=Match.Status.PUBLISHED,
        published_at=now - 90 * DAY,
        components={"needs": 0.8, "region": 1.0, "format": 1.0, "language": 1.0},
        score=82,
    )
    goal = Goal.objects.create(match=match, title="Leda förändring", created_by=adept)
    GoalComment.objects.create(goal=goal, author=mentor, text="Bra början.")
    meeting = Meeting.objects.create(
        match=match, starts_at=now + 7 * DAY, agenda="Svåra samtal", created_by=adept
    )
    Meeting.objects.create(
        match=match, starts_at=now - 20 * DAY, status=Meeting.Status.HELD, notes="Bra möte"
    )
    # The adept's draft application to next year's program.
    draft = ApplicationFactory(
        program=open_program, applicant=adept, status=Application.Status.DRAFT, submitted_at=None
    )
    # The program's own questions (seed 000: the role at the school, with places for each).
    role_at_school = Question.objects.create(
        program=open_program, role=Role.ADEPT, kind=Question.Kind.CHOICE, required=True,
        text_sv="Vilken roll har du på skolan?", criterion=Question.Criterion.SAME,
    )  # fmt: skip
    principal = Option.objects.create(question=role_at_school, text_sv="Rektor", places=6)
    Option.objects.create(question=role_at_school, text_sv="Biträdande rektor", position=1)
    Question.objects.create(
        program=open_program, kind=Question.Kind.LONG_TEXT, text_sv="Något mer vi bör veta?",
        position=1,
    )  # fmt: skip
    ApplicationAnswer.objects.create(application=draft, question=role_at_school).options.set(
        [principal]
    )
    survey = survey_create(
        milestone=half_time, phase="half_time", opens_at=now - DAY, closes_at=now + 14 * DAY
    )
    feed = CalendarFeed.objects.create(user=adept)
    AuditEntry.objects.create(
        actor=coordinator, action=AuditEntry.Action.DECISION, program=running,
        object_type="application", object_id=str(match.adept_id), detail="accepted",
    )  # fmt: skip
    # Someone on the coordinators' own list, invited to apply as mentor.
    invitation = ParticipantInvitation.objects.create(
        program=open_program, person=adept, role=Role.MENTOR, organization=open_program.owner,
        job_title="Rektor",
    )  # fmt: skip
    # The adept's line manager, asked for their support.
    support = LineManagerSupport.objects.create(
        application=draft, manager=UserFactory(email="chef@example.org", full_name="Cecilia Chef"),
        asked_at=now,
    )  # fmt: skip
    # Ada is also a line manager: of Berit, matched with Mia, with a planning meeting booked
    # (its agenda is the pair's); and of Cissi, whose proposed mentor she is asked about.
    berit = ApplicationFactory(
        program=running, applicant=UserFactory(full_name="Berit Biträdande"),
        status=Application.Status.ACCEPTED,
    )  # fmt: skip
    LineManagerSupport.objects.create(
        application=berit, manager=adept, answer=LineManagerSupport.Answer.SUPPORTED,
        asked_at=now - 150 * DAY, answered_at=now - 149 * DAY,
    )  # fmt: skip
    berits = Match.objects.create(
        program=running, adept=berit, status=Match.Status.PUBLISHED, published_at=now - 90 * DAY,
        mentor=ApplicationFactory(
            program=running, role=Role.MENTOR, status=Application.Status.ACCEPTED,
            applicant=UserFactory(full_name="Mia Mentor"), job_title="Skolchef",
        ),
    )  # fmt: skip
    planning = Meeting.objects.create(
        match=berits, kind=Meeting.Kind.PLANNING, starts_at=now + 10 * DAY,
        location="Rum 3, Stadshuset", agenda="Parets egen dagordning",
    )  # fmt: skip
    cissi = ApplicationFactory(
        program=running, applicant=UserFactory(full_name="Cissi Chef"),
        status=Application.Status.ACCEPTED,
    )  # fmt: skip
    LineManagerSupport.objects.create(application=cissi, manager=adept, asked_at=now - 150 * DAY)
    cissis = Match.objects.create(
        program=running, adept=cissi,
        mentor=ApplicationFactory(
            program=running, role=Role.MENTOR, status=Application.Status.ACCEPTED,
            applicant=UserFactory(full_name="Dan Mentor"), job_title="Rektor",
        ),
    )  # fmt: skip
    consultation = MatchConsultation.objects.create(
        match=cissis, mentor=cissis.mentor, manager=adept, answer_by=today + 7 * DAY,
        asked_at=now,
    )  # fmt: skip
    # Each kind of e-mail, to render as a page.
    emails = [
        Notification(recipient=adept, program=running, kind=kind, key=kind, context=context)
        for kind, context in [
            ("application_received", {"application": draft.pk}),
            ("decision", {"application": match.adept_id, "decision": "accepted"}),
            ("bank_invitation", {"program": open_program.pk}),
            ("bank_offer", {"offer": offer.pk}),
            ("bank_added", {"program": open_program.pk}),
            ("line_manager_request", {"application": draft.pk, "support": support.pk}),
            ("line_manager_reminder", {"application": draft.pk, "support": support.pk}),
            ("line_manager_match", {"consultation": consultation.pk}),
            ("preference_round", {"application": match.adept_id}),
            ("match_pulse", {"match": match.pk}),
            ("preference_reminder", {"application": match.adept_id}),
            ("line_manager_meeting", {"meeting": planning.pk, "cancelled": False}),
            ("participant_invitation",
             {"program": open_program.pk, "role": "mentor", "invitation": invitation.pk}),
            ("edition_invitation",
             {"program": open_program.pk, "application": draft.pk, "role": "adept"}),
            ("introduction", {"match": match.pk}),
            ("monthly_reminder", {"match": match.pk, "month": f"{today:%Y-%m}"}),
            ("meeting_reminder", {"meeting": meeting.pk}),
            ("milestone", _snapshot(half_time)),
            ("milestone_changed", {**_snapshot(half_time), "was": kick_off.starts_at.isoformat()}),
            ("milestone_cancelled", _snapshot(half_time)),
            ("goal_review", _snapshot(half_time)),
            ("evaluation_invitation", {"survey": survey.pk}),
            ("evaluation_reminder", {"survey": survey.pk}),
            ("program_closed", {"program": running.pk, "match": match.pk}),
            ("match_ended", {"match": match.pk}),
            ("account_email", allauth_email(adept)),
        ]
    ] + [
        Notification(
            recipient=coordinator, program=running, kind=kind, key=kind, context=context
        )
        for kind, context in [
            ("digest", {"program": running.pk, "week": "2026-W48"}),
            ("rematch_requested", {"match": match.pk, "by": adept.pk}),
            ("coordinator_invitation", {"program": running.pk}),
        ]
    ] + [
        Notification(
            recipient=organization_coordinator, program=running, kind="coordinator_invitation",
            key="organization", context={"program": running.pk, "organization": running.owner.name},
        )
    ]  # fmt: skip
    return {
        "coordinator": coordinator,
        "adept": adept,
        "mentor": mentor,
        "running": running,
        "open_program": open_program,
        "match": match,
        "goal": goal,
        "meeting": meeting,
        "draft": draft,
        "question": role_at_school,
        "survey": survey,
        "feed": feed,
        "emails": emails,
        # The way out of the bank in its e-mails, for the banked mentor.
        "leave": bank_leave_token(mentor_id=banked.applicant_id, owner_id=running.owner_id),
        "line_manager": line_manager_token(support),
        "proposal": consultation_token(consultation),
    }


def _snapshot(milestone) -> dict:
    from meetings.planning import _snapshot as snapshot

    return snapshot(milestone)


def pages(world) -> list[tuple[str, str]]:
    """(who, url) for every page a person can reach outside the stock admin forms."""
    match, running, open_program = world["match"], world["running"], world["open_program"]
    public = [
        reverse("programs:list"),
        reverse("programs:detail", args=[running.slug]),
        reverse("programs:detail", args=[open_program.slug]),
        reverse("programs:privacy", args=[running.slug]),
        reverse("programs:mentor_bank_leave", args=[world["leave"]]),
        reverse("programs:line_manager", args=[world["line_manager"]]),
        reverse("matching:line_manager_match", args=[world["proposal"]]),
        reverse("accessibility"),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
        reverse("account_request_login_code"),
        "/no-such-page/",
    ]
    participant = [
        reverse("accounts:profile"),
        reverse("accounts:delete"),
        reverse("account_email"),
        reverse("account_change_password"),
        reverse("mfa_index"),
        reverse("usersessions_list"),
        reverse("programs:my_applications"),
        reverse("programs:application", args=[world["draft"].pk]),
        reverse("programs:application", args=[match.adept_id]),
        reverse("programs:application_withdraw", args=[world["draft"].pk]),
        reverse("programs:apply", args=[open_program.slug, "adept"]),
        reverse("programs:mentor_bank"),
        reverse("meetings:mentorships"),
        reverse("meetings:mentorship", args=[match.pk]),
        reverse("meetings:goal_add", args=[match.pk]),
        reverse("meetings:goal_edit", args=[match.pk, world["goal"].pk]),
        reverse("meetings:meeting_add", args=[match.pk]),
        reverse("meetings:meeting", args=[world["meeting"].pk]),
        reverse("meetings:calendar"),
        reverse("matching:rematch", args=[match.pk]),
        reverse("matching:pulse", args=[match.pk]),
        reverse("evaluations:list"),
        reverse("evaluations:answer", args=[world["survey"].pk]),
        # Ada as Berit's and Cissi's line manager.
        reverse("meetings:line_manager_page"),
        reverse("matching:preferences", args=[running.slug]),
    ]
    coordinator = [
        reverse("matching:review", args=[running.slug]),
        reverse("evaluations:dashboard", args=[running.slug]),
        reverse("evaluations:results", args=[world["survey"].pk]),
    ]
    return (
        [(ANONYMOUS, url) for url in public]
        + [(PARTICIPANT, url) for url in participant]
        + [(COORDINATOR, url) for url in coordinator]
    )


def admin_pages(world) -> list[tuple[str, str]]:
    """(who, url) for the admin pages coordinators spend their days on."""
    running, match, survey = world["running"], world["match"], world["survey"]
    open_program = world["open_program"]
    entry = AuditEntry.objects.filter(program=running).first()
    urls = [
        reverse("admin:index"),
        reverse("admin:programs_program_changelist"),
        reverse("admin:programs_program_add"),
        reverse("admin:programs_program_change", args=[running.pk]),
        reverse("admin:programs_application_changelist"),
        reverse("admin:programs_application_change", args=[match.adept_id]),
        reverse("admin:programs_organization_change", args=[running.owner_id]),
        reverse("admin:programs_unit_changelist"),
        reverse("admin:programs_unit_import"),
        reverse("admin:programs_question_change", args=[world["question"].pk]),
        reverse("admin:programs_program_next_edition", args=[running.pk]),
        reverse("admin:programs_program_invite", args=[open_program.pk]),
        reverse("admin:programs_program_coordinators", args=[running.pk]),
        reverse("admin:programs_program_mentor_bank", args=[open_program.pk]),
        reverse("admin:programs_program_participants", args=[open_program.pk]),
        reverse("admin:programs_mentorbankentry_changelist"),
        reverse("admin:programs_bankoffer_add"),
        reverse("admin:matching_match_changelist"),
        reverse("admin:matching_match_change", args=[match.pk]),
        reverse("admin:meetings_pairactivity_changelist"),
        reverse("admin:evaluations_survey_changelist"),
        reverse("admin:evaluations_survey_change", args=[survey.pk]),
        reverse("admin:audit_auditentry_changelist"),
        reverse("admin:audit_auditentry_change", args=[entry.pk]),
    ]
    return [(COORDINATOR, url) for url in urls]


def states(world) -> list[tuple[str, str, str]]:
    """(who, url, button) for the states between pages: each form sent with its fields
    emptied (its errors), and the pages only a step reaches."""
    match, open_program = world["match"], world["open_program"]
    send = "main form[method=post] [type=submit]"
    return [
        (ANONYMOUS, reverse("account_login"), send),
        (ANONYMOUS, reverse("account_signup"), send),
        (ANONYMOUS, reverse("account_reset_password"), send),
        (ANONYMOUS, reverse("account_request_login_code"), send),
        (ANONYMOUS, reverse("account_reset_password_done"), ""),
        (ANONYMOUS, reverse("account_email_verification_sent"), ""),
        (PARTICIPANT, reverse("programs:apply", args=[open_program.slug, "adept"]),
         "button[name=submit]"),
        (PARTICIPANT, reverse("meetings:meeting_add", args=[match.pk]), "button[value=plan]"),
        (PARTICIPANT, reverse("meetings:goal_add", args=[match.pk]), send),
        (PARTICIPANT, reverse("evaluations:answer", args=[world["survey"].pk]),
         "button[value=send]"),
        (PARTICIPANT, reverse("matching:rematch", args=[match.pk]), send),
        (PARTICIPANT, reverse("matching:pulse", args=[match.pk]), send),
        (PARTICIPANT, reverse("accounts:profile"), send),
        (PARTICIPANT, reverse("account_change_password"), send),
        (COORDINATOR, reverse("admin:programs_program_change", args=[world["running"].pk]),
         "input[name=_save]"),
        (COORDINATOR, reverse("admin:programs_unit_import"), "#content form [type=submit]"),
        (COORDINATOR, reverse("admin:programs_program_coordinators", args=[world["running"].pk]),
         "#content form [type=submit]"),
        (COORDINATOR, reverse("admin:programs_program_next_edition", args=[world["running"].pk]),
         "#content form [type=submit]"),
        (COORDINATOR, reverse("admin:programs_program_mentor_bank", args=[open_program.pk]),
         "#content form [type=submit]"),
        (COORDINATOR, reverse("admin:programs_program_participants", args=[open_program.pk]),
         "#content form [type=submit]"),
        (ANONYMOUS, reverse("programs:line_manager", args=[world["line_manager"]]), send),
        (ANONYMOUS, reverse("matching:line_manager_match", args=[world["proposal"]]), send),
    ]  # fmt: skip


def allauth_email(user) -> dict:
    """A log-in code e-mail as allauth writes it through our adapter, in the user's language:
    what the outbox keeps for an account e-mail."""
    from allauth.account.adapter import get_adapter
    from django.utils import translation

    from accounts.adapter import Site

    with translation.override(user.language):
        message = get_adapter().render_mail(
            "account/email/login_code",
            user.email,
            {"code": "AB12-CD34", "user": user, "email": user.email, "request": None,
             "current_site": Site(name="Mentorship", domain="testserver")},
        )  # fmt: skip
    html = next((b for b, kind in getattr(message, "alternatives", []) if kind == "text/html"), "")
    return {"to": message.to, "subject": message.subject, "body": message.body, "html": html}
