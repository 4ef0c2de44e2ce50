"""State changes of programs that carry a business rule."""

from __future__ import annotations

import datetime
import decimal
import logging
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import privacy
from accounts.models import User
from audit.models import AuditEntry
from audit.services import audit, audit_many
from mentorship.errors import ServiceError
from mentorship.months import add_months
from notifications.models import Notification
from notifications.services import notify_many

from . import signals
from .models import (
    Application,
    ApplicationAnswer,
    BankOffer,
    EmailText,
    LineManagerSupport,
    MentorBankEntry,
    Milestone,
    Option,
    OrganizationCoordinator,
    ParticipantInvitation,
    Program,
    Question,
    Role,
    Unit,
)

logger = logging.getLogger(__name__)


def program_close_applications(*, now: datetime.datetime | None = None) -> int:
    """Move every open program whose deadline has passed on to selection, and every program
    in selection whose first day has come to running.

    A sweep, safe to run twice or from two beats at once: the UPDATE only touches rows still
    open, so a second run finds nothing to do. Returns how many programs moved on.
    """
    now = now or timezone.now()
    with transaction.atomic():
        closed = Program.objects.filter(
            status=Program.Status.OPEN, applications_close_at__lte=now
        ).update(status=Program.Status.SELECTION, updated_at=now)
        # From its first day a program in selection runs.
        started = Program.objects.filter(
            status=Program.Status.SELECTION, starts_on__lte=timezone.localdate(now)
        ).update(status=Program.Status.RUNNING, updated_at=now)
    if closed:
        logger.info("Closed the application window of %d program(s).", closed)
    if started:
        logger.info("Started %d program(s).", started)
    return closed + started


# --------------------------------------------------------------------------------------------
# Applications
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# The program's status
# --------------------------------------------------------------------------------------------

# The moves a coordinator may make. The dates move an open program to selection and a selected
# one to running (`program_close_applications`); a coordinator may move back while people wait
# (the deadline was extended, the start moved), but not hide a program once people applied, and
# a closed program stays closed: its pairs have completed the year.
STATUS_MOVES: dict[str, set[str]] = {
    Program.Status.DRAFT: {Program.Status.OPEN, Program.Status.SELECTION, Program.Status.RUNNING,
                           Program.Status.CLOSED},
    Program.Status.OPEN: {Program.Status.DRAFT, Program.Status.SELECTION, Program.Status.RUNNING,
                          Program.Status.CLOSED},
    Program.Status.SELECTION: {Program.Status.OPEN, Program.Status.RUNNING, Program.Status.CLOSED},
    Program.Status.RUNNING: {Program.Status.SELECTION, Program.Status.CLOSED},
    Program.Status.CLOSED: set(),
}  # fmt: skip


def program_status_check(*, current: str, status: str) -> None:
    if status != current and status not in STATUS_MOVES[current]:
        if current == Program.Status.CLOSED:
            raise ServiceError(
                _("A closed program stays closed: its pairs have completed the year. Start a new "
                  "edition instead.")
            )  # fmt: skip
        raise ServiceError(
            _("A program cannot go from “%(current)s” to “%(status)s”.")
            % {
                "current": Program.Status(current).label,
                "status": Program.Status(status).label,
            }
        )


def program_set_status(*, program: Program, status: str, by, now=None) -> dict:
    """Move a program to `status`, if that move is allowed. Closing completes its running
    pairs and cancels their planned meetings (the apps that hold them receive
    `signals.program_closed`). Audited. Returns the receivers' counts, such as {"completed": 3}."""
    now = now or timezone.now()
    with transaction.atomic():
        current = (
            Program.objects.select_for_update().values_list("status", flat=True).get(pk=program.pk)
        )
        program_status_check(current=current, status=status)
        if status == current:
            return {}
        Program.objects.filter(pk=program.pk).update(status=status, updated_at=now)
        program.status = status
        audit(
            actor=by, action=AuditEntry.Action.PROGRAM_CHANGED, program=program, obj=program,
            detail=f"status: {current} -> {status}",
        )  # fmt: skip
        outcome: dict = {}
        if status == Program.Status.CLOSED:
            for _receiver, counts in signals.program_closed.send(
                sender=Program, program=program, by=by, now=now
            ):
                if isinstance(counts, dict):
                    outcome.update(counts)
    return outcome


def _check_window(program: Program, now) -> None:
    if program.is_open(now):
        return
    if program.opens_later(now):
        raise ServiceError(
            _("Applications to %(program)s open on %(date)s.")
            % {
                "program": program.name,
                "date": date_format(localtime(program.applications_open_at)),
            }
        )
    raise ServiceError(
        _("Applications to %(program)s closed on %(date)s.")
        % {"program": program.name, "date": date_format(localtime(program.applications_close_at))}
    )


def _answered(value) -> bool:
    return value not in (None, "", [])


def _save_answers(application: Application, answers: dict) -> None:
    """Store the answers to the program's questions in a few statements: an emptied answer
    is deleted, the others written with the answers they picked."""
    given = {q.pk: v for q, v in answers.items() if _answered(v)}
    application.answers.exclude(question_id__in=given).delete()
    stored = {a.question_id: a for a in application.answers.filter(question_id__in=given)}
    rows = []
    for question_id, value in given.items():
        answer = stored.get(question_id) or ApplicationAnswer(
            application=application, question_id=question_id
        )
        answer.text = value if isinstance(value, str) else ""
        answer.number = value if isinstance(value, decimal.Decimal) else None
        answer.date = value if isinstance(value, datetime.date) else None
        rows.append(answer)
    ApplicationAnswer.objects.bulk_update(
        [a for a in rows if a.question_id in stored], ["text", "number", "date"]
    )
    ApplicationAnswer.objects.bulk_create([a for a in rows if a.question_id not in stored])
    picked = ApplicationAnswer.options.through
    picked.objects.filter(applicationanswer__in=rows).delete()
    picked.objects.bulk_create(
        picked(applicationanswer_id=answer.pk, option_id=option.pk)
        for answer in rows
        if isinstance(given[answer.question_id], list)
        for option in given[answer.question_id]
    )


