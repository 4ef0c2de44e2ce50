"""Writing the audit trail. Details name what happened, never what people wrote."""

from __future__ import annotations

from .models import AuditEntry


def audit(*, actor, action: str, program=None, obj=None, detail: str = "") -> None:
    audit_many(actor=actor, action=action, entries=[(program, obj, detail)])


def audit_many(*, actor, action: str, entries) -> None:
    """entries: (program, object, detail) triples, written in one statement."""
    AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=actor if getattr(actor, "pk", None) else None,
            action=action,
            program_id=getattr(program, "pk", program),
            object_type=obj._meta.model_name if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            detail=str(detail)[:300],
        )
        for program, obj, detail in entries
    )
