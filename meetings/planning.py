"""The pairs' planning sweeps: who is due which reminder or notice now, run hourly by beat
through the outbox's registry (MeetingsConfig.ready() registers them).

Each sweep finds what is due with a few set-based queries and inserts outbox rows in one
batch; the (recipient, kind, key) constraint makes a second run, a second beat or a retried
task insert nothing. There are no per-event scheduled tasks a lost broker could drop: what a
missed sweep did not plan, the next one does.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from matching.models import Match, RematchRequest
from mentorship.months import month_start as first_of
from mentorship.months import next_month
from notifications.models import Notification
from notifications.registry import register_sweep
from notifications.services import notify_many
from programs.models import Application, Milestone, Program

from .models import Meeting
from .services import stalled

ACTIVE_PROGRAMS = (Program.Status.SELECTION, Program.Status.RUNNING)
# The digest's "coming up" looks this far ahead.
DIGEST_AHEAD = datetime.timedelta(days=21)


def _programs(programs=None):
    queryset = Program.objects.all() if programs is None else programs
    return queryset.filter(status__in=ACTIVE_PROGRAMS)


def plan_monthly_reminders(*, now=None, programs=None) -> int:
    """Both people of a live pair with no meeting held or planned this month, from the
    program's reminder day, while the program runs. One per person and month."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    month_start = timezone.make_aware(datetime.datetime.combine(first_of(today), datetime.time()))
    month_end = timezone.make_aware(datetime.datetime.combine(next_month(today), datetime.time()))
    met = Meeting.objects.filter(
        match=OuterRef("pk"),
        status__in=[Meeting.Status.PLANNED, Meeting.Status.HELD],
        starts_at__gte=month_start,
        starts_at__lt=month_end,
    )
    due = (
        Match.objects.filter(
            status=Match.Status.PUBLISHED,
            program__in=_programs(programs),
            program__starts_on__lte=today,
            program__ends_on__gte=today,
            program__reminder_day__lte=today.day,
        )
        .exclude(Exists(met))
        .values_list(
            "pk",
            "program_id",
            "adept__applicant_id",
            "adept__applicant__monthly_reminders",
            "mentor__applicant_id",
            "mentor__applicant__monthly_reminders",
        )
    )
    month = f"{today:%Y-%m}"
    rows = []
    for match, program, adept, adept_wants, mentor, mentor_wants in due.iterator(chunk_size=2000):
        for user, wants in ((adept, adept_wants), (mentor, mentor_wants)):
            if wants:
                rows.append(
                    Notification(
                        recipient_id=user,
                        program_id=program,
                        kind=Notification.Kind.MONTHLY_REMINDER,
                        key=f"reminder:{match}:{month}:{user}",
                        context={"match": match, "month": month},
                    )
                )
    return notify_many(rows)