def _check_complete(application: Application, focus_areas, answers=None) -> None:
    missing = [
        str(getattr(Application._meta.get_field(name), "verbose_name", name))
        for name in application.program.required_to_submit(application.role)
        if getattr(application, name) in (None, "")
    ]
    if application.role == Role.MENTOR and not application.mentor_capacity:
        missing.append(str(Application._meta.get_field("mentor_capacity").verbose_name))
    if not focus_areas and application.program.focus_areas.exists():
        missing.append(str(Application._meta.get_field("focus_areas").verbose_name))
    if application.unit_id is None and application.program.needs_unit(application.organization_id):
        missing.append(str(Application._meta.get_field("unit").verbose_name))
    for question, value in (answers or {}).items():
        if question.required and not _answered(value):
            missing.append(question.text)
    if missing:
        raise ServiceError(
            _("Fill in the following before you submit: %(fields)s.")
            % {"fields": ", ".join(missing)}
        )


def unmet_rules(application: Application, answers: dict | None = None) -> list[str]:
    """The program's rules this application does not meet, each as a sentence for the
    applicant (on the form when they submit, in the e-mail when they are rejected)."""
    program = application.program
    months = application.manager_months()
    minimum, maximum = program.manager_months(application.role)
    at_start = program.manager_months_counted == Program.CountedAt.START
    role = _("Adepts") if application.role == Role.ADEPT else _("Mentors")
    unmet = []
    if (months is None or months < minimum) and at_start:
        message = (
            ngettext(
                "Adepts need at least %(minimum)d month as a manager with staff when the "
                "program starts on %(start)s; you will have %(months)d.",
                "Adepts need at least %(minimum)d months as a manager with staff when the "
                "program starts on %(start)s; you will have %(months)d.",
                minimum,
            )
            if application.role == Role.ADEPT
            else ngettext(
                "Mentors need at least %(minimum)d month as a manager with staff when the "
                "program starts on %(start)s; you will have %(months)d.",
                "Mentors need at least %(minimum)d months as a manager with staff when the "
                "program starts on %(start)s; you will have %(months)d.",
                minimum,
            )
        )
        unmet.append(
            message
            % {
                "minimum": minimum,
                "start": date_format(program.starts_on),
                "months": max(months or 0, 0),
            }
        )
    elif months is None or months < minimum:
        unmet.append(
            ngettext(
                "%(role)s need at least %(minimum)d month as a manager with staff when they "
                "apply; you have %(months)d.",
                "%(role)s need at least %(minimum)d months as a manager with staff when they "
                "apply; you have %(months)d.",
                minimum,
            )
            % {"role": role, "minimum": minimum, "months": max(months or 0, 0)}
        )
    elif maximum is not None and months > maximum:
        unmet.append(
            ngettext(
                "%(role)s may have at most %(maximum)d month as a manager with staff, "
                "counted %(when)s; you have %(months)d.",
                "%(role)s may have at most %(maximum)d months as a manager with staff, "
                "counted %(when)s; you have %(months)d.",
                maximum,
            )
            % {
                "role": role,
                "maximum": maximum,
                "when": program.get_manager_months_counted_display(),
                "months": months,
            }
        )
    if program.membership_required and not application.membership_confirmed:
        unmet.append(
            _("This program requires you to confirm: %(label)s")
            % {"label": program.membership_label}
        )
    picked = (
        [(a.question, list(a.options.all())) for a in application.answers.all()]
        if answers is None
        else [(q, v) for q, v in answers.items() if isinstance(v, list)]
    )
    for question, options in picked:
        for option in options:
            if not option.eligible:
                unmet.append(
                    _(
                        "The program is not open to applicants who answer “%(answer)s” to: "
                        "%(question)s"
                    )
                    % {"answer": option.text, "question": question.text}
                )
    return unmet


def _check_eligible(application: Application, answers: dict | None = None) -> None:
    unmet = unmet_rules(application, answers)
    if unmet:
        raise ServiceError(unmet[0])


def _check_still_open(application: Application) -> None:
    """Lock the row: a coordinator's decision or a withdrawal in another tab must not be
    overwritten by a stale form. The application keeps the status and time it has."""
    current = Application.objects.select_for_update().get(pk=application.pk)
    if current.status not in (Application.Status.DRAFT, Application.Status.SUBMITTED):
        raise ServiceError(
            _("This application is %(status)s and can no longer be changed.")
            % {"status": current.get_status_display().lower()}
        )
    application.status = current.status
    application.submitted_at = current.submitted_at


def _check_contents(application: Application, *, sending: bool) -> None:
    program = application.program
    if (
        application.organization_id
        and not program.organizations.filter(pk=application.organization_id).exists()
    ):
        raise ServiceError(_("Choose one of the program's participating organisations."))
    # A draft may run long while it is written; what is sent keeps to the page.
    sending = sending or application.status == Application.Status.SUBMITTED
    if sending and len(application.letter) > program.letter_max_chars:
        raise ServiceError(
            _("The motivation letter is %(length)d characters; the limit is %(limit)d.")
            % {"length": len(application.letter), "limit": program.letter_max_chars}
        )
    if program.line_managers == Program.LineManagers.NONE or application.role != Role.ADEPT:
        application.line_manager_name = application.line_manager_email = ""
    elif (
        sending
        and program.line_managers == Program.LineManagers.SUPPORT
        and not (application.line_manager_name and application.line_manager_email)
    ):
        raise ServiceError(_("Name your line manager, with their e-mail address."))
    if application.line_manager_email.strip().lower() == application.applicant.email.lower():
        raise ServiceError(_("Name your line manager, not yourself."))


def _place_in_unit(application: Application, proposed: str) -> None:
    """The unit is one of the organisation's. A missing one the applicant names (where the
    program allows it) is the listed unit of that name if there is one, or a proposal that
    a coordinator confirms or merges; its name never decides a rule before that."""
    program = application.program
    proposed = " ".join(proposed.split())
    unit = application.unit
    if unit is not None and unit.organization_id != application.organization_id:
        raise ServiceError(_("Choose a unit of your own organisation."))
    if not proposed:
        return
    if not program.units_proposable:
        raise ServiceError(_("This program asks you to pick your unit in the list."))
    if application.organization_id is None:
        raise ServiceError(_("Choose your organisation before you name your unit."))
    unit = Unit.objects.filter(
        organization_id=application.organization_id, name__iexact=proposed
    ).first()
    application.unit = unit or Unit.objects.create(
        organization_id=application.organization_id, name=proposed, confirmed=False
    )


