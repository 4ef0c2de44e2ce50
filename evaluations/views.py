from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.decorators import coordinator_required
from mentorship.errors import ServiceError
from programs.models import Program

from . import exports, services
from .dashboard import program_dashboard
from .forms import AnswerForm
from .models import Question, Response, Survey
from .results import response_counts, survey_results


def _mine(user):
    return Prefetch("responses", queryset=Response.objects.filter(respondent=user), to_attr="mine")


@login_required
def survey_list(request):
    """The participant's evaluations: open ones to answer, and what they have sent."""
    surveys = list(
        Survey.objects.for_user(request.user)
        .select_related("program", "milestone")
        .prefetch_related(_mine(request.user))
        .order_by("-opens_at")
    )
    now = timezone.now()
    for survey in surveys:
        survey.response = survey.mine[0] if survey.mine else None
        survey.open_now = survey.is_open(now)
    return render(request, "evaluations/survey_list.html", {"surveys": surveys})


@login_required
def answer(request, pk):
    survey = get_object_or_404(
        Survey.objects.for_user(request.user)
        .select_related("program", "milestone")
        .prefetch_related(_mine(request.user)),
        pk=pk,
    )
    response = survey.mine[0] if survey.mine else None
    questions = list(survey.questions.all())
    now = timezone.now()
    closed = survey.has_closed(now)
    until = services.when(survey.closes_at)
    if request.method == "POST" and not closed:
        sending = request.POST.get("action") == "send" or bool(response and response.submitted_at)
        form = AnswerForm(request.POST, questions=questions, sending=sending)
        if form.is_valid():
            try:
                saved = services.response_save(
                    survey=survey, user=request.user, answers=form.answers(), submit=sending
                )
            except ServiceError as error:
                messages.error(request, error.message)
            else:
                if saved.submitted_at:
                    messages.success(request, _("Thank you: your answers are sent."))
                else:
                    messages.success(request, _("Your answers are saved."))
                return redirect("evaluations:answer", pk=survey.pk)
        else:
            messages.error(request, _("Some answers need your attention; see below."))
    else:
        if request.method == "POST":
            messages.error(request, services.closed_message(survey))
        form = AnswerForm(
            questions=questions,
            sending=False,
            disabled=closed,
            initial={f"q{k}": v for k, v in services.answers_of(response).items()},
        )
    context = {
        "survey": survey,
        "response": response,
        "form": form,
        "closed": closed,
        "until": until,
        "has_required": any(q.required for q in questions),
    }
    return render(request, "evaluations/answer.html", context)


def _coordinated(request, pk):
    return get_object_or_404(
        Survey.objects.for_coordinator(request.user).select_related("program", "milestone"), pk=pk
    )


@coordinator_required
def results(request, pk):
    survey = _coordinated(request, pk)
    counts = response_counts([survey.pk]).get(survey.pk, {})
    people = services.participants([survey.program_id]).get(survey.program_id, {})
    context = {
        "survey": survey,
        "program": survey.program,
        "results": survey_results(survey),
        "sent": sum(counts.values()),
        "invited": len(people),
        "kinds": Question.Kind,
    }
    return render(request, "evaluations/results.html", context)


@coordinator_required
def results_export(request, pk, kind):
    return exports.results_export(_coordinated(request, pk), by=request.user, kind=kind)


@coordinator_required
def dashboard(request, slug):
    program = get_object_or_404(
        Program.objects.coordinated_by(request.user).select_related("previous_edition"),
        slug=slug,
    )
    context = {"program": program, **program_dashboard(program)}
    return render(request, "evaluations/dashboard.html", context)
