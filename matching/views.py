from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.decorators import coordinator_required
from mentorship.errors import ServiceError
from programs.models import Application, FocusArea, Program, Role
from programs.services import applications_decide, applications_move_to_bank

from . import preferences as round_
from . import pulse as pulse_
from . import services
from .explain import explain, unmatched_reason
from .forms import (
    AddPairForm,
    AskLineManagersForm,
    ConsultationForm,
    PreferencesForm,
    PulseForm,
    RematchForm,
)
from .models import Match, Preference, RematchRequest

APPLICATION_RELATED = ["applicant", "organization", "program", "unit__parent"]


def _matches(program, statuses):
    areas = FocusArea.objects.order_by("code")
    related = [f"{side}__{name}" for side in ("adept", "mentor") for name in APPLICATION_RELATED]
    open_requests = RematchRequest.objects.filter(handled_at__isnull=True).select_related(
        "requested_by"
    )
    return (
        Match.objects.filter(program=program, status__in=statuses)
        .select_related(*related)
        .prefetch_related(
            Prefetch("adept__focus_areas", queryset=areas),
            Prefetch("mentor__focus_areas", queryset=areas),
            Prefetch("rematch_requests", queryset=open_requests, to_attr="open_requests"),
        )
        .order_by("-locked", "-score", "pk")
    )


# The rules whose "same unit" takes in the units under the same parent.
_BY_PARENT = (Program.PairingRule.DIFFERENT_UNIT_GROUP,)


def _unmatched(entries, matched, program):
    """Run entries with their applications, for the lists of who was left out; people
    matched by hand since the run are no longer listed."""
    applications = Application.objects.filter(
        pk__in=[e["application"] for e in entries], status=Application.Status.ACCEPTED
    ).select_related("applicant", "organization", "unit__parent")
    by_pk = {a.pk: a for a in applications}
    return [
        {
            "application": by_pk[e["application"]],
            "reason": unmatched_reason(e, units_by_parent=program.pairing_rule in _BY_PARENT),
        }
        for e in entries
        if e["application"] in by_pk and e["application"] not in matched
    ]


def _program(request, slug, methods):
    """The program, if the user coordinates it (else a 404, whatever the method), and the
    methods this page takes."""
    program = get_object_or_404(Program.objects.coordinated_by(request.user), slug=slug)
    if request.method not in methods:
        return program, HttpResponseNotAllowed(methods)
    return program, None


@coordinator_required
def review(request, slug):
    program, refused = _program(request, slug, ["GET", "HEAD"])
    if refused:
        return refused
    run = program.matching_runs.first()
    proposed = list(_matches(program, [Match.Status.PROPOSED]))
    live = list(_matches(program, [Match.Status.PUBLISHED]))
    matched = {m.adept_id for m in proposed + live} | {m.mentor_id for m in proposed + live}
    _ranks_for(program, proposed + live)
    for match in proposed + live:
        match.explanation = explain(match)
    consult = services.asks_line_managers(program)
    if consult:
        services.consultations_for(proposed)
    today = timezone.localdate()
    context = {
        "consult": consult,
        "today": today,
        "consultations": _consultation_counts(proposed, today) if consult else None,
        "ask_form": AskLineManagersForm(prefix="ask") if consult else None,
        "program": program,
        "run": run,
        "proposed": proposed,
        "live": live,
        "total": sum(m.score for m in proposed),
        "average": sum(m.score for m in proposed) / len(proposed) if proposed else 0,
        "unmatched_adepts": _unmatched(run.unmatched_adepts if run else [], matched, program),
        "unmatched_mentors": _unmatched(run.unmatched_mentors if run else [], matched, program),
        "add_form": AddPairForm(program=program),
    }
    return render(request, "matching/review.html", context)


def _ranks_for(program, matches) -> None:
    """Sets `adept_rank` and `mentor_rank` on each match: the rank each gave the other in the
    preference round (None: not ranked), for the explanation. One query."""
    for match in matches:
        match.adept_rank = match.mentor_rank = None
    if not program.preferences_open_at or not matches:
        return
    given = {
        (ranker, candidate): rank
        for ranker, candidate, rank in Preference.objects.filter(
            ranker__program=program, rank__isnull=False
        ).values_list("ranker_id", "candidate_id", "rank")
    }
    for match in matches:
        match.adept_rank = given.get((match.adept_id, match.mentor_id))
        match.mentor_rank = given.get((match.mentor_id, match.adept_id))