def application_save(
    *,
    application: Application,
    user,
    focus_areas,
    consent_processing: bool,
    consent_bank: bool = False,
    proposed_unit: str = "",
    answers: dict | None = None,
    submit: bool,
    now: datetime.datetime | None = None,
) -> Application:
    """Save an application as a draft, or submit it (again, after an edit).

    The form has already checked types; here are the rules. On an error nothing is saved and
    the view shows the form again with everything the applicant typed.
    """
    now = now or timezone.now()
    program = application.program
    if application.applicant_id != user.pk:
        raise ServiceError(_("This application is not yours."))
    with transaction.atomic():
        _check_window(program, now)
        if application.pk:
            _check_still_open(application)
        _check_contents(application, sending=submit)
        _place_in_unit(application, proposed_unit)
        if application.role == Role.ADEPT:
            application.mentor_capacity = None
        application.consent_processing_at = (
            (application.consent_processing_at or now) if consent_processing else None
        )
        allow_bank = application.role == Role.MENTOR and program.mentor_bank and consent_bank
        application.consent_bank_at = (application.consent_bank_at or now) if allow_bank else None

        if submit or application.status == Application.Status.SUBMITTED:
            _check_complete(application, focus_areas, answers)
            _check_eligible(application, answers)
            if not application.consent_processing_at:
                raise ServiceError(_("To submit, agree to the processing of your application."))
            application.status = Application.Status.SUBMITTED
            application.submitted_at = application.submitted_at or now
        try:
            application.full_clean(exclude=["focus_areas"])
        except ValidationError as exc:
            raise ServiceError(" ".join(exc.messages)) from exc
        try:
            with transaction.atomic():
                application.save()
        except IntegrityError as exc:
            # Two tabs creating the same application at once: the constraint decides.
            raise ServiceError(_("You have already applied to this program in this role.")) from exc
        application.focus_areas.set(focus_areas)
        if answers is not None:
            _save_answers(application, answers)
        if application.status == Application.Status.SUBMITTED:
            received = Notification(
                recipient=user,
                kind=Notification.Kind.APPLICATION_RECEIVED,
                key=f"application:{application.pk}",
                program=program,
                context={"application": application.pk},
            )
            asked = _ask_line_manager(application, now)
            notify_many([received, *([asked] if asked else [])])
    return application


def _ask_line_manager(application: Application, now: datetime.datetime) -> Notification | None:
    """Ask the line manager the adept named (made an account without a password if new)
    for their support, once: the e-mail to send, or None. Naming another one asks them
    afresh."""
    if not application.line_manager_email:
        return None
    email = User.objects.normalize_email(application.line_manager_email.strip())
    program = application.program
    manager = _accounts_for(
        [(email, application.line_manager_name, program.text_language)], staff=False
    )[email.lower()]
    support = LineManagerSupport.objects.filter(application=application).first()
    if support is not None and support.manager_id == manager.pk:
        return None
    support = support or LineManagerSupport(application=application)
    support.manager = manager
    support.answer, support.reason = LineManagerSupport.Answer.WAITING, ""
    support.asked_at, support.answered_at, support.reminded_at = now, None, None
    support.save()
    return Notification(
        recipient=manager,
        kind=Notification.Kind.LINE_MANAGER_REQUEST,
        key=f"line_manager:{application.pk}:{manager.pk}",
        program=program,
        context={"application": application.pk, "support": support.pk},
    )


_LINE_MANAGER_SALT = "programs.line-manager"
# The link in the line manager's e-mail works this long (an application window or two).
LINE_MANAGER_LINK_SECONDS = 60 * 24 * 3600


def line_manager_token(support: LineManagerSupport) -> str:
    return signing.TimestampSigner(salt=_LINE_MANAGER_SALT).sign_object(
        {"s": support.pk, "m": support.manager_id}
    )


def signed_link(token: str, *, salt: str, max_age: int, keys: set[str]) -> tuple[dict | None, bool]:
    """What a signed, expiring link in an e-mail carries, and whether it has expired; (None,
    False) for a token that is not genuine or does not carry `keys`."""
    signer = signing.TimestampSigner(salt=salt)
    expired = False
    try:
        data = signer.unsign_object(token, max_age=max_age)
    except signing.SignatureExpired:
        data, expired = signer.unsign_object(token), True
    except (signing.BadSignature, ValueError):
        return None, False
    if not isinstance(data, dict) or not keys <= data.keys():
        return None, False
    return data, expired


def line_manager_support_of(token: str) -> tuple[LineManagerSupport | None, bool]:
    """The support a line manager's link asks for, and whether the link has expired; (None,
    False) for a token that is not genuine or a request that no longer exists."""
    data, expired = signed_link(
        token, salt=_LINE_MANAGER_SALT, max_age=LINE_MANAGER_LINK_SECONDS, keys={"s", "m"}
    )
    if data is None:
        return None, False
    support = (
        LineManagerSupport.objects.filter(pk=data["s"], manager_id=data["m"])
        .select_related("application__program", "application__applicant",
                        "application__organization", "manager")
        .first()
    )  # fmt: skip
    return support, expired


def line_manager_answer(
    *, support: LineManagerSupport, answer: str, reason: str = "", now=None
) -> LineManagerSupport:
    """The line manager's answer, which they may change while the application is open to a
    decision; a reason is kept only with a decline."""
    if answer not in (LineManagerSupport.Answer.SUPPORTED, LineManagerSupport.Answer.DECLINED):
        raise ServiceError(_("Choose whether you support the application."))
    if support.application.status in (Application.Status.WITHDRAWN, Application.Status.DRAFT):
        raise ServiceError(_("The application has been withdrawn: there is nothing to answer."))
    support.answer = answer
    support.reason = (
        " ".join(reason.split()) if answer == LineManagerSupport.Answer.DECLINED else ""
    )
    support.answered_at = now or timezone.now()
    support.save(update_fields=["answer", "reason", "answered_at"])
    return support


def line_manager_withdraw(*, support: LineManagerSupport, user, now=None) -> LineManagerSupport:
    """The line manager no longer supports the adept's taking part; the coordinators see it
    beside the application. The adept is not told by the app: that is a conversation."""
    if support.manager_id != user.pk:
        raise ServiceError(_("You are not this adept's line manager here."))
    if support.answer == LineManagerSupport.Answer.WITHDRAWN:
        raise ServiceError(_("You have already withdrawn your support."))
    support.answer, support.reason = LineManagerSupport.Answer.WITHDRAWN, ""
    support.answered_at = now or timezone.now()
    support.save(update_fields=["answer", "reason", "answered_at"])
    return support


LINE_MANAGER_REMIND_AFTER = datetime.timedelta(days=7)


