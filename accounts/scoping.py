"""One scoping vocabulary: a coordinator sees what belongs to the programs they coordinate (a
superuser all of it, anyone else nothing)."""

from __future__ import annotations

from django.db import models

from .models import is_coordinator


class CoordinatorScopedQuerySet(models.QuerySet):
    """`for_coordinator(user)` for a model that belongs to a program.

    `program_path` is the lookup from the model to its program: `"program"` for a model with a
    key of its own, `""` for Program itself.
    """

    program_path = "program"

    def for_coordinator(self, user):
        if not is_coordinator(user):
            return self.none()
        if user.is_superuser:
            return self
        path = f"{self.program_path}__" if self.program_path else ""
        return self.filter(**{f"{path}coordinators": user})
