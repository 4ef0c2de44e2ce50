"""What meetings hold about a person: the pair's goals, comments and meeting log, and the
calendar address."""

from __future__ import annotations

from accounts.privacy import Holder, rows
from matching.models import Match

from .models import CalendarFeed, Goal, GoalComment, Meeting


def _erase(user, now) -> None:
    # The adept's goals go, unless the program archives them until its retention sweep.
    Goal.objects.filter(
        match__adept__applicant=user, match__program__archive_on_erasure=False
    ).delete()
    GoalComment.objects.filter(author=user, goal__match__program__archive_on_erasure=False).delete()
    CalendarFeed.objects.filter(user=user).delete()


def _age_out(program_ids, now) -> int:
    comments, _ = GoalComment.objects.filter(goal__match__program_id__in=program_ids).delete()
    goals, _ = Goal.objects.filter(match__program_id__in=program_ids).delete()
    logs = (
        Meeting.objects.filter(match__program_id__in=program_ids)
        .exclude(agenda="", notes="", location="")
        .update(agenda="", notes="", location="")
    )
    return comments + goals + logs


def _of_my_pairs(model, path):
    return lambda user: rows(model.objects.filter(**{path: Match.objects.for_user(user)}))


HOLDER = Holder(
    app="meetings",
    export={
        "goals": _of_my_pairs(Goal, "match__in"),
        "goal_comments": _of_my_pairs(GoalComment, "goal__match__in"),
        "meetings": _of_my_pairs(Meeting, "match__in"),
    },
    erase=_erase,
    age_out=_age_out,
    exported=frozenset({"meetings.goal", "meetings.goalcomment", "meetings.meeting"}),
    excluded={
        "meetings.calendarfeed": "A secret address; the person sees it on the calendar page.",
    },
)
