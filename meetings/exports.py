"""The pairs' activity as a spreadsheet for coordinators: dates and counts, never content."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext

from audit.models import AuditEntry
from audit.services import audit_many
from mentorship.spreadsheets import Sheet


def pair_activity_export(pairs, *, by, kind="csv") -> HttpResponse:
    """`pairs` annotated as the admin's pair activity is (with_activity and the counts). The
    export is written to each program's audit trail here."""
    audit_many(
        actor=by,
        action=AuditEntry.Action.EXPORT,
        entries=[(program, None, "pair activity") for program in {p.program_id for p in pairs}],
    )
    writer = Sheet("pair-activity", kind)
    writer.writerow(
        [
            gettext("Program"), gettext("Adept"), gettext("Mentor"), gettext("Status"),
            gettext("Meetings held"), gettext("Meetings planned"), gettext("Last meeting"),
            gettext("No meeting for 45 days"), gettext("Goals"),
        ]
    )  # fmt: skip
    for pair in pairs:
        writer.writerow(
            (
                pair.program.name,
                pair.adept.applicant.full_name,
                pair.mentor.applicant.full_name,
                pair.get_status_display(),
                pair.held_count,
                pair.planned_count,
                timezone.localtime(pair.last).date() if pair.last else "",
                gettext("Yes") if pair.stalled else gettext("No"),
                pair.goal_count,
            )
        )
    return writer.response()