def plan_line_manager_reminders(*, now, programs=None) -> int:
    """One reminder to each line manager whose support is asked and who has not answered in
    a week, while the application waits for a decision (an informed one needs no answer)."""
    due = LineManagerSupport.objects.filter(
        application__program__line_managers=Program.LineManagers.SUPPORT,
        answer=LineManagerSupport.Answer.WAITING,
        reminded_at__isnull=True,
        asked_at__lt=now - LINE_MANAGER_REMIND_AFTER,
        application__status=Application.Status.SUBMITTED,
    )
    if programs is not None:
        due = due.filter(application__program__in=programs)
    pending = list(due.select_related("application"))
    planned = notify_many(
        [
            Notification(
                recipient_id=support.manager_id,
                kind=Notification.Kind.LINE_MANAGER_REMINDER,
                key=f"line_manager_reminder:{support.pk}",
                program_id=support.application.program_id,
                context={"application": support.application_id, "support": support.pk},
            )
            for support in pending
        ]
    )
    LineManagerSupport.objects.filter(pk__in=[s.pk for s in pending]).update(reminded_at=now)
    return planned


def application_withdraw(*, application: Application, user) -> Application:
    if application.applicant_id != user.pk:
        raise ServiceError(_("This application is not yours."))
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if not application.can_withdraw():
            raise ServiceError(
                _("This application is %(status)s and cannot be withdrawn.")
                % {"status": application.get_status_display().lower()}
            )
        application.status = Application.Status.WITHDRAWN
        application.save(update_fields=["status", "updated_at"])
    return application


def decision_notification(application: Application, decision: str) -> Notification:
    """The e-mail telling an applicant a decision; one per application and decision."""
    return Notification(
        recipient=application.applicant,
        kind=Notification.Kind.DECISION,
        key=f"decision:{application.pk}:{decision}",
        program_id=application.program_id,
        context={"application": application.pk, "decision": decision},
    )


def _check_decision(decision: str, reason: str, message: str) -> str:
    """The rejection reason the decision keeps (none unless it is a rejection)."""
    if decision not in Application.DECISIONS:
        raise ServiceError(_("Unknown decision."))
    if decision != Application.Status.REJECTED:
        return ""
    if reason not in Application.RejectionReason.values:
        raise ServiceError(_("Choose the reason for the rejection."))
    if reason == Application.RejectionReason.OTHER and not message:
        raise ServiceError(_("Write the reason the applicant will read."))
    return reason


class _PlaceGroups:
    """Places per answer (seed 000: five principals, five deputy principals), counted under
    the same program lock as the program's places."""

    def __init__(self, limits, picked):
        self.limits = limits  # option pk -> Option, annotated with `accepted`
        self.picked = picked  # application pk -> [option pk]

    def full(self, application) -> Option | None:
        for pk in self.picked.get(application.pk, ()):
            option = self.limits[pk]
            if option.accepted >= option.places:
                return option
        return None

    def take(self, application, n: int) -> None:
        for pk in self.picked.get(application.pk, ()):
            self.limits[pk].accepted += n


def _place_groups(program_ids, application_ids) -> _PlaceGroups:
    limits = {
        option.pk: option
        for option in Option.objects.with_places().filter(question__program_id__in=program_ids)
    }
    picked: dict[int, list[int]] = {}
    if limits:
        rows = ApplicationAnswer.options.through.objects.filter(
            applicationanswer__application_id__in=application_ids, option_id__in=limits
        ).values_list("applicationanswer__application_id", "option_id")
        for application_id, option_id in rows:
            picked.setdefault(application_id, []).append(option_id)
    return _PlaceGroups(limits, picked)


def applications_decide(
    *,
    applications,
    decision: str,
    by,
    now: datetime.datetime | None = None,
    reason: str = "",
    message: str = "",
) -> tuple[int, list[str]]:
    """Accept, waitlist or reject applications; each applicant is told once per decision.
    A rejection says why (`reason`, one of Application.RejectionReason; "other" with the
    coordinator's `message`), and the e-mail says it.

    Returns how many changed and the messages for those that could not be decided. An
    application that already has the decision is left alone.
    """
    now = now or timezone.now()
    message = message.strip()
    reason = _check_decision(decision, reason, message)
    errors = []
    with transaction.atomic():
        ids = [application.pk for application in applications]
        # Race: two coordinators accepting the last places at once. Locking the programs
        # (always before their applications, in pk order, so two batches cannot deadlock)
        # serialises acceptances per program, so the counts below are the true counts.
        program_ids = set(
            Application.objects.filter(pk__in=ids).values_list("program_id", flat=True)
        )
        programs = {
            program.pk: program
            for program in Program.objects.select_for_update()
            .filter(pk__in=program_ids)
            .order_by("pk")
        }
        locked = list(
            Application.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("applicant")
            .order_by("submitted_at", "pk")
        )
        accepted = dict(
            Application.objects.filter(program_id__in=program_ids)
            .accepted_adepts()
            .values("program_id")
            .annotate(total=Count("pk"))
            .values_list("program_id", "total")
        )
        groups = _place_groups(program_ids, ids)
        changed = []
        for application in locked:
            program = programs[application.program_id]
            if application.status == decision:
                continue
            if application.status not in Application.DECIDABLE:
                errors.append(
                    _("%(applicant)s: a %(status)s application cannot be decided.")
                    % {
                        "applicant": application.applicant,
                        "status": application.get_status_display().lower(),
                    }
                )
                continue
            taking_place = (
                decision == Application.Status.ACCEPTED and application.role == Role.ADEPT
            )
            if taking_place and accepted.get(program.pk, 0) >= program.adept_places:
                errors.append(
                    ngettext(
                        "%(applicant)s was not accepted: the %(places)d adept place in "
                        "%(program)s is taken.",
                        "%(applicant)s was not accepted: all %(places)d adept places in "
                        "%(program)s are taken.",
                        program.adept_places,
                    )
                    % {
                        "applicant": application.applicant,
                        "places": program.adept_places,
                        "program": program.name,
                    }
                )
                continue
            full = groups.full(application) if taking_place else None
            if full is not None:
                errors.append(
                    ngettext(
                        "%(applicant)s was not accepted: the %(places)d place for "
                        "“%(answer)s” is taken.",
                        "%(applicant)s was not accepted: all %(places)d places for "
                        "“%(answer)s” are taken.",
                        full.places or 0,
                    )
                    % {
                        "applicant": application.applicant,
                        "places": full.places,
                        "answer": full.text,
                    }
                )
                continue
            if taking_place:
                accepted[program.pk] = accepted.get(program.pk, 0) + 1
                groups.take(application, 1)
            elif (
                application.status == Application.Status.ACCEPTED and application.role == Role.ADEPT
            ):
                accepted[program.pk] -= 1  # a place is given back
                groups.take(application, -1)
            application.status = decision
            application.decided_at = now
            application.decided_by = by
            application.updated_at = now
            application.rejection_reason = reason
            application.decision_message = message
            changed.append(application)
        Application.objects.bulk_update(
            changed,
            ["status", "decided_at", "decided_by", "updated_at", "rejection_reason",
             "decision_message"],
        )  # fmt: skip
        notify_many([decision_notification(application, decision) for application in changed])
        audit_many(
            actor=by,
            action=AuditEntry.Action.DECISION,
            entries=[(a.program_id, a, decision) for a in changed],
        )
    return len(changed), errors


