"""The pair's goals and meetings: every write checks that the user is in the pair and that
the mentorship is still running."""

from __future__ import annotations

import datetime
import hashlib

from django.db import transaction
from django.db.models import BooleanField, Case, Max, Q, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from matching.models import Match
from mentorship.errors import ServiceError
from notifications.models import Notification
from notifications.services import notify_many
from programs.models import LineManagerSupport, Program

from .models import MAX_MINUTES, MIN_MINUTES, CalendarFeed, Goal, GoalComment, Meeting

# A meeting marked held may start at most this far ahead (time zones, a late evening entry).
HELD_GRACE = datetime.timedelta(hours=12)
STALLED_AFTER = datetime.timedelta(days=45)


def stalled_pairs(program, now=None):
    """Running pairs of a program with no meeting held for 45 days (or none since they were
    published), each annotated with `last`, its last meeting held, and its two people."""
    return stalled(Match.objects.filter(program=program), now).select_related(
        "adept__applicant", "mentor__applicant"
    )


def with_activity(matches, now=None):
    """The rule for "at risk", written once, over any set of matches: annotates `last`, the
    last meeting held, and `stalled`: running, and no meeting held for 45 days (or none since
    the pair was published). The dashboard, the weekly digest and the admin's pair activity
    all read it from here."""
    cutoff = (now or timezone.now()) - STALLED_AFTER
    return matches.annotate(
        last=Max("meetings__starts_at", filter=Q(meetings__status=Meeting.Status.HELD))
    ).annotate(
        stalled=Case(
            When(
                Q(status=Match.Status.PUBLISHED)
                & (Q(last__lt=cutoff) | Q(last__isnull=True, published_at__lt=cutoff)),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def stalled(matches, now=None):
    """The matches at risk (see with_activity)."""
    return with_activity(matches, now).filter(stalled=True)


def _check_member(match: Match, user) -> None:
    if not match.has_member(user):
        raise ServiceError(_("This mentorship is not yours."))


def _check_writable(match: Match, user) -> None:
    _check_member(match, user)
    if match.status != Match.Status.PUBLISHED:
        raise ServiceError(_("This mentorship has ended; its log can be read but not changed."))


def _check_adept(match: Match, user) -> None:
    _check_writable(match, user)
    if user.pk != match.adept.applicant_id:
        raise ServiceError(_("The adept writes the goals; as mentor you can comment on them."))


# What a pair may add in one day: far more than a year's work needs, and a stop to a script
# or a stuck key that posts in a loop.
PER_DAY = {"goals": 20, "meetings": 20, "comments": 100}


def _check_per_day(rows, what: str, now=None) -> None:
    """`rows` are the pair's rows of one kind; refuse one more once today's are at the limit."""
    start = timezone.localtime(now or timezone.now()).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    limit = PER_DAY[what]
    if rows.filter(created_at__gte=start).count() < limit:
        return
    if what == "goals":
        message = ngettext(
            "A pair can add %(limit)d goal a day; try again tomorrow.",
            "A pair can add %(limit)d goals a day; try again tomorrow.",
            limit,
        )
    elif what == "meetings":
        message = ngettext(
            "A pair can plan %(limit)d meeting a day; try again tomorrow.",
            "A pair can plan %(limit)d meetings a day; try again tomorrow.",
            limit,
        )
    else:
        message = ngettext(
            "A pair can write %(limit)d comment a day; try again tomorrow.",
            "A pair can write %(limit)d comments a day; try again tomorrow.",
            limit,
        )
    raise ServiceError(message % {"limit": limit})


def goal_save(*, goal: Goal, user) -> Goal:
    _check_adept(goal.match, user)
    if not goal.title.strip():
        raise ServiceError(_("Write the goal."))
    if goal.pk is None:
        _check_per_day(goal.match.goals.all(), "goals")
        last = goal.match.goals.aggregate(last=Max("position"))["last"]
        goal.position = 0 if last is None else last + 1
        goal.created_by = user
    goal.save()
    return goal


def goal_move(*, goal: Goal, user, up: bool) -> None:
    """Swap the goal with its neighbour above or below."""
    _check_adept(goal.match, user)
    with transaction.atomic():
        goals = list(goal.match.goals.select_for_update().order_by("position", "pk"))
        index = next(i for i, g in enumerate(goals) if g.pk == goal.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(goals):
            return
        goals[index], goals[other] = goals[other], goals[index]
        for position, item in enumerate(goals):
            item.position = position
        Goal.objects.bulk_update(goals, ["position"])


def goal_comment(*, goal: Goal, user, text: str) -> GoalComment:
    _check_writable(goal.match, user)
    if not text.strip():
        raise ServiceError(_("Write a comment."))
    _check_per_day(GoalComment.objects.filter(goal__match=goal.match), "comments")
    return GoalComment.objects.create(goal=goal, author=user, text=text.strip())


def meeting_save(
    *, meeting: Meeting, user, status: str | None = None, now: datetime.datetime | None = None
) -> Meeting:
    """Plan a meeting, change it, mark it held (with notes) or cancel it (`status`; None
    keeps the one it has)."""
    now = now or timezone.now()
    if status is not None:
        meeting.status = status
    match = meeting.match
    _check_writable(match, user)
    program = match.program
    day = timezone.localtime(meeting.starts_at).date()
    # The planning meeting with the line manager may be held before the start (seed 004).
    early = meeting.kind == Meeting.Kind.PLANNING and day >= timezone.localdate(now)
    if day > program.ends_on or (day < program.starts_on and not early):
        raise ServiceError(
            _("Meetings are held during the program, from %(start)s to %(end)s.")
            % {"start": date_format(program.starts_on), "end": date_format(program.ends_on)}
        )
    if not MIN_MINUTES <= meeting.duration_minutes <= MAX_MINUTES:
        raise ServiceError(_("A meeting lasts between 15 minutes and 8 hours."))
    if meeting.status == Meeting.Status.HELD and meeting.starts_at > now + HELD_GRACE:
        raise ServiceError(_("A meeting in the future cannot be marked as held yet."))
    manager = _check_kind(meeting, user)
    # What the line manager was last told, to tell them only of a change (their meetings
    # only: the pair's own cost no extra query).
    before = (
        Meeting.objects.filter(pk=meeting.pk).first()
        if manager is not None and meeting.pk is not None
        else None
    )
    if meeting.pk is None:
        _check_per_day(match.meetings.all(), "meetings", now)
        meeting.created_by = user
    meeting.updated_by = user
    with transaction.atomic():
        meeting.save()
        if manager is not None and _invitation_changed(before, meeting):
            notify_many([line_manager_invitation(meeting, manager)])
    return meeting


def line_manager_of(match: Match) -> LineManagerSupport | None:
    """The adept's line manager (their support, with the manager), where the program involves
    line managers and the adept named one; else None."""
    if match.program.line_managers == Program.LineManagers.NONE:
        return None
    return (
        LineManagerSupport.objects.filter(application=match.adept_id)
        .select_related("manager")
        .first()
    )


def _check_kind(meeting: Meeting, user):
    """A planning or evaluation meeting needs the adept's line manager (their user id is
    returned, to invite them); the program may say the mentor books the planning one."""
    if meeting.kind == Meeting.Kind.PAIR:
        return None
    match = meeting.match
    support = line_manager_of(match)
    manager = support.manager_id if support else None
    if manager is None and meeting.pk is not None:
        # The program stopped involving line managers since: the meeting stays the pair's.
        return None
    if manager is None:
        raise ServiceError(
            _("This pair has no line manager in the program: choose an ordinary meeting.")
        )
    if (
        meeting.kind == Meeting.Kind.PLANNING
        and match.program.mentor_books_planning
        and meeting.pk is None
        and user.pk != match.mentor.applicant_id
    ):
        raise ServiceError(
            _("In this program the mentor books the planning meeting with the line manager.")
        )
    return manager


def _invitation_changed(before: Meeting | None, meeting: Meeting) -> bool:
    """The line manager hears of a new meeting, a new time or place, and a cancellation;
    not of notes or of its being marked held."""
    if meeting.status == Meeting.Status.HELD:
        return False
    if before is None:
        return meeting.status == Meeting.Status.PLANNED
    return any(
        getattr(before, field) != getattr(meeting, field)
        for field in ("starts_at", "duration_minutes", "location", "meeting_format", "status")
    )


def line_manager_invitation(meeting: Meeting, manager_id: int) -> Notification:
    """The invitation (or its change, or cancellation) with an .ics: one e-mail per version
    of the time, place and status."""
    version = hashlib.sha256(
        f"{meeting.kind}|{meeting.starts_at.isoformat()}|{meeting.duration_minutes}|"
        f"{meeting.location}|{meeting.status}".encode()
    ).hexdigest()[:16]
    return Notification(
        recipient_id=manager_id,
        kind=Notification.Kind.LINE_MANAGER_MEETING,
        key=f"line_manager_meeting:{meeting.pk}:{version}",
        program_id=meeting.match.program_id,
        context={"meeting": meeting.pk, "cancelled": meeting.status == Meeting.Status.CANCELLED},
    )


def mentorship_progress(match: Match, meetings, today: datetime.date | None = None) -> dict:
    """Meetings held against the program's plan, and whether the pair is on track this month:
    a meeting held or planned in the current month (outside the program's dates, it is)."""
    today = today or timezone.localdate()
    program = match.program
    held = [m for m in meetings if m.status == Meeting.Status.HELD]
    this_month = [
        m
        for m in meetings
        if m.status != Meeting.Status.CANCELLED
        and (timezone.localtime(m.starts_at).year, timezone.localtime(m.starts_at).month)
        == (today.year, today.month)
    ]
    # A pair that has ended (or a closed program) is on track for nothing any more.
    running = (
        program.starts_on <= today <= program.ends_on and match.status == Match.Status.PUBLISHED
    )
    return {
        "held": len(held),
        "planned": sum(1 for m in meetings if m.status == Meeting.Status.PLANNED),
        "expected_min": program.meetings_min,
        "expected_max": program.meetings_max,
        "on_track": bool(this_month) or not running,
        "running": running,
    }


def meetings_close(*, program) -> int:
    """A closed program's planned meetings close with it: they are cancelled, so nobody is
    reminded of them and no page says "planned". Returns how many."""
    return Meeting.objects.filter(match__program=program, status=Meeting.Status.PLANNED).update(
        status=Meeting.Status.CANCELLED, updated_at=timezone.now()
    )


def on_program_closed(sender, *, program, **kwargs) -> dict:
    """programs.signals.program_closed: the program's planned meetings are cancelled."""
    return {"meetings_cancelled": meetings_close(program=program)}


def calendar_feed_create(*, user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_revoke(*, user) -> None:
    CalendarFeed.objects.filter(user=user).delete()


@transaction.atomic
def calendar_feed_renew(*, user) -> CalendarFeed:
    """A new secret address; the old one stops working in the same step."""
    calendar_feed_revoke(user=user)
    return calendar_feed_create(user=user)
