"""The matching's e-mails: the introduction, a request for a new match (to coordinators) and
an ended match; registered with the outbox in MatchingConfig.ready()."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notifications.emails import absolute, loaded
from notifications.registry import register_email, register_loader
from programs.models import EmailText, Program, program_paragraph

from .models import Match, MatchConsultation
from .services import consultation_token


def _matches(ids):
    return Match.objects.select_related(
        "program", "adept__applicant", "adept__organization", "mentor__applicant",
        "mentor__organization", "adept__line_manager_support__manager",
    ).prefetch_related("program__email_texts").in_bulk(ids)  # fmt: skip


def pair_context(notification, match) -> dict:
    """What every e-mail to one of a pair says of the pair."""
    is_adept = notification.recipient_id == match.adept.applicant_id
    other = match.mentor if is_adept else match.adept
    return {
        "program": match.program,
        "recipient_is_adept": is_adept,
        "other": other.applicant,
        "other_organization": other.organization or "",
        "program_url": absolute(match.program.get_absolute_url()),
        "mentorship_url": absolute(reverse("meetings:mentorship", args=[match.pk])),
    }


def _line_manager_name(match) -> str:
    """The adept's line manager, where the program involves them: the pair plans the course
    with them (seed 004)."""
    if match.program.line_managers == Program.LineManagers.NONE:
        return ""
    support = getattr(match.adept, "line_manager_support", None)
    return (support.manager.full_name or support.manager.email) if support else ""


def _introduction(notification, cache):
    match = loaded(cache, notification, "match")
    return {
        **pair_context(notification, match),
        "paragraph": program_paragraph(match.program, EmailText.Kind.INTRODUCTION),
        "line_manager": _line_manager_name(match),
        "mentor_books_planning": match.program.mentor_books_planning,
    }


def _rematch_requested(notification, cache):
    match = loaded(cache, notification, "match")
    requester = (
        match.adept if match.adept.applicant_id == notification.context["by"] else match.mentor
    )
    return {
        "program": match.program,
        "requester": requester.applicant,
        "requester_role": requester.get_role_display().lower(),
        "url": absolute(reverse("matching:review", args=[match.program.slug])),
    }


def _match_ended(notification, cache):
    match = loaded(cache, notification, "match")
    is_adept = notification.recipient_id == match.adept.applicant_id
    return {
        "program": match.program,
        "other": (match.mentor if is_adept else match.adept).applicant,
        "mentorship_url": absolute(reverse("meetings:mentorships")),
    }


def _consultations(ids):
    return MatchConsultation.objects.select_related(
        "match__program", "match__adept__applicant", "mentor__applicant", "mentor__organization"
    ).in_bulk(ids)


def _line_manager_match(notification, cache):
    """The adept's line manager asked about the proposed mentor: name, organisation and
    role, never a letter; a link to answer without a login."""
    consultation = loaded(cache, notification, "consultation")
    match = consultation.match
    token = consultation_token(consultation)
    return {
        "program": match.program,
        "adept": match.adept.applicant,
        "mentor": consultation.mentor.applicant,
        "mentor_organization": consultation.mentor.organization or "",
        "mentor_job_title": consultation.mentor.job_title,
        "answer_by": consultation.answer_by,
        "url": absolute(reverse("matching:line_manager_match", kwargs={"token": token})),
    }


def _preference_round(notification, cache):
    """The preference round is open (or closes soon): the link to the shortlist."""
    program = notification.program
    return {
        "program": program,
        "closes_at": program.preferences_close_at,
        "reminder": notification.kind == "preference_reminder",
        "url": absolute(reverse("matching:preferences", kwargs={"slug": program.slug})),
    }


def _pulse(notification, cache):
    match = loaded(cache, notification, "match")
    return {
        **pair_context(notification, match),
        "url": absolute(reverse("matching:pulse", kwargs={"pk": match.pk})),
    }


def register() -> None:
    register_loader("match", _matches)
    register_email("match_pulse", label=_("Is the match working? (after 30 days)"), context=_pulse)
    register_email(
        "preference_round", label=_("The preference round is open"), context=_preference_round
    )
    register_email(
        "preference_reminder",
        label=_("Reminder: the preference round closes soon"),
        context=_preference_round,
        template="preference_round",
    )
    register_loader("consultation", _consultations)
    register_email(
        "line_manager_match",
        label=_("A line manager asked about the match"),
        context=_line_manager_match,
    )
    register_email("introduction", label=_("Introduction to a new match"), context=_introduction)
    register_email(
        "rematch_requested",
        label=_("Request for a new match (to coordinators)"),
        context=_rematch_requested,
    )
    register_email("match_ended", label=_("A match has ended"), context=_match_ended)