def application_decide(
    *,
    application: Application,
    decision: str,
    by,
    now: datetime.datetime | None = None,
    reason: str = "",
    message: str = "",
) -> bool:
    """One decision; raises ServiceError if it cannot be made. False if nothing changed."""
    changed, errors = applications_decide(
        applications=[application], decision=decision, by=by, now=now, reason=reason,
        message=message,
    )  # fmt: skip
    if errors:
        raise ServiceError(errors[0])
    return bool(changed)


def applications_move_to_bank(*, applications, by) -> tuple[int, list[str]]:
    """Put mentors who were not matched in the mentor bank, with their consent."""
    now = timezone.now()
    errors = []
    with transaction.atomic():
        locked = list(
            Application.objects.select_for_update(of=("self",))
            .filter(pk__in=[application.pk for application in applications])
            .select_related("applicant", "program")
            .order_by("pk")
        )
        moved = []
        for application in locked:
            name = {"applicant": application.applicant}
            if application.role != Role.MENTOR:
                errors.append(
                    _("%(applicant)s: only mentors can be moved to the mentor bank.") % name
                )
            elif not application.program.mentor_bank:
                errors.append(_("%(applicant)s: this program has no mentor bank.") % name)
            elif not application.consent_bank_at:
                errors.append(_("%(applicant)s has not agreed to join the mentor bank.") % name)
            elif application.status in (Application.Status.DRAFT, Application.Status.WITHDRAWN):
                errors.append(
                    _("%(applicant)s: a %(status)s application cannot be moved to the bank.")
                    % {**name, "status": application.get_status_display().lower()}
                )
            else:
                moved.append(application)
        for application in moved:
            if application.status != Application.Status.BANKED:
                application.status = Application.Status.BANKED
                application.decided_at = now
                application.decided_by = by
                application.updated_at = now
        Application.objects.bulk_update(moved, ["status", "decided_at", "decided_by", "updated_at"])
        # One entry per mentor in each organisation's bank: a later program's application
        # replaces an earlier one (and is what a later form is filled in from).
        MentorBankEntry.objects.bulk_create(
            [
                MentorBankEntry(
                    owner_id=a.program.owner_id, mentor_id=a.applicant_id, application=a
                )
                for a in moved
            ],
            update_conflicts=True,
            unique_fields=["owner", "mentor"],
            update_fields=["application"],
        )
        banked = Application.Status.BANKED
        notify_many([decision_notification(application, banked) for application in moved])
        audit_many(
            actor=by,
            action=AuditEntry.Action.DECISION,
            entries=[(a.program_id, a, banked) for a in moved],
        )
    return len(moved), errors


def application_move_to_bank(*, application: Application, by) -> None:
    _moved, errors = applications_move_to_bank(applications=[application], by=by)
    if errors:
        raise ServiceError(errors[0])


def mentor_bank_leave(*, user, owner_id: int | None = None) -> int:
    """Take the person out of one organisation's bank, or out of every bank; returns how
    many banks they left."""
    entries = MentorBankEntry.objects.filter(mentor=user)
    if owner_id is not None:
        entries = entries.filter(owner_id=owner_id)
    deleted, _details = entries.delete()
    return deleted


_BANK_LEAVE_SALT = "programs.mentor-bank-leave"


def bank_leave_token(*, mentor_id: int, owner_id: int) -> str:
    """The token of a link that takes one person out of one organisation's bank without
    logging in, as every e-mail to the bank offers. It does not expire: the right to object
    does not either, and all it can do is that."""
    return signing.Signer(salt=_BANK_LEAVE_SALT).sign_object({"m": mentor_id, "o": owner_id})


