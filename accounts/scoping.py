"""One scoping vocabulary: a coordinator sees what belongs to the programs they coordinate (a
superuser all of it, anyone else nothing). In a program run by several organisations, an
organisation's own coordinator (programs.OrganizationCoordinator) also sees what concerns its
people, where the model says which organisation that is."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q

from .models import is_coordinator


class CoordinatorScopedQuerySet(models.QuerySet):
    """`for_coordinator(user)` for a model that belongs to a program.

    `program_path` is the lookup from the model to its program: `"program"` for a model with a
    key of its own, `""` for Program itself. `organization_paths` are the lookups from the
    model to the organisations of the people it concerns; without any, only the program's
    lead coordinators see it (the settings, the matching, the surveys).
    """

    program_path = "program"
    organization_paths: tuple[str, ...] = ()

    def for_coordinator(self, user):
        if not is_coordinator(user):
            return self.none()
        if user.is_superuser:
            return self
        path = f"{self.program_path}__" if self.program_path else ""
        leads = Q(**{f"{path}coordinators": user})
        reach = self.organization_reach(user)
        if reach is None:
            return self.filter(leads)
        # Subqueries both ways, so a row with several coordinators is there once.
        program = self.program_path or "pk"
        leads = Q(**{f"{program}__in": user.coordinated_programs.values("pk")})
        return self.filter(leads | reach)

    def organization_reach(self, user) -> Q | None:
        """What an organisation's own coordinator sees besides the leads' programs."""
        if not self.organization_paths:
            return None
        roles = user.organization_roles.all()
        program = self.program_path or "pk"
        return Q(
            *(
                Exists(roles.filter(program=OuterRef(program), organization=OuterRef(path)))
                for path in self.organization_paths
            ),
            _connector=Q.OR,
        )
