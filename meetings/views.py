from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from matching.models import Match
from mentorship.errors import ServiceError
from programs.models import Application, LineManagerSupport, Milestone, Role
from programs.services import line_manager_withdraw

from . import services
from .calendar import feed_calendar, ics_response, meeting_calendar
from .forms import CommentForm, GoalForm, MeetingForm
from .models import CalendarFeed, Goal, GoalComment, Meeting

PAIR = ["program", "adept__applicant", "adept__organization", "mentor__applicant",
        "mentor__organization"]  # fmt: skip


def _my_matches(user):
    return Match.objects.for_user(user).select_related(*PAIR)


def _match(request, pk):
    return get_object_or_404(_my_matches(request.user), pk=pk)


def _back(match, anchor=""):
    return redirect(f"{reverse('meetings:mentorship', kwargs={'pk': match.pk})}{anchor}")


@login_required
def mentorship_list(request):
    matches = list(_my_matches(request.user).order_by("-published_at"))
    if len(matches) == 1:
        return _back(matches[0])
    return render(request, "meetings/mentorship_list.html", {"matches": matches})


@login_required
def mentorship(request, pk):
    match = _match(request, pk)
    user = request.user
    is_adept = match.adept.applicant_id == user.pk
    meetings = list(
        match.meetings.select_related("created_by", "updated_by").order_by("starts_at", "pk")
    )
    goals = match.goals.prefetch_related(
        Prefetch("comments", queryset=GoalComment.objects.select_related("author"))
    )
    role = Role.ADEPT if is_adept else Role.MENTOR
    milestones = list(match.program.milestones.for_role(role))
    now = timezone.now()
    writable = match.status == Match.Status.PUBLISHED
    return render(
        request,
        "meetings/mentorship.html",
        {
            "match": match,
            "is_adept": is_adept,
            "other": match.mentor if is_adept else match.adept,
            "writable": writable,
            "goals": goals,
            "meetings": meetings,
            "milestones": milestones,
            "next_milestone": next((m for m in milestones if m.starts_at >= now), None),
            "progress": services.mentorship_progress(match, meetings),
            "line_manager": services.line_manager_of(match),
            "planning_booked": any(
                m.kind == Meeting.Kind.PLANNING
                for m in meetings
                if m.status != Meeting.Status.CANCELLED
            ),
            "goal_form": GoalForm(prefix="goal") if writable and is_adept else None,
            "comment_form": CommentForm() if writable else None,
        },
    )


@login_required
def goal_edit(request, pk, goal_id=None):
    match = _match(request, pk)
    goal = get_object_or_404(match.goals, pk=goal_id) if goal_id else Goal(match=match)
    form = GoalForm(request.POST or None, instance=goal, prefix="goal")
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_save(goal=form.instance, user=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The goal has been saved."))
        return _back(match, "#goals")
    return render(request, "meetings/goal_form.html", {"match": match, "form": form, "goal": goal})


@login_required
@require_POST
def goal_move(request, pk, goal_id):
    match = _match(request, pk)
    goal = get_object_or_404(match.goals, pk=goal_id)
    try:
        services.goal_move(goal=goal, user=request.user, up=request.POST.get("direction") == "up")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return _back(match, "#goals")


@login_required
@require_POST
def goal_comment(request, pk, goal_id):
    match = _match(request, pk)
    goal = get_object_or_404(match.goals, pk=goal_id)
    form = CommentForm(request.POST)
    try:
        if not form.is_valid():
            # The form says what is wrong (too long, an invisible character); else: empty.
            said = " ".join(str(error) for error in form.errors.get("text", []))
            raise ServiceError(said or _("Write a comment of at most 2,000 characters."))
        services.goal_comment(goal=goal, user=request.user, text=form.cleaned_data["text"])
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your comment has been saved."))
    return _back(match, f"#goal-{goal.pk}")


def _meeting_form(request, match, meeting):
    form = MeetingForm(
        request.POST or None,
        instance=meeting,
        line_manager=services.line_manager_of(match) is not None,
    )
    action = request.POST.get("action", "save")
    if request.method == "POST" and form.is_valid():
        status = {
            "held": Meeting.Status.HELD,
            "cancel": Meeting.Status.CANCELLED,
            "plan": Meeting.Status.PLANNED,
        }.get(action)
        try:
            services.meeting_save(meeting=form.instance, user=request.user, status=status)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                {
                    "held": _("The meeting is logged as held."),
                    "cancel": _("The meeting is cancelled."),
                }.get(action, _("The meeting has been saved.")),
            )
            return _back(match, "#meetings")
    return render(
        request,
        "meetings/meeting_form.html",
        {
            "match": match,
            "form": form,
            "meeting": meeting,
            "writable": match.status == Match.Status.PUBLISHED,
        },
    )