def bank_leave_entry(token: str) -> MentorBankEntry | None:
    """The bank entry a leave link names, if the token is genuine and the person is still in
    that bank."""
    try:
        data = signing.Signer(salt=_BANK_LEAVE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(data, dict) or not {"m", "o"} <= data.keys():
        return None
    return (
        MentorBankEntry.objects.filter(mentor_id=data["m"], owner_id=data["o"])
        .select_related("owner", "mentor")
        .first()
    )


def mentor_bank_of(program: Program):
    """The mentor bank a program draws on: its organisation's, with the mentors banked from
    every program it runs, this edition and the ones before, and those its coordinators
    added."""
    return MentorBankEntry.objects.filter(owner_id=program.owner_id)


def mentor_bank_add(*, program: Program, people, by) -> int:
    """Add mentors from the coordinators' own list to the bank of the program's organisation:
    `people` are (e-mail, name, note, language or ""). A person without an account gets one
    without a password, in the language given (else the program's). Each person added gets
    one e-mail that says who holds their name and why, and how to leave; someone in the bank
    already is left alone. A few statements whatever the number of people. Returns how many
    were added."""
    wanted = [
        (User.objects.normalize_email(email.strip()), " ".join(name.split()), note, language)
        for email, name, note, language in people
    ]
    with transaction.atomic():
        users = _accounts_for(
            [
                (email, name, language or program.text_language)
                for email, name, _n, language in wanted
            ],
            staff=False,
        )
        banked = set(
            MentorBankEntry.objects.filter(owner_id=program.owner_id).values_list(
                "mentor_id", flat=True
            )
        )
        added = []
        for email, _name, note, _language in wanted:
            user = users[email.lower()]
            if user.pk not in banked:
                banked.add(user.pk)
                added.append(MentorBankEntry(owner_id=program.owner_id, mentor=user, note=note))
        MentorBankEntry.objects.bulk_create(added, ignore_conflicts=True)
        audit_many(
            actor=by,
            action=AuditEntry.Action.BANK_CHANGED,
            entries=[(program, program, f"added to the mentor bank: {e.mentor.pk}") for e in added],
        )
        notify_many(
            [
                Notification(
                    recipient=entry.mentor,
                    kind=Notification.Kind.BANK_ADDED,
                    key=f"bank_added:{program.owner_id}",
                    program=program,
                    context={"program": program.pk},
                )
                for entry in added
            ]
        )
    return len(added)


def bank_offer_send(*, offer: BankOffer, by, now=None) -> int:
    """E-mail an offer to everyone in the bank of its program's organisation; a mentor who had
    it already gets nothing, so sending again reaches only those who joined since. Returns how
    many e-mails are new."""
    now = now or timezone.now()
    with transaction.atomic():
        sent = notify_many(
            [
                Notification(
                    recipient_id=mentor_id,
                    kind=Notification.Kind.BANK_OFFER,
                    key=offer.notification_key,
                    program=offer.program,
                    context={"offer": offer.pk},
                )
                for mentor_id in mentor_bank_of(offer.program).values_list("mentor_id", flat=True)
            ]
        )
        BankOffer.objects.filter(pk=offer.pk).update(sent_at=now)
        offer.sent_at = now
        audit(
            actor=by,
            action=AuditEntry.Action.BANK_OFFER_SENT,
            program=offer.program,
            obj=offer,
            detail=ngettext("%(count)d mentor", "%(count)d mentors", sent) % {"count": sent},
        )
    return sent


def bank_offers_sent(
    user, *, most: int | None = 20, owner_id: int | None = None
) -> list[tuple[BankOffer, datetime.datetime]]:
    """The offers the mentor bank sent this person (a user or their id), newest first, with
    when each was sent (all of them with most=None; only one organisation's bank's with
    owner_id): two queries, however many."""
    notifications = Notification.objects.filter(recipient=user, kind=Notification.Kind.BANK_OFFER)
    if owner_id is not None:
        notifications = notifications.filter(program__owner_id=owner_id)
    sent = list(
        notifications.order_by("-created_at").values_list("context__offer", "created_at")[:most]
    )
    offers = BankOffer.objects.in_bulk([pk for pk, _at in sent])
    return [(offers[pk], at) for pk, at in sent if pk in offers]


def mentor_bank_invite(*, entries, program: Program, by, now=None) -> int:
    """Invite banked mentors to apply to an open program; each mentor is invited once.

    Returns how many invitations are new.
    """
    if not program.is_open(now):
        raise ServiceError(
            _("%(program)s is not open for applications.") % {"program": program.name}
        )
    already = set(
        program.applications.filter(role=Role.MENTOR).values_list("applicant_id", flat=True)
    )
    with transaction.atomic():
        return notify_many(
            [
                Notification(
                    recipient_id=entry.mentor_id,
                    kind=Notification.Kind.BANK_INVITATION,
                    key=f"bank_invitation:{program.pk}",
                    program=program,
                    context={"program": program.pk}
                    | ({"application": entry.application_id} if entry.application_id else {}),
                )
                for entry in entries
                if entry.mentor_id not in already
            ]
        )


class Invitees:
    """Whom a new edition can invite to apply, by group."""

    BANK = "bank"  # the mentor bank of the organisation that runs the program
    WAITLIST = "waitlist"  # the previous edition's waiting list, adepts and mentors
    MENTORS = "mentors"  # the previous edition's accepted mentors
    GROUPS = (BANK, WAITLIST, MENTORS)


# The invitations to apply: one per person and role in a program, whichever group it came from.
INVITATION_KINDS = ("bank_invitation", "edition_invitation", "participant_invitation")


@dataclass(frozen=True)
class Invitee:
    """Someone a new edition can invite, in a role, with the application of theirs the form
    is filled in from (none for a mentor the coordinators added to the bank themselves)."""

    person_id: int
    name: str
    role: str
    application: Application | None = None


def edition_invitees(program: Program) -> dict[str, list[Invitee]]:
    """For each group, the people who have not applied to this program in that role and have
    not been invited to it yet, by name. A person in two groups is in the first."""
    previous = (
        Application.objects.filter(program_id=program.previous_edition_id)
        if program.previous_edition_id
        else Application.objects.none()
    )

    def of(applications) -> list[Invitee]:
        return [
            Invitee(a.applicant_id, a.applicant.full_name, a.role, a)
            for a in applications.select_related("program", "applicant")
        ]

    bank = [
        Invitee(entry.mentor_id, entry.mentor.full_name, Role.MENTOR, entry.application)
        for entry in mentor_bank_of(program).select_related("mentor", "application__program")
    ]
    sources = {
        Invitees.BANK: bank,
        Invitees.WAITLIST: of(previous.filter(status=Application.Status.WAITLISTED)),
        Invitees.MENTORS: of(previous.filter(role=Role.MENTOR, status=Application.Status.ACCEPTED)),
    }
    taken = applied_or_invited(program)
    groups: dict[str, list[Invitee]] = {}
    for group, invitees in sources.items():
        groups[group] = []
        for invitee in sorted(invitees, key=lambda i: (i.name, i.person_id)):
            person = (invitee.person_id, invitee.role)
            if person not in taken:
                taken.add(person)
                groups[group].append(invitee)
    return groups


def edition_invite(*, program: Program, groups, by, now=None) -> int:
    """Invite the chosen groups to apply to an open program, each person once per role, with
    a link that fills in the form from their application of last time (where there is one).
    Returns how many invitations are new."""
    if not program.is_open(now):
        raise ServiceError(
            _("%(program)s is not open for applications.") % {"program": program.name}
        )
    invitees = edition_invitees(program)
    chosen = [(g, i) for g in Invitees.GROUPS if g in groups for i in invitees[g]]
    with transaction.atomic():
        invited = notify_many(
            [
                Notification(
                    recipient_id=invitee.person_id,
                    kind=(
                        Notification.Kind.BANK_INVITATION
                        if group == Invitees.BANK
                        else Notification.Kind.EDITION_INVITATION
                    ),
                    key=f"invitation:{program.pk}:{invitee.role}",
                    program=program,
                    context={"program": program.pk, "role": invitee.role}
                    | ({"application": invitee.application.pk} if invitee.application else {}),
                )
                for group, invitee in chosen
            ]
        )
        _audit_invitations(program, invited, by)
    return invited


def _check_taking_part(program: Program, organizations) -> None:
    taking_part = set(program.organizations.values_list("pk", flat=True))
    for organization in organizations:
        if organization is not None and organization.pk not in taking_part:
            raise ServiceError(
                _("%(organization)s does not take part in the program.")
                % {"organization": organization}
            )


def _audit_invitations(program: Program, invited: int, by) -> None:
    if invited:
        audit(
            actor=by,
            action=AuditEntry.Action.INVITATIONS_SENT,
            program=program,
            obj=program,
            detail=ngettext(
                "%(count)d person invited to apply", "%(count)d people invited to apply", invited
            )
            % {"count": invited},
        )


def applied_or_invited(program: Program) -> set[tuple[int, str]]:
    """(person id, role) of everyone who applied to the program or was invited to, from the
    bank, the previous edition or a list: no one is invited twice in a role."""
    return (
        set(program.applications.values_list("applicant_id", "role"))
        | set(program.invitations.values_list("person_id", "role"))
        | {
            (recipient, context.get("role", Role.MENTOR))
            for recipient, context in Notification.objects.filter(
                program=program, kind__in=INVITATION_KINDS
            ).values_list("recipient_id", "context")
        }
    )


def participants_invite(*, program: Program, people, by) -> int:
    """Invite the people of the coordinators' own list to apply to an open program: `people`
    are (e-mail, name, role, organisation or None, unit or None, job title, language or "").
    A person without an account gets one without a password, in the language given (else
    the program's). What the list says of them is kept to fill in their form; each person is
    invited once per role, and not at all in a role they applied in or were invited to
    already (from the bank or the previous edition too). A few statements whatever the
    number of people. Returns how many were invited."""
    if not program.is_open():
        raise ServiceError(
            _("%(program)s is not open for applications.") % {"program": program.name}
        )
    people = [
        (User.objects.normalize_email(email.strip()), " ".join(name.split()), *rest)
        for email, name, *rest in people
    ]
    _check_taking_part(program, [person[3] for person in people])
    with transaction.atomic():
        users = _accounts_for(
            [(email, name, language or program.text_language)
             for email, name, _r, _o, _u, _t, language in people],
            staff=False,
        )  # fmt: skip
        taken = applied_or_invited(program)
        invitations = []
        for email, _name, role, organization, unit, job_title, _language in people:
            user = users[email.lower()]
            if (user.pk, role) in taken:
                continue
            taken.add((user.pk, role))
            if organization is None or (unit and unit.organization_id != organization.pk):
                unit = None  # a unit is only ever one of the organisation's own
            invitations.append(
                ParticipantInvitation(
                    program=program, person=user, role=role, organization=organization,
                    unit=unit, job_title=job_title,
                )
            )  # fmt: skip
        try:
            with transaction.atomic():
                ParticipantInvitation.objects.bulk_create(invitations)
        except IntegrityError:
            raise ServiceError(
                _("Someone invited some of these people at the same moment: import again.")
            ) from None
        invited = notify_many(
            [
                Notification(
                    recipient=invitation.person,
                    kind=Notification.Kind.PARTICIPANT_INVITATION,
                    key=f"invitation:{program.pk}:{invitation.role}",
                    program=program,
                    context={
                        "program": program.pk,
                        "role": invitation.role,
                        "invitation": invitation.pk,
                    },
                )
                for invitation in invitations
            ]
        )
        _audit_invitations(program, invited, by)
    return invited


def invitation_initial(user, program: Program, role: str) -> dict:
    """What the coordinators' list said of the person, to fill in their form: the
    organisation, the unit and the job title, where the list had them."""
    invitation = ParticipantInvitation.objects.filter(
        program=program, person=user, role=role
    ).first()
    if invitation is None:
        return {}
    initial: dict = {"job_title": invitation.job_title} if invitation.job_title else {}
    if invitation.organization_id:
        initial["organization"] = invitation.organization_id
    if invitation.unit_id:
        initial["unit"] = invitation.unit_id
    return initial


# --------------------------------------------------------------------------------------------
# Retention
# --------------------------------------------------------------------------------------------


def retention_apply(*, now: datetime.datetime | None = None) -> int:
    """Age out what is past each program's retention, app by app (each app's privacy.py says
    what): applications, letters, goals, meeting logs and evaluation free text of programs that
    ended long enough ago, and rejected applications some months after the decision. Counts
    stay (rows are kept, their text emptied). Safe to run daily and twice. Returns how many
    rows were aged out."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    expired = [
        program.pk
        for program in Program.objects.only("pk", "ends_on", "retention_months")
        if program.ends_on < add_months(today, -program.retention_months)
    ]
    with transaction.atomic():
        aged = privacy.age_out(expired, now)
    if aged:
        logger.info("Retention: aged out %d row(s).", aged)
    return aged


# --------------------------------------------------------------------------------------------
# Coordinators
# --------------------------------------------------------------------------------------------


def coordinator_invite(*, program: Program, email: str, by, organization=None, name: str = ""):
    """Make a colleague a coordinator of the program, or with `organization` of that
    organisation's people in it (coordinators_invite, for one person). Returns their account."""
    coordinators_invite(program=program, people=[(email, name, organization)], by=by)
    return User.objects.get(email__iexact=User.objects.normalize_email(email.strip()))


def coordinators_invite(*, program: Program, people, by) -> int:
    """Make colleagues coordinators of the program: `people` are (e-mail, name, organisation
    or None) for a coordinator of one organisation's people or of the whole program. An
    existing account becomes staff, a new one is made without a password. Each person given a
    role gets one e-mail that says what comes next (set a password, set up a second factor)
    with a link for the first step; someone who has the role already is left alone. A few
    statements whatever the number of people. Returns how many roles were given."""
    wanted = [
        (User.objects.normalize_email(email.strip()), " ".join(name.split()), organization)
        for email, name, organization in people
    ]
    _check_taking_part(program, [organization for _e, _n, organization in wanted])
    with transaction.atomic():
        users = _accounts_for([(email, name, by.language) for email, name, _organization in wanted])
        leads = set(program.coordinators.values_list("pk", flat=True))
        roles = set(
            OrganizationCoordinator.objects.filter(program=program).values_list(
                "user_id", "organization_id"
            )
        )
        added = []
        for email, _name, organization in wanted:
            user = users[email.lower()]
            if organization is None and user.pk not in leads:
                leads.add(user.pk)
                added.append((user, None))
            elif organization is not None and (user.pk, organization.pk) not in roles:
                roles.add((user.pk, organization.pk))
                added.append((user, organization))
        program.coordinators.add(*[user for user, organization in added if organization is None])
        OrganizationCoordinator.objects.bulk_create(
            [
                OrganizationCoordinator(program=program, organization=organization, user=user)
                for user, organization in added
                if organization is not None
            ],
            ignore_conflicts=True,
        )
        audit_many(
            actor=by,
            action=AuditEntry.Action.PROGRAM_CHANGED,
            entries=[
                (program, program, _role_added(user, organization)) for user, organization in added
            ],
        )
        notify_many(
            [
                Notification(
                    recipient=user,
                    kind=Notification.Kind.COORDINATOR_INVITATION,
                    key=f"coordinator:{program.pk}"
                    + (f":{organization.pk}" if organization else ""),
                    program=program,
                    context={"program": program.pk}
                    | ({"organization": organization.name} if organization else {}),
                )
                for user, organization in added
            ]
        )
    return len(added)


def _role_added(user, organization) -> str:
    if organization is None:
        return f"coordinator added: {user.pk}"
    return f"coordinator for organisation {organization.pk} added: {user.pk}"


def _accounts_for(wanted, *, staff: bool = True) -> dict:
    """The accounts of these addresses, by lower-case address, for (e-mail, name, language)
    each: existing ones kept (and made staff for a staff role), missing ones made without a
    password (and with the address verified: the e-mail's link goes to it, so using the link
    proves it)."""
    addresses = {email.lower() for email, _name, _language in wanted}
    users = {
        user.email.lower(): user
        for user in User.objects.alias(address=Lower("email")).filter(address__in=addresses)
    }
    closed = sorted(user.email for user in users.values() if not user.is_active)
    if closed:
        raise ServiceError(
            _("The account of %(email)s is closed; ask an administrator.")
            % {"email": ", ".join(closed)}
        )
    made = {}
    for email, name, language in wanted:
        if email.lower() not in users and email.lower() not in made:
            user = User(email=email, full_name=name, is_staff=staff, language=language)
            user.set_unusable_password()
            made[email.lower()] = user
    User.objects.bulk_create(made.values())
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=address, verified=True, primary=True)
        for address, user in made.items()
    )
    if staff:
        User.objects.filter(pk__in=[u.pk for u in users.values() if not u.is_staff]).update(
            is_staff=True
        )
    return users | made