def _consultation_counts(proposed, today) -> dict:
    """What the line managers said of the proposed pairs, for the line above the list."""
    counts = {"agreed": 0, "concern": 0, "waiting": 0, "silent": 0, "unasked": 0}
    for match in proposed:
        consultation = match.consultation
        if consultation is None:
            counts["unasked"] += 1
        elif consultation.silent(today):
            counts["silent"] += 1
        else:
            counts[consultation.answer] += 1
    return counts


def _pk(value) -> int:
    """An id from a form; anything else (tampered, empty, huge) is a 404."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:
        raise Http404
    return pk


def _warn_below_minimum(request, program, matches) -> None:
    """A pair made by hand may score below the program's minimum: allowed, but said."""
    for match in matches:
        if match.score < program.matching_min_score:
            messages.warning(
                request,
                _(
                    "%(adept)s and %(mentor)s score %(score)s, below the program's minimum of "
                    "%(minimum)s. The pair stays if you keep it."
                )
                % {
                    "adept": match.adept.applicant.full_name,
                    "mentor": match.mentor.applicant.full_name,
                    "score": floatformat(match.score, 0),
                    "minimum": floatformat(program.matching_min_score, 0),
                },
            )


@coordinator_required
def run_status(request, slug):
    """The latest run's status, for the review page to show its progress without reloading
    (and so without moving the reader's focus)."""
    program, refused = _program(request, slug, ["GET", "HEAD"])
    if refused:
        return refused
    run = program.matching_runs.first()
    if run is None:
        return JsonResponse({"status": None, "label": "", "progress": 0, "in_progress": False})
    return JsonResponse(
        {
            "status": run.status,
            "label": str(run.get_status_display()),
            "progress": run.progress,
            "in_progress": run.in_progress,
        }
    )


def review_action(view):
    """A coordinator's action from the review screen: a POST by a coordinator of the program
    (another program is a 404), through its service; a rule that says no is shown, and the
    coordinator is back on the review either way."""

    @coordinator_required
    @wraps(view)
    def act(request, slug):
        program, refused = _program(request, slug, ["POST"])
        if refused:
            return refused
        try:
            view(request, program)
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("matching:review", slug=program.slug)

    return act


def _pairs(request, program, *fields):
    """The program's pairs named by these POST fields, in one query; any id that is not one
    of them is a 404."""
    pks = [_pk(request.POST.get(field)) for field in fields]
    pairs = (
        Match.objects.filter(program=program, pk__in=pks)
        .select_related(
            "adept__applicant",
            "adept__program",
            "adept__unit",
            "mentor__applicant",
            "mentor__program",
            "mentor__unit",
            "program",
        )
        .prefetch_related("adept__focus_areas", "mentor__focus_areas")
    )
    by_pk = {pair.pk: pair for pair in pairs}
    if not set(pks) <= set(by_pk):
        raise Http404
    return [by_pk[pk] for pk in pks]


def _match(request, program):
    return _pairs(request, program, "match")[0]


@review_action
def run(request, program):
    run = services.matching_start(program=program, by=request.user)
    if run.in_progress:
        messages.info(request, _("Matching has started; this page shows its progress."))
    else:
        messages.success(
            request,
            ngettext(
                "Matching is done: %(pairs)d pair proposed.",
                "Matching is done: %(pairs)d pairs proposed.",
                run.pairs,
            )
            % {"pairs": run.pairs},
        )


@review_action
def publish(request, program):
    # Publishing e-mails everyone in the pairs: the coordinator confirms it first.
    if request.POST.get("confirm") != "yes":
        messages.error(
            request,
            _("Nothing was published: tick the box to confirm that everyone may be e-mailed now."),
        )
        return
    count = services.matches_publish(program=program, by=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d pair published; both people get an introduction by e-mail.",
            "%(count)d pairs published; everyone gets an introduction by e-mail.",
            count,
        )
        % {"count": count},
    )


@review_action
def ask_line_managers(request, program):
    form = AskLineManagersForm(request.POST, prefix="ask")
    if not form.is_valid():
        raise ServiceError(" ".join(form.errors["answer_by"]))
    asked, before = services.line_managers_ask(
        program=program, answer_by=form.cleaned_data["answer_by"], by=request.user
    )
    if asked:
        messages.success(
            request,
            ngettext(
                "%(count)d line manager has been asked about the match by e-mail.",
                "%(count)d line managers have been asked about the match by e-mail.",
                asked,
            )
            % {"count": asked},
        )
    else:
        messages.info(
            request,
            _("Every line manager had been asked already; nobody was e-mailed.")
            if before
            else _("No proposed adept has named a line manager; nobody was e-mailed."),
        )


