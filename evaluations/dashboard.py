"""The figures of a program's dashboard, each from one aggregate query: a fixed number of
queries however large the cohort."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Avg, CharField, Count, Exists, F, Func, OuterRef, Q, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.models import Match, Pulse
from matching.pulse import flagged
from meetings.models import Meeting
from meetings.services import stalled_pairs
from mentorship.months import month_start, next_month
from notifications.models import Notification
from programs.models import Application, Role

from .models import Survey
from .results import ALL, GROUPS, headline_scores, response_counts
from .services import participants

RUNNING = Match.RAN
MATCHED = Match.MATCHED


def funnel(program) -> list[dict]:
    """The steps from application to completion."""
    apps = (
        Application.objects.filter(program=program)
        .exclude(status=Application.Status.DRAFT)
        .with_eligibility()
    )
    counts = {}
    for role in (Role.ADEPT, Role.MENTOR):
        counts[f"{role}_applied"] = Count("pk", filter=Q(role=role))
        counts[f"{role}_eligible"] = Count("pk", filter=Q(role=role, eligible=True))
        counts[f"{role}_accepted"] = Count(
            "pk", filter=Q(role=role, status=Application.Status.ACCEPTED)
        )
    a = apps.aggregate(**counts)
    held = Meeting.objects.filter(match=OuterRef("pk"), status=Meeting.Status.HELD)
    m = (
        Match.objects.filter(program=program)
        .annotate(has_met=Exists(held))
        .aggregate(
            adepts=Count("adept", distinct=True, filter=Q(status__in=MATCHED)),
            mentors=Count("mentor", distinct=True, filter=Q(status__in=MATCHED)),
            pairs=Count("pk", filter=Q(status__in=RUNNING)),
            meeting=Count("pk", filter=Q(status__in=RUNNING, has_met=True)),
            completed=Count("pk", filter=Q(status=Match.Status.COMPLETED)),
        )
    )
    return [
        {
            "label": _("Applications"),
            "adepts": a["adept_applied"],
            "mentors": a["mentor_applied"],
            "help": _("Sent applications, withdrawn ones included."),
        },
        {
            "label": _("Eligible"),
            "adepts": a["adept_eligible"],
            "mentors": a["mentor_eligible"],
            "help": _("Meeting the program's rules on experience and membership."),
        },
        {
            "label": _("Accepted"),
            "adepts": a["adept_accepted"],
            "mentors": a["mentor_accepted"],
            "help": "",
        },
        {
            "label": _("Matched"),
            "adepts": m["adepts"],
            "mentors": m["mentors"],
            "help": _("In a published pair, now or earlier."),
        },
        {
            "label": _("Pairs meeting"),
            "pairs": m["meeting"],
            "of": m["pairs"],
            "help": _("Pairs that have held at least one meeting."),
        },
        {
            "label": _("Completed"),
            "pairs": m["completed"],
            "of": m["pairs"],
            "help": _("Pairs that have run to the end of the program."),
        },
    ]


def _months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, month = [], month_start(start)
    while month <= end:
        months.append(month)
        month = next_month(month)
    return months


@dataclass
class Month:
    month: datetime.date
    held: int
    planned: int
    expected: float


def meetings_per_month(program) -> list[Month]:
    """Meetings held (and planned) per calendar month of the program, against what the
    program expects: the pairs running that month times the lowest expected number of
    meetings, spread over the program's months."""
    months = _months(program.starts_on, program.ends_on)
    per_month = program.meetings_min / len(months) if months else 0
    local = timezone.get_current_timezone()
    found: dict[tuple[datetime.date, str], int] = {}
    for month, status, n in (
        Meeting.objects.filter(
            match__program=program,
            match__status__in=MATCHED,
            status__in=[Meeting.Status.HELD, Meeting.Status.PLANNED],
        )
        .annotate(month=TruncMonth("starts_at", tzinfo=local))
        .values_list("month", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        found[(month.date(), status)] = n
    # Pairs count from the month they were published (from the start if the date is unknown).
    published: dict[datetime.date, int] = {}
    for month, n in (
        Match.objects.filter(program=program, status__in=RUNNING)
        .annotate(month=TruncMonth("published_at", tzinfo=local))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        key = month.date() if month else datetime.date.min
        published[key] = published.get(key, 0) + n
    result = []
    for month in months:
        pairs = sum(n for start, n in published.items() if start <= month)
        result.append(
            Month(
                month=month,
                held=found.get((month, Meeting.Status.HELD), 0),
                planned=found.get((month, Meeting.Status.PLANNED), 0),
                expected=round(pairs * per_month, 1),
            )
        )
    return result


def chart(months: list[Month], width: int = 640, height: int = 240) -> dict:
    """Geometry of the bar chart, drawn by the template as SVG."""
    left, bottom, top = 36, 28, 12
    top_value = max([m.held + m.planned for m in months] + [m.expected for m in months] + [1])
    step = _nice_step(top_value)
    scale_max = step * -(-top_value // step)
    plot_height = height - bottom - top
    slot = (width - left - 8) / max(len(months), 1)
    bar = slot * 0.6

    def y(value):
        return top + plot_height - plot_height * value / scale_max

    bars = []
    for i, m in enumerate(months):
        x = left + i * slot + (slot - bar) / 2
        bars.append(
            {
                "x": round(x, 1),
                "width": round(bar, 1),
                "x2": round(x + bar, 1),
                "held_y": round(y(m.held), 1),
                "held_height": round(y(0) - y(m.held), 1),
                "planned_y": round(y(m.held + m.planned), 1),
                "planned_height": round(y(m.held) - y(m.held + m.planned), 1),
                "expected_y": round(y(m.expected), 1),
                "label_x": round(x + bar / 2, 1),
                "month": m.month,
                "held": m.held,
                "planned": m.planned,
                "expected": m.expected,
            }
        )
    ticks = [{"value": v, "y": round(y(v), 1)} for v in range(0, int(scale_max) + 1, int(step))]
    return {
        "width": width,
        "height": height,
        "left": left,
        "tick_x": left - 6,
        "right": width - 8,
        "baseline": round(y(0), 1),
        "label_y": height - 8,
        "bars": bars,
        "ticks": ticks,
    }


def _nice_step(value: float) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if value / step <= 5:
            return step
    return 10000


def at_risk(program, now):
    """The pairs at risk, those longest without a meeting first."""
    return list(stalled_pairs(program, now).order_by("last", "published_at", "pk"))


NOTICE_SENT, NOTICE_TO_COME, NOTICE_SKIPPED = "sent", "to_come", "skipped"


def match_quality(program, limit=5) -> dict:
    """The check after a month: how many answered and their mean, and the first few pairs
    flagged (a low answer or a wish to talk), lowest first; and the latest run's figures of
    the preference round. Three queries, whatever the cohort."""
    low = Q(working__lte=Pulse.LOW) | Q(talk=True)
    figures = Pulse.objects.filter(match__program=program).aggregate(
        answered=Count("pk"), average=Avg("working"), flagged=Count("pk", filter=low)
    )
    listed = (
        flagged(program)
        .select_related("respondent", "match__adept__applicant", "match__mentor__applicant")
        .order_by("working", "-answered_at")[:limit]
    )
    run = program.matching_runs.only("preference_report").first()
    return {
        **figures,
        "flagged_pulses": list(listed),
        "preference_report": run.preference_report if run else {},
    }


def line_manager_meetings(program) -> list[dict]:
    """For each milestone that asks pairs to meet the adept's line manager by its date
    ("plan the start with your line manager by 15 September"): of the running pairs whose
    adept named a line manager, how many held that meeting by then, and how many have one
    planned. Two queries, whatever the number of milestones or pairs."""
    milestones = list(program.milestones.exclude(line_manager_meeting="").order_by("starts_at"))
    if not milestones:
        return []
    pairs = Match.objects.filter(
        program=program, status__in=RUNNING, adept__line_manager_support__isnull=False
    )
    counts = {"pairs": Count("pk")}
    for m in milestones:
        of_kind = Meeting.objects.filter(match=OuterRef("pk"), kind=m.line_manager_meeting)
        deadline = m.ends_at or m.starts_at
        held, planned = f"held_{m.pk}", f"planned_{m.pk}"
        pairs = pairs.annotate(
            **{
                held: Exists(of_kind.filter(status=Meeting.Status.HELD, starts_at__lte=deadline)),
                planned: Exists(of_kind.filter(status=Meeting.Status.PLANNED)),
            }
        )
        counts[f"n_{held}"] = Count("pk", filter=Q(**{held: True}))
        counts[f"n_{planned}"] = Count("pk", filter=Q(**{planned: True, held: False}))
    totals = pairs.aggregate(**counts)
    return [
        {
            "milestone": m,
            "pairs": totals["pairs"],
            "held": totals[f"n_held_{m.pk}"],
            "planned": totals[f"n_planned_{m.pk}"],
        }
        for m in milestones
    ]


def upcoming(program, now, limit=5):
    """The next milestones, each with the days its notices go out and whether each went out
    (read from the outbox: a notice whose day passed before the milestone was added was
    never sent, as only the latest reached notice is)."""
    milestones = list(program.milestones.filter(starts_at__gte=now).order_by("starts_at")[:limit])

    def part(n):
        return Func(F("key"), Value(":"), Value(n), function="split_part", output_field=CharField())

    sent = {
        (int(milestone), int(offset))
        for milestone, offset in Notification.objects.filter(
            kind=Notification.Kind.MILESTONE, program=program
        )
        .annotate(milestone=part(2), offset=part(3))
        .filter(milestone__in=[str(m.pk) for m in milestones])
        .values_list("milestone", "offset")
        .distinct()
    }
    today = timezone.localdate(now)
    for milestone in milestones:
        day = timezone.localtime(milestone.starts_at).date()
        milestone.notice_dates = []
        for d in sorted(milestone.notice_days or [], reverse=True):
            date = day - datetime.timedelta(days=d)
            if (milestone.pk, d) in sent:
                state = NOTICE_SENT
            elif date >= today:
                state = NOTICE_TO_COME
            else:
                state = NOTICE_SKIPPED
            milestone.notice_dates.append({"date": date, "state": state})
    return milestones


def outbox(program) -> dict:
    return Notification.objects.filter(program=program).aggregate(
        pending=Count("pk", filter=Q(status=Notification.Status.PENDING)),
        failed=Count("pk", filter=Q(status=Notification.Status.FAILED)),
        sent=Count("pk", filter=Q(status=Notification.Status.SENT)),
    )


def evaluations(program) -> dict:
    """Each survey with its response rates, and the headline scores half-time against final."""
    surveys = list(Survey.objects.filter(program=program).order_by("opens_at", "pk"))
    ids = [s.pk for s in surveys]
    counts = response_counts(ids)
    scores = headline_scores(ids)
    people = participants([program.pk]).get(program.pk, {})
    invited = {role: sum(1 for r in people.values() if r == role) for role in Role.values}
    for survey in surveys:
        sent = counts.get(survey.pk, {})
        survey.rates = []
        for key, label in GROUPS[1:]:
            n, of = sent.get(key, 0), invited[key]
            survey.rates.append(
                {"label": label, "sent": n, "of": of, "percent": round(100 * n / of) if of else 0}
            )
        total, of = sum(sent.values()), sum(invited.values())
        survey.rates.append(
            {
                "label": _("Everyone"),
                "sent": total,
                "of": of,
                "percent": round(100 * total / of) if of else 0,
            }
        )
        survey.scores = scores[survey.pk]
    by_phase = {s.phase: s for s in surveys}
    half, final = by_phase.get(Survey.Phase.HALF_TIME), by_phase.get(Survey.Phase.FINAL)
    headline = [
        {
            "label": label,
            "half_time": half.scores[key] if half else None,
            "final": final.scores[key] if final else None,
        }
        for key, label in GROUPS
    ]
    return {"surveys": surveys, "headline": headline, "half": half, "final": final}


def _edition(program, steps, months, final) -> dict:
    """One column of the editions side by side."""
    completed = steps[5]
    return {
        "program": program,
        "adepts_applied": steps[0]["adepts"],
        "mentors_applied": steps[0]["mentors"],
        "adepts_matched": steps[3]["adepts"],
        "completed": completed["pairs"],
        "pairs": completed["of"],
        "held": sum(month.held for month in months),
        "expected": sum(month.expected for month in months),
        "final": final,
    }


def side_by_side(program, steps, months, final) -> dict | None:
    """This edition beside the one it was made from (programs' "next edition"): the funnel's
    headline, meetings held against the plan, the final evaluation's headline score, and how
    many of this edition's applicants applied to the previous one too. A fixed number of
    queries: the previous edition's figures are made as this one's."""
    previous = program.previous_edition
    if previous is None:
        return None
    survey = Survey.objects.filter(program=previous, phase=Survey.Phase.FINAL).first()
    earlier = headline_scores([survey.pk])[survey.pk][ALL] if survey else None
    returning = (
        Application.objects.filter(program=program)
        .exclude(status=Application.Status.DRAFT)
        .filter(applicant__applications__program=previous)
        .values("applicant")
        .distinct()
        .count()
    )
    return {
        "editions": [
            _edition(program, steps, months, final),
            _edition(previous, funnel(previous), meetings_per_month(previous), earlier),
        ],
        "returning": returning,
    }


def program_dashboard(program, now=None) -> dict:
    now = now or timezone.now()
    steps = funnel(program)
    months = meetings_per_month(program)
    surveys = evaluations(program)
    final = surveys["final"].scores[ALL] if surveys["final"] else None
    return {
        "funnel": steps,
        "months": months,
        "chart": chart(months),
        "at_risk": at_risk(program, now),
        "milestones": upcoming(program, now),
        "line_manager_meetings": line_manager_meetings(program),
        "quality": match_quality(program),
        "outbox": outbox(program),
        **surveys,
        "compared": side_by_side(program, steps, months, final),
        "now": now,
    }