def units_merge(*, keep: Unit, units, by) -> int:
    """Merge units into `keep`: their applications and sub-units move to it and they are
    deleted; `keep` is in the list from now on. Returns how many were merged into it."""
    with transaction.atomic():
        others = list(
            Unit.objects.select_for_update()
            .filter(pk__in=[u.pk for u in units], organization_id=keep.organization_id)
            .exclude(pk=keep.pk)
        )
        if not others:
            return 0
        Application.objects.filter(unit__in=others).update(unit=keep, updated_at=timezone.now())
        Unit.objects.filter(parent__in=others).exclude(pk=keep.pk).update(parent=keep)
        if keep.parent_id in {u.pk for u in others}:
            keep.parent = None
        keep.confirmed = True
        keep.save(update_fields=["parent", "confirmed"])
        names = ", ".join(u.name for u in others)
        Unit.objects.filter(pk__in=[u.pk for u in others]).delete()
        audit(
            actor=by,
            action=AuditEntry.Action.UNITS_CHANGED,
            obj=keep,
            detail=_("merged into %(unit)s: %(names)s") % {"unit": keep.name, "names": names},
        )
    return len(others)


# What a new edition takes from the last one as it is; the dates move, the rest starts empty.
_EDITION_SKIPS = {"id", "name", "slug", "status", "created_at", "updated_at"}
_EDITION_DATES = {"applications_open_at", "applications_close_at", "starts_on", "ends_on"}


