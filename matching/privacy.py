"""What matching holds about a person: the pairs they are in, their re-match requests and,
as a line manager, what they said of a proposed match."""

from __future__ import annotations

from accounts.privacy import Holder, rows

from .models import Match, MatchConsultation, Preference, Pulse, RematchRequest
from .services import matches_leave


def _matches(user) -> list[dict]:
    matches = Match.objects.for_user(user).select_related(
        "program", "adept__applicant", "mentor__applicant"
    )
    return [
        {
            "program": match.program.name,
            "adept": match.adept.applicant.full_name,
            "mentor": match.mentor.applicant.full_name,
            "status": match.status,
            "published_at": match.published_at,
            "ended_at": match.ended_at,
        }
        for match in matches
    ]


def _erase(user, now) -> None:
    matches_leave(user=user)
    RematchRequest.objects.filter(requested_by=user).delete()
    MatchConsultation.objects.filter(manager=user).delete()
    # Their ranks, and others' ranks of them: the round is over for them.
    Preference.objects.filter(ranker__applicant=user).delete()
    Preference.objects.filter(candidate__applicant=user).delete()
    Pulse.objects.filter(respondent=user).delete()


def _age_out(program_ids, now) -> int:
    # A line manager's view of a match served the publishing; with the program, it goes.
    views, _ = MatchConsultation.objects.filter(match__program_id__in=program_ids).delete()
    ranks, _ = Preference.objects.filter(ranker__program_id__in=program_ids).delete()
    return (
        views
        + ranks
        + (
            RematchRequest.objects.filter(match__program_id__in=program_ids)
            .exclude(reason="")
            .update(reason="")
        )
    )


HOLDER = Holder(
    app="matching",
    export={
        "matches": _matches,
        "rematch_requests": lambda user: rows(RematchRequest.objects.filter(requested_by=user)),
        # As an adept's line manager: what they said of the proposed mentor.
        "line_manager_views": lambda user: rows(MatchConsultation.objects.filter(manager=user)),
        # Their own ranks in a preference round (whom others ranked is theirs, not this one's).
        "preferences": lambda user: rows(Preference.objects.filter(ranker__applicant=user)),
        "match_checks": lambda user: rows(Pulse.objects.filter(respondent=user)),
    },
    erase=_erase,
    age_out=_age_out,
    exported=frozenset(
        {
            "matching.rematchrequest",
            "matching.matchconsultation",
            "matching.preference",
            "matching.pulse",
        }
    ),
    excluded={
        "matching.matchingrun": "Who ran matching: coordinators' work, not about participants.",
        "matching.exclusion": "Coordinators' conflict-of-interest notes about pairs.",
    },
)
