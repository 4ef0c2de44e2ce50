"""The export of applications for coordinators, as CSV or Excel."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from audit.services import audit_many
from mentorship.spreadsheets import Sheet

from .models import Question


def applications_export(applications, *, with_letters: bool, by, kind="csv") -> HttpResponse:
    """The applications as a spreadsheet; the export is written to each program's audit
    trail here, so no caller can export without it."""
    audit_many(
        actor=by,
        action=AuditEntry.Action.EXPORT,
        entries=[
            (program, None, "applications with letters" if with_letters else "applications")
            for program in applications.values_list("program_id", flat=True).distinct()
        ],
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    writer = Sheet(f"applications-{stamp}", kind)
    header = [
        _("Program"), _("Role"), _("Status"), _("Name"), _("E-mail"), _("Organisation"),
        _("Unit or leadership team"), _("Job title"), _("Manager with staff since"),
        _("Months as manager at start"), _("Eligible"), _("Direct reports"), _("Focus areas"),
        _("Meeting format"), _("Region or town"), _("Languages"), _("Adepts you can take"),
        _("Other wishes"), _("Submitted"), _("Decided"),
    ]  # fmt: skip
    # The programs' own questions, a column each, after the fixed ones.
    questions = list(
        Question.objects.filter(program__in=applications.values("program"))
        .select_related("program")
        .order_by("program__name", "position", "pk")
    )
    several = len({q.program_id for q in questions}) > 1
    header += [f"{q.program.name}: {q.text}" if several else q.text for q in questions]
    if with_letters:
        header.append(_("Motivation letter"))
    writer.writerow(header)
    applications = applications.prefetch_related("answers__options", "answers__question")
    for a in applications:
        row = [
            a.program.name,
            a.get_role_display(),
            a.get_status_display(),
            a.applicant.full_name,
            a.applicant.email,
            a.organization or "",
            a.unit.path if a.unit else "",
            a.job_title,
            a.manager_since.isoformat() if a.manager_since else "",
            a.manager_months_at_start(),
            _("Yes") if a.is_eligible() else _("No"),
            a.direct_reports,
            ", ".join(area.name for area in a.focus_areas.all()),
            a.get_meeting_format_display(),
            a.region,
            ", ".join(a.languages),
            a.mentor_capacity or "",
            a.wishes,
            timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M") if a.submitted_at else "",
            timezone.localtime(a.decided_at).strftime("%Y-%m-%d %H:%M") if a.decided_at else "",
        ]
        answers = {answer.question_id: answer for answer in a.answers.all()}
        row += [answers[q.pk].cell() if q.pk in answers else "" for q in questions]
        if with_letters:
            row.append(a.letter)
        writer.writerow(row)
    return writer.response()
