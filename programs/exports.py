"""CSV export of applications for coordinators."""

from __future__ import annotations

import csv

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def applications_csv(applications, *, with_letters: bool) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="applications-{stamp}.csv"'
    response.write("\ufeff")  # so that Excel reads the file as UTF-8
    writer = csv.writer(response)
    header = [
        _("Program"), _("Role"), _("Status"), _("Name"), _("E-mail"), _("Organisation"),
        _("Unit or leadership team"), _("Job title"), _("Manager with staff since"),
        _("Months as manager at start"), _("Eligible"), _("Direct reports"), _("Focus areas"),
        _("Meeting format"), _("Region or town"), _("Languages"), _("Adepts you can take"),
        _("Other wishes"), _("Submitted"), _("Decided"),
    ]  # fmt: skip
    if with_letters:
        header.append(_("Motivation letter"))
    writer.writerow(header)
    for a in applications:
        row = [
            a.program.name,
            a.get_role_display(),
            a.get_status_display(),
            a.applicant.full_name,
            a.applicant.email,
            a.organization or "",
            a.unit,
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
        if with_letters:
            row.append(a.letter)
        writer.writerow([safe_cell(value) for value in row])
    return response