def plan_meeting_reminders(*, now=None, programs=None) -> int:
    """The day before a planned meeting, to both people, with the calendar file. A meeting
    that is moved gets a reminder for its new time."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time()))
    meetings = Meeting.objects.filter(
        status=Meeting.Status.PLANNED,
        starts_at__gte=start,
        starts_at__lt=start + datetime.timedelta(days=1),
        match__status=Match.Status.PUBLISHED,
        match__program__in=_programs(programs),
    ).values_list(
        "pk",
        "starts_at",
        "match__program_id",
        "match__adept__applicant_id",
        "match__adept__applicant__meeting_reminders",
        "match__mentor__applicant_id",
        "match__mentor__applicant__meeting_reminders",
    )
    rows = []
    for meeting, starts_at, program, adept, adept_wants, mentor, mentor_wants in meetings:
        for user, wants in ((adept, adept_wants), (mentor, mentor_wants)):
            if wants:
                rows.append(
                    Notification(
                        recipient_id=user,
                        program_id=program,
                        kind=Notification.Kind.MEETING_REMINDER,
                        key=f"meeting:{meeting}:{starts_at:%Y%m%dT%H%M}:{user}",
                        context={"meeting": meeting},
                    )
                )
    return notify_many(rows)


def _audience(programs_ids):
    """Who hears of a program's events, per program and role: {program: {role: [user ids]}}.
    While the selection runs, every accepted participant; once the program runs, only those
    who are or were in a pair (an accepted mentor nobody was matched with is not in the year;
    one whose match ended early still is, and is welcome at the closing)."""
    live = Match.objects.filter(status__in=Match.MATCHED).filter(
        Q(adept=OuterRef("pk")) | Q(mentor=OuterRef("pk"))
    )
    people: dict[int, dict[str, list[int]]] = {}
    for program, role, user in (
        Application.objects.filter(
            program_id__in=programs_ids,
            status=Application.Status.ACCEPTED,
            applicant__is_active=True,
        )
        .filter(Q(program__status=Program.Status.SELECTION) | Exists(live))
        .values_list("program_id", "role", "applicant_id")
    ):
        people.setdefault(program, {}).setdefault(role, []).append(user)
    return people


def _recipients(people, milestone):
    program_people = people.get(milestone.program_id, {})
    return sorted({user for role in milestone.roles for user in program_people.get(role, [])})


def _snapshot(milestone) -> dict:
    """What a notice told people, to notice a change or a cancellation later."""
    return {
        "milestone": milestone.pk,
        "program": milestone.program_id,
        "title": milestone.display_title,
        "starts_at": milestone.starts_at.isoformat(),
        "location": milestone.location or milestone.online_url,
    }


def plan_milestone_notices(*, now=None, programs=None) -> int:
    """Notices at each of a milestone's offsets, to its audience; the half-time and closing
    milestones also remind pairs to review their goals; moved or removed milestones that
    people were told about get a "changed" or "cancelled" notice."""
    now = now or timezone.now()
    active = _programs(programs)
    today = timezone.localdate(now)
    milestones = list(
        Milestone.objects.filter(program__in=active, starts_at__gt=now).select_related("program")
    )
    people = _audience({m.program_id for m in milestones})
    rows = []
    for milestone in milestones:
        # By calendar day: "14 days before" is that day, whatever the hour of the sweep.
        day = timezone.localtime(milestone.starts_at).date()
        # Of the offsets already reached, only the latest is due: with "14,1" and the
        # milestone tomorrow, people get the one-day notice, not both at once.
        reached = [
            d for d in milestone.notice_days or [] if today >= day - datetime.timedelta(days=d)
        ]
        due = [min(reached)] if reached else []
        recipients = _recipients(people, milestone)
        snapshot = _snapshot(milestone)
        kinds = [(Notification.Kind.MILESTONE, f"milestone:{milestone.pk}:{d}") for d in due]
        review = milestone.kind in (Milestone.Kind.HALF_TIME, Milestone.Kind.CLOSING)
        if review and due:
            kinds.append((Notification.Kind.GOAL_REVIEW, f"goal_review:{milestone.pk}"))
        rows += [
            Notification(
                recipient_id=user,
                program_id=milestone.program_id,
                kind=kind,
                key=f"{prefix}:{user}",
                context=snapshot,
            )
            for kind, prefix in kinds
            for user in recipients
        ]
    rows += _changes(now, active)
    return notify_many(rows)


def _changes(now, active) -> list[Notification]:
    """Compare what people were told with the milestones as they are now."""
    told = Notification.objects.filter(
        kind=Notification.Kind.MILESTONE, program__in=active
    ).values_list("recipient_id", "program_id", "context")
    latest: dict[tuple[int, int], dict] = {}
    for recipient, program, context in told:
        key = (context["milestone"], recipient)
        # The newest time a person was told about is what counts.
        if key not in latest or context["starts_at"] > latest[key][1]["starts_at"]:
            latest[key] = (program, context)
    current = {
        m.pk: m
        for m in Milestone.objects.filter(pk__in={k[0] for k in latest}).select_related("program")
    }
    changed_told = {
        (n.context.get("milestone"), n.recipient_id, n.context.get("starts_at"))
        for n in Notification.objects.filter(
            kind=Notification.Kind.MILESTONE_CHANGED, program__in=active
        ).only("recipient_id", "context")
    }
    rows = []
    for (milestone_id, recipient), (program, context) in latest.items():
        milestone = current.get(milestone_id)
        if milestone is None:
            if datetime.datetime.fromisoformat(context["starts_at"]) <= now:
                continue  # a past event removed from the timeline is not a cancellation
            rows.append(
                Notification(
                    recipient_id=recipient,
                    program_id=program,
                    kind=Notification.Kind.MILESTONE_CANCELLED,
                    key=f"milestone_cancelled:{milestone_id}:{recipient}",
                    context=context,
                )
            )
            continue
        snapshot = _snapshot(milestone)
        moved = (snapshot["starts_at"], snapshot["location"]) != (
            context["starts_at"],
            context.get("location", ""),
        )
        already = (milestone_id, recipient, snapshot["starts_at"]) in changed_told
        if moved and milestone.starts_at > now and not already:
            rows.append(
                Notification(
                    recipient_id=recipient,
                    program_id=program,
                    kind=Notification.Kind.MILESTONE_CHANGED,
                    key=f"milestone_changed:{milestone_id}:{snapshot['starts_at']}:"
                    f"{snapshot['location']}:{recipient}",
                    context={**snapshot, "was": context["starts_at"]},
                )
            )
    return rows


def plan_digests(*, now=None, programs=None) -> int:
    """Each coordinator, once a week (from Monday), a digest per program they coordinate,
    when there is something to report: pairs at risk, open requests for a new match, e-mails
    that failed, or milestones in the next three weeks."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    year, week, _weekday = today.isocalendar()
    active = _programs(programs)
    reporting = (
        set(
            stalled(Match.objects.filter(program__in=active), now).values_list(
                "program_id", flat=True
            )
        )
        | set(
            RematchRequest.objects.filter(
                handled_at__isnull=True,
                match__status=Match.Status.PUBLISHED,
                match__program__in=active,
            ).values_list("match__program_id", flat=True)
        )
        | set(
            Notification.objects.filter(
                status=Notification.Status.FAILED, program__in=active
            ).values_list("program_id", flat=True)
        )
        | set(
            Milestone.objects.filter(
                program__in=active, starts_at__gte=now, starts_at__lt=now + DIGEST_AHEAD
            ).values_list("program_id", flat=True)
        )
    )
    rows = [
        Notification(
            recipient_id=user,
            program_id=program,
            kind=Notification.Kind.DIGEST,
            key=f"digest:{program}:{year}-W{week:02d}",
            context={"program": program, "week": f"{year}-W{week:02d}"},
        )
        for program, user in active.filter(
            pk__in=reporting, coordinators__is_active=True
        ).values_list("pk", "coordinators")
    ]
    return notify_many(rows)


def register() -> None:
    for sweep in (
        plan_monthly_reminders,
        plan_meeting_reminders,
        plan_milestone_notices,
        plan_digests,
    ):
        register_sweep(sweep)
