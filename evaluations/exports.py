"""An evaluation's results as a spreadsheet, with the anonymity rule of the results page."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from audit.services import audit
from mentorship.spreadsheets import Sheet

from .results import survey_results


def results_export(survey, *, by, kind="csv") -> HttpResponse:
    """The results, question by question and group by group; groups of fewer than three are
    not shown. The export is written to the program's audit trail here, so no caller can
    export without it."""
    audit(
        actor=by,
        action=AuditEntry.Action.EXPORT,
        program=survey.program,
        obj=survey,
        detail="evaluation results",
    )
    writer = Sheet(f"evaluation-{survey.program.slug}-{survey.phase}", kind)
    writer.writerow(
        [_("No."), _("Question"), _("Kind"), _("Group"), _("Answers"), _("Average"),
         _("Option"), _("Count"), _("Share (%)"), _("Free text")]
    )  # fmt: skip
    for number, result in enumerate(survey_results(survey), start=1):
        question = result.question
        start = [number, question.text, question.get_kind_display()]
        for group in result.groups:
            if not group.shown:
                note = _("Fewer than 3 answers: not shown.") if group.count else ""
                writer.writerow([*start, group.label, "", "", "", "", "", note])
                continue
            average = f"{group.average:.2f}" if group.average is not None else ""
            writer.writerow([*start, group.label, group.count, average, "", "", "", ""])
            for label, count, percent in group.distribution:
                writer.writerow([*start, group.label, "", "", label, count, percent, ""])
        for group in result.text_groups:
            for text in group.texts:
                writer.writerow([*start, group.label, "", "", "", "", "", text])
    return writer.response()