def line_manager_match(request, token):
    """The line manager's view of the proposed mentor, from the e-mail's link and without a
    login: the mentor's name, organisation and role (never a letter), and agreement or a
    concern that only the coordinators read."""
    consultation, expired = services.consultation_of(token)
    if consultation is None:
        raise Http404
    is_open = services.consultation_open(consultation) and not expired
    form = ConsultationForm(
        request.POST if request.method == "POST" and is_open else None,
        initial={"answer": consultation.answer if consultation.answered_at else None,
                 "concern": consultation.concern},
    )  # fmt: skip
    if form.is_valid():
        try:
            services.consultation_answer(
                consultation=consultation,
                answer=form.cleaned_data["answer"],
                concern=form.cleaned_data["concern"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Thank you: your answer is saved, and the coordinators see it.")
            )
            return redirect(request.path)
    return render(
        request,
        "matching/line_manager_match.html",
        {
            "consultation": consultation,
            "match": consultation.match,
            "mentor": consultation.mentor,
            "form": form,
            "is_open": is_open,
            "expired": expired,
        },
    )


@review_action
def lock(request, program):
    services.match_set_locked(match=_match(request, program), locked=True, by=request.user)
    messages.success(request, _("The pair is locked."))


@review_action
def unlock(request, program):
    services.match_set_locked(match=_match(request, program), locked=False, by=request.user)
    messages.success(request, _("The pair is unlocked."))


@review_action
def remove(request, program):
    services.match_remove(match=_match(request, program), by=request.user)
    messages.success(request, _("The pair is removed."))


@review_action
def swap(request, program):
    first, second = _pairs(request, program, "match", "other")
    services.match_swap(first=first, second=second, by=request.user)
    messages.success(request, _("The mentors are swapped; both pairs are locked."))
    _warn_below_minimum(request, program, [first, second])


@review_action
def add(request, program):
    form = AddPairForm(request.POST, program=program)
    if not form.is_valid():
        raise ServiceError(_("Choose an accepted adept and an accepted mentor."))
    added = services.match_add(
        program=program,
        adept=form.cleaned_data["adept"],
        mentor=form.cleaned_data["mentor"],
        by=request.user,
    )
    messages.success(request, _("The pair is added and locked."))
    _warn_below_minimum(request, program, [added])


@review_action
def end(request, program):
    match = _match(request, program)
    services.match_end(match=match, by=request.user, reason=request.POST.get("reason", ""))
    messages.success(
        request,
        _(
            "The match has ended; the two will not be matched again. Run matching to find new "
            "pairs."
        ),
    )


def _unmatched_accepted(program, key):
    """The accepted applications a run left out, less those matched by hand since."""
    run = program.matching_runs.first()
    matched = Match.objects.filter(program=program).live()
    return (
        Application.objects.filter(
            program=program,
            status=Application.Status.ACCEPTED,
            pk__in=[e["application"] for e in (getattr(run, key, None) or [])],
        )
        .exclude(pk__in=matched.values("adept"))
        .exclude(pk__in=matched.values("mentor"))
    )


def _moved(request, changed: int, errors: list[str], done: str) -> None:
    for error in errors:
        messages.error(request, error)
    messages.success(request, done % {"count": changed})


@review_action
def waitlist_adepts(request, program):
    changed, errors = applications_decide(
        applications=_unmatched_accepted(program, "unmatched_adepts"),
        decision=Application.Status.WAITLISTED,
        by=request.user,
    )
    done = ngettext(
        "%(count)d unmatched adept moved to the waiting list.",
        "%(count)d unmatched adepts moved to the waiting list.",
        changed,
    )
    _moved(request, changed, errors, done)


@review_action
def bank_mentors(request, program):
    changed, errors = applications_move_to_bank(
        applications=_unmatched_accepted(program, "unmatched_mentors"), by=request.user
    )
    done = ngettext(
        "%(count)d unmatched mentor moved to the mentor bank.",
        "%(count)d unmatched mentors moved to the mentor bank.",
        changed,
    )
    _moved(request, changed, errors, done)


# The coordinator's actions on the review, one view and one URL each (matching/urls.py).
REVIEW_ACTIONS = (
    "run", "publish", "lock", "unlock", "remove", "swap", "add", "end", "waitlist_adepts",
    "bank_mentors", "ask_line_managers",
)  # fmt: skip


@login_required
def rematch(request, pk):
    match = get_object_or_404(
        Match.objects.for_user(request.user).select_related(
            "program", "adept__applicant", "mentor__applicant"
        ),
        pk=pk,
    )
    mine = match.adept if match.adept.applicant_id == request.user.pk else match.mentor
    form = RematchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reason = form.cleaned_data["reason"]
            services.rematch_request(match=match, user=request.user, reason=reason)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Your request has been sent to the coordinators. They will contact you."),
            )
            return redirect(mine)
    return render(request, "matching/rematch.html", {"match": match, "form": form, "mine": mine})