def program_next_edition(*, program: Program, name: str, starts_on: datetime.date, by) -> Program:
    """The next edition of a program, as a draft: its settings, organisations, coordinators,
    focus areas, milestones and questions (with their answers to pick), every date moved by
    as much as the start. Applications, pairs and evaluations stay with the old edition."""
    shift = starts_on - program.starts_on
    fields = {
        f.attname: getattr(program, f.attname)
        for f in Program._meta.concrete_fields
        if f.attname not in _EDITION_SKIPS
    }
    fields.update({date: _moved(getattr(program, date), shift) for date in _EDITION_DATES})
    with transaction.atomic():
        fields["previous_edition_id"] = program.pk
        edition = Program.objects.create(
            **fields, name=name, slug=_free_slug(name), status=Program.Status.DRAFT
        )
        for relation in ("organizations", "coordinators", "focus_areas"):
            through = getattr(Program, relation).through
            other = getattr(Program, relation).field.m2m_reverse_name()
            through.objects.bulk_create(
                through(program_id=edition.pk, **{other: pk})
                for pk in through.objects.filter(program=program).values_list(other, flat=True)
            )
        OrganizationCoordinator.objects.bulk_create(
            OrganizationCoordinator(program_id=edition.pk, organization_id=org, user_id=user)
            for org, user in program.organization_coordinators.values_list(
                "organization_id", "user_id"
            )
        )
        Milestone.objects.bulk_create(
            _copy(milestone, program_id=edition.pk, starts_at=_moved(milestone.starts_at, shift),
                  ends_at=milestone.ends_at and _moved(milestone.ends_at, shift))
            for milestone in program.milestones.all()
        )  # fmt: skip
        EmailText.objects.bulk_create(
            _copy(text, program_id=edition.pk) for text in program.email_texts.all()
        )
        questions = list(program.questions.prefetch_related("options"))
        copies = Question.objects.bulk_create(_copy(q, program_id=edition.pk) for q in questions)
        Option.objects.bulk_create(
            _copy(option, question_id=copy.pk)
            for question, copy in zip(questions, copies, strict=True)
            for option in question.options.all()
        )
        audit(
            actor=by,
            action=AuditEntry.Action.PROGRAM_CREATED,
            program=edition,
            obj=edition,
            detail=_("next edition of %(program)s") % {"program": program.name},
        )
    return edition


def _moved(when, shift: datetime.timedelta):
    """A date, or a time moved by whole days at the same hour on the clock: a kick-off at ten
    in the winter is at ten next winter and at ten in the summer too (not at eleven)."""
    if not isinstance(when, datetime.datetime):
        return when + shift
    local = timezone.localtime(when)
    return timezone.make_aware(local.replace(tzinfo=None) + shift, local.tzinfo)


def _copy(instance, **changes):
    """An unsaved copy of a row, with the columns in `changes` (by attname) changed."""
    model = type(instance)
    values = {
        f.attname: getattr(instance, f.attname)
        for f in model._meta.concrete_fields
        if not f.primary_key
    }
    return model(**{**values, **changes})


def _free_slug(name: str) -> str:
    """A slug for the name that no program has yet: the name's, or with -2, -3 ..."""
    base = slugify(name)[:70] or "program"
    taken = set(Program.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
