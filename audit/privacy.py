"""The audit trail names people as actors; it is not exported and stays on erasure."""

from __future__ import annotations

from accounts.privacy import Holder

HOLDER = Holder(
    app="audit",
    excluded={"audit.auditentry": "Coordinators' actions, readable by the program's coordinators."},
)
