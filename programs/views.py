from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorship.errors import ServiceError

from . import services
from .forms import ApplicationForm, LineManagerForm, answer_value
from .models import Application, MentorBankEntry, Program, Question, Role


def program_list(request):
    now = timezone.now()
    programs = Program.objects.select_related("owner").order_by("applications_close_at", "name")
    return render(
        request,
        "programs/program_list.html",
        {
            "open_programs": programs.open_for_applications(now),
            "upcoming_programs": programs.upcoming(now).order_by("applications_open_at"),
        },
    )


def program_detail(request, slug):
    program = get_object_or_404(
        Program.objects.for_user(request.user)
        .select_related("owner")
        .prefetch_related("organizations", "focus_areas", "milestones"),
        slug=slug,
    )
    now = timezone.now()
    return render(
        request,
        "programs/program_detail.html",
        {
            "program": program,
            "is_open": program.is_open(now),
            "opens_later": program.opens_later(now),
        },
    )


def privacy(request, slug):
    program = get_object_or_404(
        Program.objects.for_user(request.user)
        .select_related("owner")
        .prefetch_related("coordinators"),
        slug=slug,
    )
    return render(request, "programs/privacy.html", {"program": program})


# --------------------------------------------------------------------------------------------
# Applying
# --------------------------------------------------------------------------------------------


def _bank_initial(user, program) -> dict:
    """Pre-fill a mentor's application from their mentor bank entry."""
    entry = (
        MentorBankEntry.objects.filter(mentor=user, application__isnull=False)
        .select_related("application")
        .order_by(Case(When(owner_id=program.owner_id, then=0), default=1), "-joined_at")
        .first()
    )
    if entry is None:
        return {}  # added from the coordinators' list: nothing of theirs to fill in from
    return {**_initial_from(entry.application, program), "consent_bank": True}


def _initial_from(source: Application, program: Program) -> dict:
    """Pre-fill an application from the person's own earlier one. The answers carry over;
    membership is confirmed anew for each program, and an organisation or focus area the new
    program lacks is simply not pre-selected."""
    related = {"organization", "focus_areas", "membership_confirmed"}
    initial = {
        name: getattr(source, name) for name in ApplicationForm.Meta.fields if name not in related
    }
    initial["organization"] = source.organization_id
    initial["focus_areas"] = [area.pk for area in source.focus_areas.all()]
    return {**initial, **_answers_initial(source, program)}


def _wording(row) -> tuple:
    return (row.text_sv, row.text_en, row.text_da)


def _answers_initial(source: Application, program: Program) -> dict:
    """The earlier answers to the questions this program asks in the same words (a next
    edition's questions are copies), picks matched by their wording too."""
    earlier = {
        (a.question.kind, _wording(a.question)): a
        for a in source.answers.select_related("question").prefetch_related("options")
    }
    initial = {}
    for question in program.questions.all():
        answer = earlier.get((question.kind, _wording(question)))
        if answer is None:
            continue
        if question.kind in Question.PICKED:
            options = {_wording(o): str(o.pk) for o in question.options.all()}
            picked = [options[w] for w in map(_wording, answer.options.all()) if w in options]
            value = picked if question.kind == Question.Kind.CHOICES else next(iter(picked), None)
        else:
            value = answer_value(question, answer)
        initial[f"question_{question.pk}"] = value
    return initial


def _earlier_initial(user, program, role, pk) -> dict:
    """Pre-fill from the earlier application an invitation names, if it is the person's own
    in the same role; anything else (an id that is not theirs, or not a number) fills in
    nothing."""
    if not pk.isdigit() or len(pk) > 18:  # not an id (a longer number is beyond any column)
        return {}
    source = Application.objects.for_user(user).filter(pk=pk, role=role).first()
    return _initial_from(source, program) if source else {}


