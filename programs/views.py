from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from .models import Program


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