@login_required
def meeting_add(request, pk):
    match = _match(request, pk)
    return _meeting_form(request, match, Meeting(match=match))


@login_required
def meeting(request, meeting_id):
    meeting = get_object_or_404(
        Meeting.objects.for_user(request.user).select_related(
            *(f"match__{name}" for name in PAIR), "match", "created_by", "updated_by"
        ),
        pk=meeting_id,
    )
    return _meeting_form(request, meeting.match, meeting)


@login_required
def meeting_ics(request, meeting_id):
    meeting = get_object_or_404(
        Meeting.objects.for_user(request.user).select_related(
            "match__adept__applicant", "match__mentor__applicant"
        ),
        pk=meeting_id,
    )
    return ics_response(meeting_calendar(meeting), f"meeting-{meeting.pk}.ics")


@login_required
def calendar_settings(request):
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(user=request.user)
            messages.success(request, _("The calendar address has been turned off."))
        else:
            services.calendar_feed_renew(user=request.user)
            messages.success(
                request, _("Your new calendar address is ready. Any old address no longer works.")
            )
        return redirect("meetings:calendar")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = request.build_absolute_uri(feed.get_absolute_url()) if feed else ""
    return render(request, "meetings/calendar.html", {"feed": feed, "feed_url": url})


def feed(request, token):
    """The secret calendar address: no login, the token is the key."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    user = feed.user
    matches = Match.objects.for_user(user).filter(status=Match.Status.PUBLISHED)
    meetings = (
        Meeting.objects.filter(match__in=matches)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("match__adept__applicant", "match__mentor__applicant")
    )
    as_adept = matches.filter(adept__applicant=user).values("program")
    as_mentor = matches.filter(mentor__applicant=user).values("program")
    milestones = (
        Milestone.objects.for_role(Role.ADEPT).filter(program__in=as_adept)
        | Milestone.objects.for_role(Role.MENTOR).filter(program__in=as_mentor)
    ).select_related("program")
    with translation.override(user.language):
        return ics_response(feed_calendar(meetings, milestones), "mentorship.ics")


def _supported(user):
    """The line manager's people: the applications they were asked to support, not
    withdrawn by the adept."""
    return LineManagerSupport.objects.filter(manager=user).exclude(
        application__status__in=[Application.Status.DRAFT, Application.Status.WITHDRAWN]
    )


@login_required
def line_manager_page(request):
    """The line manager's page: the people they support, each one's program and mentor, the
    program's dates and the meetings they are invited to (time and place only), whom to ask,
    and how to withdraw their support. Someone who supports nobody finds nothing."""
    supports = list(
        _supported(request.user)
        .select_related("application__applicant", "application__program",
                        "application__organization")
        .prefetch_related(
            "application__program__coordinators",
            Prefetch("application__program__milestones",
                     queryset=Milestone.objects.for_role(Role.ADEPT), to_attr="adept_milestones"),
        )
        .order_by("-asked_at")
    )  # fmt: skip
    if not supports:
        raise Http404
    adepts = [support.application_id for support in supports]
    matches = {
        match.adept_id: match
        for match in Match.objects.filter(adept__in=adepts, status__in=Match.MATCHED)
        .select_related("mentor__applicant", "mentor__organization")
        .order_by("published_at")
    }
    meetings: dict[int, list[Meeting]] = {}
    # Only the time, place and kind of the meetings they join: never an agenda or notes.
    for meeting in (
        Meeting.objects.filter(
            match__in=[m.pk for m in matches.values()],
            kind__in=[Meeting.Kind.PLANNING, Meeting.Kind.EVALUATION],
        )
        .only("match", "kind", "starts_at", "duration_minutes", "meeting_format", "location",
              "status")
        .order_by("starts_at")
    ):  # fmt: skip
        meetings.setdefault(meeting.match_id, []).append(meeting)
    for support in supports:
        support.match = matches.get(support.application_id)
        support.meetings = meetings.get(support.match.pk, []) if support.match else []
    return render(request, "meetings/line_manager.html", {"supports": supports})


@login_required
@require_POST
def line_manager_withdraw_view(request, pk):
    support = get_object_or_404(
        _supported(request.user).select_related("application__applicant"), pk=pk
    )
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Nothing was changed: tick the box to confirm."))
    else:
        try:
            line_manager_withdraw(support=support, user=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("You no longer support %(adept)s's taking part; the coordinators see it.")
                % {"adept": support.application.applicant.full_name},
            )
    return redirect("meetings:line_manager_page")