def _application_form(request, application, initial=None):
    program = application.program
    submitting = "submit" in request.POST
    form = ApplicationForm(
        request.POST or None,
        instance=application,
        initial=initial,
        program=program,
        role=application.role,
        submitting=submitting,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.application_save(
                application=form.instance,
                user=request.user,
                focus_areas=data.get("focus_areas") or [],
                consent_processing=data.get("consent_processing", False),
                consent_bank=data.get("consent_bank", False),
                proposed_unit=data.get("proposed_unit", ""),
                answers=form.answers(),
                submit=submitting,
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            if application.status == Application.Status.SUBMITTED:
                messages.success(request, program.words["submitted"])
            else:
                messages.success(
                    request,
                    _(
                        "Your draft has been saved. It is not submitted yet: come back and "
                        "submit it before the deadline."
                    ),
                )
            return redirect(application)
    return render(
        request,
        "programs/application_form.html",
        {"form": form, "application": application, "program": program},
    )


@login_required
def apply(request, slug, role):
    if role not in Role.values:
        raise Http404
    program = get_object_or_404(
        Program.objects.for_user(request.user).prefetch_related(
            "organizations", "focus_areas", "questions__options"
        ),
        slug=slug,
    )
    existing = Application.objects.for_user(request.user).filter(program=program, role=role)
    if existing := existing.first():
        return redirect(existing)
    if not program.is_open():
        messages.error(
            request, _("%(program)s is not open for applications.") % {"program": program}
        )
        return redirect(program)
    application = Application(program=program, applicant=request.user, role=role)
    initial = None
    if role == Role.MENTOR and request.GET.get("from_bank"):
        initial = _bank_initial(request.user, program)
    elif request.GET.get("from"):
        initial = _earlier_initial(request.user, program, role, request.GET["from"])
    from_earlier = bool(initial)
    if not initial:
        # Someone on the coordinators' own list: what it says of them.
        initial = services.invitation_initial(request.user, program, role)
    if initial and request.method == "GET":
        messages.info(
            request,
            _(
                "The form is filled in from your earlier application. Check it, change what "
                "has changed and submit it."
            )
            if from_earlier
            else _(
                "Your organisation and job title are filled in from the coordinators' list. "
                "Check them and write the rest."
            ),
        )
    return _application_form(request, application, initial)


@login_required
def application_detail(request, pk):
    application = get_object_or_404(
        Application.objects.for_user(request.user)
        .select_related("program", "organization", "unit__parent", "line_manager_support")
        .prefetch_related(
            "focus_areas",
            "program__organizations",
            "program__focus_areas",
            "program__questions__options",
            "answers__options",
            "answers__question",
        ),
        pk=pk,
    )
    if application.is_editable():
        return _application_form(request, application)
    if request.method == "POST":
        messages.error(request, application.program.words["locked"])
        return redirect(application)
    return render(
        request,
        "programs/application_detail.html",
        {"application": application},
    )


@login_required
def application_withdraw(request, pk):
    application = get_object_or_404(
        Application.objects.for_user(request.user).select_related("program"), pk=pk
    )
    if request.method == "POST":
        try:
            services.application_withdraw(application=application, user=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, application.program.words["withdrawn"])
        return redirect("programs:my_applications")
    question = application.program.words["withdraw_question"] % {
        "program": application.program.name,
        "role": application.get_role_display().lower(),
    }
    return render(
        request,
        "programs/application_withdraw.html",
        {"application": application, "question": question},
    )


@login_required
def my_applications(request):
    applications = (
        Application.objects.for_user(request.user)
        .select_related("program")
        .order_by("-program__starts_on", "role")
    )
    return render(request, "programs/my_applications.html", {"applications": applications})


@login_required
def mentor_bank(request):
    """The banks the person is in, why, the offers they were sent, and the way out of each."""
    entries = list(
        MentorBankEntry.objects.filter(mentor=request.user)
        .select_related("owner", "application__program")
        .order_by("owner__name")
    )
    if request.method == "POST":
        # One bank (its button names it), or every bank when none is named.
        owner = request.POST.get("owner")
        if owner is None:
            left = services.mentor_bank_leave(user=request.user)
        elif owner.isdigit() and len(owner) < 10:
            left = services.mentor_bank_leave(user=request.user, owner_id=int(owner))
        else:
            left = 0
        if left:
            messages.success(request, _("You have left the mentor bank."))
        return redirect("programs:mentor_bank")
    offers = services.bank_offers_sent(request.user) if entries else []
    return render(request, "programs/mentor_bank.html", {"entries": entries, "offers": offers})


def mentor_bank_leave(request, token):
    """The link out of one organisation's bank in every e-mail to it: it works without
    logging in, and asks once before it takes the person out (a mail scanner that follows
    links only sees the question)."""
    entry = services.bank_leave_entry(token)
    left = request.method == "POST" and entry is not None
    if left:
        services.mentor_bank_leave(user=entry.mentor, owner_id=entry.owner_id)
    return render(request, "programs/mentor_bank_leave.html", {"entry": entry, "left": left})


def line_manager(request, token):
    """The line manager's answer to an adept's application, from the e-mail's link and
    without a login: what they are asked about (never the letter), and support or not. The
    link is the key; another one, or a made-up one, finds nothing."""
    support, expired = services.line_manager_support_of(token)
    if support is None:
        raise Http404
    application = support.application
    form = LineManagerForm(
        request.POST if request.method == "POST" and not expired else None,
        initial={"answer": support.answer if support.answered_at else None,
                 "reason": support.reason},
    )  # fmt: skip
    if form.is_valid():
        try:
            services.line_manager_answer(
                support=support,
                answer=form.cleaned_data["answer"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Thank you: your answer is saved, and the coordinators see it.")
                if support.answer == support.Answer.SUPPORTED
                else _("Your answer is saved; the coordinators see it before they decide."),
            )
            return redirect(request.path)
    return render(
        request,
        "programs/line_manager.html",
        {"support": support, "application": application, "form": form, "expired": expired},
    )