@login_required
def pulse(request, pk):
    """The match-quality check: two questions about the pair, which the other one does not
    see; after a low answer, the way to a new match is right there."""
    match = get_object_or_404(
        Match.objects.for_user(request.user).select_related(
            "program", "adept__applicant", "mentor__applicant"
        ),
        pk=pk,
    )
    given = match.pulses.filter(respondent=request.user).first()
    form = PulseForm(
        request.POST if request.method == "POST" else None,
        initial={"working": given.working, "talk": given.talk} if given else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            given = pulse_.pulse_answer(
                match=match, user=request.user, working=form.cleaned_data["working"],
                talk=form.cleaned_data["talk"],
            )  # fmt: skip
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Thank you. The coordinators will contact you.")
                if given.flagged
                else _("Thank you for your answer."),
            )
            return redirect("matching:pulse", pk=match.pk)
    other = match.mentor if match.adept.applicant_id == request.user.pk else match.adept
    return render(
        request,
        "matching/pulse.html",
        {"match": match, "form": form, "given": given, "other": other},
    )


@login_required
def preferences(request, slug):
    """The person's shortlist in the preference round: their best candidates by the engine's
    score (names and organisations hidden in a blind shortlist), a rank for each, "rather
    not", and for an adept a mentor they wish for. Someone who does not rank here finds
    nothing."""
    application = next(
        (
            a
            for a in Application.objects.filter(
                applicant=request.user, program__slug=slug, status=Application.Status.ACCEPTED
            ).select_related("program")
            if round_.ranks_for(a)
        ),
        None,
    )
    if application is None or not application.program.preferences_open_at:
        raise Http404
    program = application.program
    people = services.participants(program)
    candidates = round_.shortlist(application, people)
    # The candidates as the page shows them: their focus areas by name (the engine's load
    # holds only ids), in one query each.
    shown = Application.objects.select_related("applicant", "organization", "program")
    shown = shown.prefetch_related("focus_areas").in_bulk([c.application.pk for c in candidates])
    for candidate in candidates:
        candidate.application = shown[candidate.application.pk]
    blind = program.blind_shortlist
    labels = [
        _("candidate %(number)d") % {"number": n} if blind else c.application.applicant.full_name
        for n, c in enumerate(candidates, start=1)
    ]
    is_adept = application.role == Role.ADEPT
    wishable = round_.wishable_mentors(application, people) if is_adept else []
    named = next((p.candidate_id for p in application.preferences_given.all() if p.named), None)
    is_open = program.preference_round_open()
    form = PreferencesForm(
        request.POST if request.method == "POST" and is_open else None,
        candidates=candidates,
        labels=labels,
        depth=program.shortlist_size,
        wishable=wishable,
        initial={"presentation": application.presentation, "named": named},
    )
    if form.is_valid():
        try:
            round_.preferences_save(
                application=application,
                user=request.user,
                ranks=form.ranks(),
                rather_not=form.rather_not(),
                named=form.cleaned_data.get("named"),
                allowed={c.application.pk for c in candidates},
                wishable={m.pk for m in wishable},
                presentation=form.cleaned_data["presentation"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Your preferences are saved. You can change them until %(date)s.")
                % {"date": date_format(timezone.localtime(program.preferences_close_at),
                                       "DATETIME_FORMAT")},
            )  # fmt: skip
            return redirect("matching:preferences", slug=slug)
    rows = [
        {
            "candidate": c,
            "label": label,
            "rank": form[f"rank_{c.application.pk}"],
            "rather_not": form[f"rather_not_{c.application.pk}"],
        }
        for c, label in zip(candidates, labels, strict=True)
    ]
    return render(
        request,
        "matching/preferences.html",
        {
            "application": application,
            "program": program,
            "rows": rows,
            "form": form,
            "is_open": is_open,
            "is_adept": is_adept,
            "blind": blind,
            "now": timezone.now(),
        },
    )
