"""Lists coordinators keep in spreadsheets, imported in two steps: a plan that says, row by
row, what would change, and, once the coordinator has read it, the same plan carried out.

The plan is made again from the file's rows when it is carried out, so what is saved is
what the database allows at that moment, never a stale preview.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from audit.models import AuditEntry
from audit.services import audit
from mentorship.errors import ServiceError

from . import services
from .models import (
    Application,
    MentorBankEntry,
    Organization,
    OrganizationCoordinator,
    Program,
    Role,
    Unit,
)

SALT = "programs.imports.units"
# How long a preview can be carried out after it was shown.
PREVIEW_SECONDS = 3600

# Column headings we recognise, in our three languages, whatever the case.
HEADINGS = {
    "organization": {"organisation", "organization", "organisationer", "arbetsgivare", "myndighet"},
    "name": {"unit", "enhet", "enhed", "name", "namn", "navn", "unit or leadership team",
             "enhet eller ledningsgrupp", "enhed eller ledelsesteam", "ledelsesteam"},
    "parent": {"parent", "part of", "del av", "del af", "överordnad", "overordnet",
               "överordnad enhet", "overordnet enhed"},
}  # fmt: skip

ACTIONS = {
    "new": gettext_lazy("new"),
    "new_organization": gettext_lazy("new, with a new organisation"),
    "parent": gettext_lazy("moved under another unit"),
    "unchanged": gettext_lazy("already in the list"),
    "error": gettext_lazy("not imported"),
}


@dataclass
class UnitRow:
    line: int
    organization: str
    name: str
    parent: str
    action: str = ""
    message: str = ""

    @property
    def action_label(self) -> str:
        return str(ACTIONS[self.action])


@dataclass
class Plan:
    """What an import would do, row by row; `changing` names the actions that change
    something."""

    rows: list = field(default_factory=list)
    changing: ClassVar[tuple[str, ...]] = ()

    def count(self, *actions) -> int:
        return sum(row.action in actions for row in self.rows)

    @property
    def changes(self) -> int:
        return self.count(*self.changing)

    @property
    def errors(self) -> int:
        return self.count("error")


class UnitPlan(Plan):
    changing = ("new", "new_organization", "parent")


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _columns(header: list[str], organization) -> tuple[dict[str, int], bool]:
    """Which column holds what, and whether the first row is a heading row."""
    found = {}
    for index, cell in enumerate(header):
        for name, words in HEADINGS.items():
            if _key(cell) in words and name not in found:
                found[name] = index
    if "name" in found:
        return found, True
    # No heading row: the columns in the order the import page describes.
    order = ["name", "parent"] if organization else ["organization", "name", "parent"]
    return {name: index for index, name in enumerate(order)}, False


def changeable_organizations(user):
    """The organisations whose units this user may change: every one for a superuser; for a
    coordinator, those that no program they do not coordinate uses (as the admin rules)."""
    if user.is_superuser:
        return Organization.objects.all()
    others = Program.objects.exclude(coordinators=user)
    return Organization.objects.exclude(
        Q(programs__in=others) | Q(owned_programs__in=others)
    ).distinct()


def plan_units(rows: list[list[str]], *, user, organization: Organization | None = None):
    """What importing these rows would do. `organization` is the one every row belongs to,
    when the file has no organisation column."""
    plan = UnitPlan()
    if not rows:
        return plan
    columns, has_heading = _columns(rows[0], organization)
    body = rows[1:] if has_heading else rows
    first_line = 2 if has_heading else 1

    def cell(row, name):
        index = columns.get(name)
        return " ".join(row[index].split()) if index is not None and index < len(row) else ""

    parsed = []
    for offset, row in enumerate(body):
        org_name = cell(row, "organization") or (organization.name if organization else "")
        parsed.append(
            UnitRow(first_line + offset, org_name, cell(row, "name"), cell(row, "parent"))
        )

    names = {_key(r.organization) for r in parsed if r.organization}
    organizations = {_key(o.name): o for o in Organization.objects.all() if _key(o.name) in names}
    allowed = set(
        changeable_organizations(user)
        .filter(pk__in=[o.pk for o in organizations.values()])
        .values_list("pk", flat=True)
    )
    existing = {
        (unit.organization_id, _key(unit.name)): unit
        for unit in Unit.objects.filter(organization__in=organizations.values()).select_related(
            "parent"
        )
    }
    in_file = {(_key(r.organization), _key(r.name)) for r in parsed if r.name}
    seen = set()
    for row in parsed:
        org = organizations.get(_key(row.organization))
        key = (_key(row.organization), _key(row.name))
        row.action, row.message = _decide(row, org, allowed, existing, in_file, seen)
        seen.add(key)
        plan.rows.append(row)
    return plan


def _decide(row, org, allowed, existing, in_file, seen) -> tuple[str, str]:
    """What importing one row does, and why where it needs saying."""
    if not row.name:
        return "error", _("The unit has no name.")
    if not row.organization:
        return "error", _("The row names no organisation.")
    if org is not None and org.pk not in allowed:
        return "error", _(
            "Programs you do not coordinate use this organisation; its units are changed "
            "by their coordinators together or an administrator."
        )
    if (_key(row.organization), _key(row.name)) in seen:
        return "unchanged", _("The file names this unit twice.")
    if _key(row.parent) == _key(row.name):
        return "error", _("A unit cannot be part of itself.")
    if (
        row.parent
        and (_key(row.organization), _key(row.parent)) not in in_file
        and (org is None or (org.pk, _key(row.parent)) not in existing)
    ):
        return "error", _("%(parent)s is neither in the organisation's list nor in the file.") % {
            "parent": row.parent
        }
    if org is None:
        return "new_organization", ""
    unit = existing.get((org.pk, _key(row.name)))
    if unit is None:
        return "new", ""
    now = _key(unit.parent.name) if unit.parent_id else ""
    if row.parent and _key(row.parent) != now:
        return "parent", _("Now under %(parent)s.") % {
            "parent": unit.parent.name if unit.parent_id else "–"
        }
    return "unchanged", ""


@transaction.atomic
def apply_units(plan: UnitPlan, *, user) -> int:
    """Carry out a plan's changes in a few statements whatever the file's length; rows in
    error are left out. Returns how many units were added or moved."""
    todo = [row for row in plan.rows if row.action in plan.changing]
    if not todo:
        return 0
    names = {_key(row.organization): row.organization for row in todo}
    organizations = {_key(o.name): o for o in Organization.objects.all() if _key(o.name) in names}
    Organization.objects.bulk_create(
        [Organization(name=name) for key, name in names.items() if key not in organizations]
    )
    organizations = {_key(o.name): o for o in Organization.objects.all() if _key(o.name) in names}

    def existing():
        return {
            (u.organization_id, _key(u.name)): u
            for u in Unit.objects.filter(organization__in=organizations.values())
        }

    units = existing()
    Unit.objects.bulk_create(
        [
            Unit(organization=organizations[_key(row.organization)], name=row.name)
            for row in {
                (organizations[_key(r.organization)].pk, _key(r.name)): r for r in todo
            }.values()
            if (organizations[_key(row.organization)].pk, _key(row.name)) not in units
        ]
    )
    units = existing()
    # Parents once every unit of the file exists, so that the order of the rows is free.
    moved = []
    for row in todo:
        org = organizations[_key(row.organization)]
        unit = units[(org.pk, _key(row.name))]
        unit.confirmed = True
        if row.parent:
            unit.parent_id = units[(org.pk, _key(row.parent))].pk
        moved.append(unit)
    by_pk = {unit.pk: unit for unit in units.values()}
    for unit in moved:
        seen, step = {unit.pk}, unit.parent_id
        while step is not None:
            if step in seen:
                raise ServiceError(
                    _("%(unit)s: a unit cannot be part of itself.") % {"unit": unit.name}
                )
            seen.add(step)
            step = by_pk[step].parent_id
    Unit.objects.bulk_update(moved, ["parent", "confirmed"])
    audit(
        actor=user,
        action=AuditEntry.Action.UNITS_CHANGED,
        detail=_("%(count)d units imported") % {"count": len(moved)},
    )
    return len(moved)


def sign_program_rows(rows: list[list[str]], program: Program, salt: str) -> str:
    return signing.dumps({"rows": rows, "program": program.pk}, salt=salt, compress=True)


def unsign_program_rows(token: str, program: Program, salt: str) -> list[list[str]]:
    """The rows a preview of one of this program's imports was made from;
    signing.BadSignature if tampered, too old or made for another program."""
    data = signing.loads(token, salt=salt, max_age=PREVIEW_SECONDS)
    if data["program"] != program.pk:
        raise signing.BadSignature("another program")
    return data["rows"]


def sign_rows(rows: list[list[str]], organization: Organization | None) -> str:
    return signing.dumps(
        {"rows": rows, "organization": organization.pk if organization else None},
        salt=SALT,
        compress=True,
    )


def unsign_rows(token: str) -> tuple[list[list[str]], int | None]:
    """The rows a preview was made from; signing.BadSignature if tampered or too old."""
    data = signing.loads(token, salt=SALT, max_age=PREVIEW_SECONDS)
    return data["rows"], data["organization"]


# --------------------------------------------------------------------------------------------
# Coordinators: a network's HR contacts, one row each
# --------------------------------------------------------------------------------------------

COORDINATOR_SALT = "programs.imports.coordinators"

COORDINATOR_HEADINGS = {
    "email": {"e-mail", "email", "e-post", "epost", "e-postadress", "e-mailadresse", "mail",
              "e-mail address", "adress", "adresse"},
    "name": {"name", "namn", "navn", "full name", "fullständigt namn", "fulde navn"},
    "organization": HEADINGS["organization"] | {"organisation (empty: the whole program)"},
}  # fmt: skip

COORDINATOR_ACTIONS = {
    "new": gettext_lazy("invited, with a new account"),
    "existing": gettext_lazy("invited, with their account"),
    "unchanged": gettext_lazy("coordinates already"),
    "error": gettext_lazy("not imported"),
}


@dataclass
class CoordinatorRow:
    line: int
    email: str
    name: str
    organization: str
    action: str = ""
    message: str = ""
    organization_id: int | None = None

    @property
    def action_label(self) -> str:
        return str(COORDINATOR_ACTIONS[self.action])


class CoordinatorPlan(Plan):
    changing = ("new", "existing")


def plan_coordinators(rows: list[list[str]], *, program: Program) -> CoordinatorPlan:
    """What importing these rows into the program's coordinators would do: each row an
    e-mail address, a name and, for a coordinator of one organisation, its name (empty: they
    lead the whole program with its coordinators). A few queries whatever the file's length."""
    plan = CoordinatorPlan()
    parsed = [
        CoordinatorRow(line, cells["email"], cells["name"], cells["organization"])
        for line, cells in _people_rows(rows, COORDINATOR_HEADINGS)
    ]
    organizations = _taking_part(program)
    accounts = _accounts(row.email for row in parsed)
    known = {
        "leads": set(program.coordinators.values_list("pk", flat=True)),
        "roles": set(
            OrganizationCoordinator.objects.filter(program=program).values_list(
                "user_id", "organization_id"
            )
        ),
        "seen": set(),
    }
    for row in parsed:
        organization = organizations.get(_key(row.organization)) if row.organization else None
        if organization:
            row.organization, row.organization_id = organization.name, organization.pk
        row.action, row.message = _coordinator_decision(
            row, organization, accounts.get(row.email.lower()), known
        )
        known["seen"].add((row.email.lower(), row.organization_id))
        plan.rows.append(row)
    return plan


def _people_rows(rows: list[list[str]], headings: dict[str, set[str]]):
    """(line number, {column: cell}) for each row of people that is not empty: the columns
    by a first row of headings where it has an e-mail heading, else in the order of
    `headings`."""
    if not rows:
        return
    found: dict[str, int] = {}
    for index, cell in enumerate(rows[0]):
        for name, words in headings.items():
            if _key(cell) in words and name not in found:
                found[name] = index
    has_heading = "email" in found
    columns = found if has_heading else {name: index for index, name in enumerate(headings)}
    first_line = 2 if has_heading else 1
    for offset, row in enumerate(rows[1:] if has_heading else rows):
        if any(value.strip() for value in row):
            yield (
                first_line + offset,
                {
                    name: " ".join(row[columns[name]].split())
                    if name in columns and columns[name] < len(row)
                    else ""
                    for name in headings
                },
            )


def _taking_part(program: Program) -> dict[str, Organization]:
    """The program's organisations by the names a list may use: the name or the short one."""
    organizations: dict[str, Organization] = {}
    for organization in program.organizations.all():
        organizations[_key(organization.name)] = organization
        if organization.short_name:
            organizations.setdefault(_key(organization.short_name), organization)
    return organizations


def _address_error(email: str, user) -> str:
    """Why a person's row cannot be imported for its address or account, or ""."""
    try:
        validate_email(email)
    except ValidationError:
        if not email:
            return _("The row has no e-mail address.")
        return _("%(email)s is not an e-mail address.") % {"email": email}
    if user is not None and not user.is_active:
        return _("That account is closed; ask an administrator.")
    return ""


def _accounts(emails) -> dict:
    return {
        user.email.lower(): user
        for user in User.objects.alias(address=Lower("email")).filter(
            address__in={email.lower() for email in emails}
        )
    }


def _coordinator_decision(row, organization, user, known) -> tuple[str, str]:
    """What importing one coordinator's row does, and why where it needs saying."""
    if error := _address_error(row.email, user):
        return "error", error
    if row.organization and organization is None:
        return "error", _("%(organization)s does not take part in the program.") % {
            "organization": row.organization
        }
    if (row.email.lower(), row.organization_id) in known["seen"]:
        return "unchanged", _("The file names this person twice.")
    if user is None:
        return "new", ""
    if organization is None and user.pk in known["leads"]:
        return "unchanged", ""
    if organization is not None and (user.pk, organization.pk) in known["roles"]:
        return "unchanged", ""
    return "existing", ""


def apply_coordinators(plan: CoordinatorPlan, *, program: Program, by) -> int:
    """Invite every row the plan says to, each with one e-mail; returns how many."""
    todo = [row for row in plan.rows if row.action in plan.changing]
    organizations = Organization.objects.in_bulk({row.organization_id for row in todo} - {None})
    return services.coordinators_invite(
        program=program,
        people=[(row.email, row.name, organizations.get(row.organization_id)) for row in todo],
        by=by,
    )


# --------------------------------------------------------------------------------------------
# The mentor bank: the mentors an organisation keeps in a spreadsheet, one row each
# --------------------------------------------------------------------------------------------

BANK_SALT = "programs.imports.mentor_bank"

BANK_HEADINGS = {
    "email": COORDINATOR_HEADINGS["email"],
    "name": COORDINATOR_HEADINGS["name"],
    "note": {"note", "notering", "notat", "anteckning", "comment", "kommentar", "why", "varför",
             "hvorfor", "reason", "anledning", "grund"},
    "language": {"language", "språk", "sprog", "preferred language", "föredraget språk",
                 "foretrukket sprog"},
}  # fmt: skip

# What a language cell may say, in our three languages, for each language we write in.
LANGUAGE_WORDS = {
    "sv": {"sv", "svenska", "swedish", "svensk"},
    "da": {"da", "dansk", "danish", "danska"},
    "en": {"en", "english", "engelska", "engelsk"},
}

BANK_ACTIONS = {
    "new": gettext_lazy("added, with a new account"),
    "existing": gettext_lazy("added, with their account"),
    "unchanged": gettext_lazy("in the bank already"),
    "error": gettext_lazy("not imported"),
}

NOTE_LENGTH = MentorBankEntry._meta.get_field("note").max_length
JOB_TITLE_LENGTH = Application._meta.get_field("job_title").max_length


@dataclass
class BankRow:
    line: int
    email: str
    name: str
    note: str
    language: str
    action: str = ""
    message: str = ""

    @property
    def action_label(self) -> str:
        return str(BANK_ACTIONS[self.action])


class BankPlan(Plan):
    changing = ("new", "existing")


def plan_mentor_bank(rows: list[list[str]], *, program: Program) -> BankPlan:
    """What importing these rows into the mentor bank of the program's organisation would do:
    each row an e-mail address, a name, a note on why the mentor is in the bank and, for a
    person new to the app, the language their e-mails are to be in. A few queries whatever
    the file's length."""
    plan = BankPlan()
    parsed = [
        BankRow(line, cells["email"], cells["name"], cells["note"], cells["language"])
        for line, cells in _people_rows(rows, BANK_HEADINGS)
    ]
    accounts = _accounts(row.email for row in parsed)
    banked = set(
        MentorBankEntry.objects.filter(owner_id=program.owner_id).values_list(
            "mentor_id", flat=True
        )
    )
    seen: set[str] = set()
    for row in parsed:
        user = accounts.get(row.email.lower())
        row.action, row.message = _bank_decision(row, user, banked, seen)
        seen.add(row.email.lower())
        plan.rows.append(row)
    return plan


def _language(cell: str) -> str | None:
    """The language code a cell names ("" for an empty one), or None."""
    if not cell:
        return ""
    return next((code for code, words in LANGUAGE_WORDS.items() if _key(cell) in words), None)


def _bank_decision(row, user, banked, seen) -> tuple[str, str]:
    """What importing one mentor's row does, and why where it needs saying."""
    if error := _address_error(row.email, user):
        return "error", error
    language = _language(row.language)
    if language is None:
        return "error", _("%(language)s is not a language the app writes in (sv, da, en).") % {
            "language": row.language
        }
    row.language = language
    if len(row.note) > NOTE_LENGTH:
        return "error", _("The note is longer than %(count)d characters.") % {"count": NOTE_LENGTH}
    if row.email.lower() in seen:
        return "unchanged", _("The file names this person twice.")
    if user is None:
        if not row.name:
            return "error", _("Someone new to the app needs a name.")
        return "new", ""
    if user.pk in banked:
        return "unchanged", ""
    return "existing", ""


def apply_mentor_bank(plan: BankPlan, *, program: Program, by) -> int:
    """Add every row the plan says to, each with one e-mail; returns how many."""
    return services.mentor_bank_add(
        program=program,
        people=[
            (row.email, row.name, row.note, row.language)
            for row in plan.rows
            if row.action in plan.changing
        ],
        by=by,
    )


# --------------------------------------------------------------------------------------------
# Participants: the people a program's coordinators already have on a list, invited to apply
# --------------------------------------------------------------------------------------------

PARTICIPANT_SALT = "programs.imports.participants"

PARTICIPANT_HEADINGS = {
    "email": COORDINATOR_HEADINGS["email"],
    "name": COORDINATOR_HEADINGS["name"],
    "role": {"role", "roll", "rolle", "adept or mentor", "adept eller mentor",
             "mentee eller mentor"},
    "organization": HEADINGS["organization"],
    "unit": HEADINGS["name"] - {"name", "namn", "navn"},
    "job_title": {"job title", "title", "titel", "befattning", "stilling", "stillingsbetegnelse",
                  "jobbtitel", "tjänst"},
    "language": BANK_HEADINGS["language"],
}  # fmt: skip

ROLE_WORDS = {
    Role.ADEPT: {"adept", "adepter", "mentee", "mentees", "adepts"},
    Role.MENTOR: {"mentor", "mentorer", "mentors"},
}

PARTICIPANT_ACTIONS = {
    "new": gettext_lazy("invited, with a new account"),
    "existing": gettext_lazy("invited, with their account"),
    "unchanged": gettext_lazy("not invited again"),
    "error": gettext_lazy("not imported"),
}


@dataclass
class ParticipantRow:
    line: int
    email: str
    name: str
    role: str
    organization: str
    unit: str
    job_title: str
    language: str
    action: str = ""
    message: str = ""
    organization_id: int | None = None
    unit_id: int | None = None

    @property
    def action_label(self) -> str:
        return str(PARTICIPANT_ACTIONS[self.action])

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role in Role.values else self.role


class ParticipantPlan(Plan):
    changing = ("new", "existing")


def plan_participants(rows: list[list[str]], *, program: Program) -> ParticipantPlan:
    """What importing these rows as invitations to apply would do: each row an e-mail
    address, a name, the role (adept or mentor) and, to fill in the form, the organisation
    (one that takes part), its unit and the job title, and the language of a person new to
    the app. A few queries whatever the file's length."""
    plan = ParticipantPlan()
    parsed = [
        ParticipantRow(line, **cells) for line, cells in _people_rows(rows, PARTICIPANT_HEADINGS)
    ]
    organizations = _taking_part(program)
    units = {
        (unit.organization_id, _key(unit.name)): unit
        for unit in Unit.objects.filter(
            organization__in=set(organizations.values()), confirmed=True
        )
    }
    accounts = _accounts(row.email for row in parsed)
    taken = services.applied_or_invited(program)
    seen: set[tuple[str, str]] = set()
    for row in parsed:
        organization = organizations.get(_key(row.organization)) if row.organization else None
        if organization:
            row.organization, row.organization_id = organization.name, organization.pk
            unit = units.get((organization.pk, _key(row.unit))) if row.unit else None
            row.unit_id = unit.pk if unit else None
        user = accounts.get(row.email.lower())
        row.action, row.message = _participant_decision(row, organization, user, taken, seen)
        seen.add((row.email.lower(), row.role))
        plan.rows.append(row)
    return plan


def _role(cell: str) -> str | None:
    return next((role for role, words in ROLE_WORDS.items() if _key(cell) in words), None)


def _participant_decision(row, organization, user, taken, seen) -> tuple[str, str]:
    """What importing one participant's row does, and why where it needs saying."""
    if error := _address_error(row.email, user) or _participant_cells_error(row, organization):
        return "error", error
    if (row.email.lower(), row.role) in seen:
        return "unchanged", _("The file names this person twice.")
    if user is None:
        if not row.name:
            return "error", _("Someone new to the app needs a name.")
        return "new", _unit_note(row)
    if (user.pk, row.role) in taken:
        return "unchanged", _("They have applied or been invited in this role already.")
    return "existing", _unit_note(row)


def _participant_cells_error(row, organization) -> str:
    """Why the row's role, language, organisation or job title cannot be imported, or "";
    the role and the language are read into their codes."""
    role = _role(row.role)
    if role is None:
        if not row.role:
            return _("The row has no role (adept or mentor).")
        return _("%(role)s is not a role: write adept or mentor.") % {"role": row.role}
    row.role = role
    language = _language(row.language)
    if language is None:
        return _("%(language)s is not a language the app writes in (sv, da, en).") % {
            "language": row.language
        }
    row.language = language
    if row.organization and organization is None:
        return _("%(organization)s does not take part in the program.") % {
            "organization": row.organization
        }
    if len(row.job_title) > JOB_TITLE_LENGTH:
        return _("The job title is longer than %(count)d characters.") % {"count": JOB_TITLE_LENGTH}
    return ""


def _unit_note(row) -> str:
    if row.unit and row.unit_id is None:
        return _("%(unit)s is not in the organisation's list of units: they pick theirs.") % {
            "unit": row.unit
        }
    return ""


def apply_participants(plan: ParticipantPlan, *, program: Program, by) -> int:
    """Invite every row the plan says to, each with one e-mail; returns how many."""
    todo = [row for row in plan.rows if row.action in plan.changing]
    organizations = Organization.objects.in_bulk({row.organization_id for row in todo} - {None})
    units = Unit.objects.in_bulk({row.unit_id for row in todo} - {None})
    return services.participants_invite(
        program=program,
        people=[
            (
                row.email,
                row.name,
                row.role,
                organizations.get(row.organization_id),
                units.get(row.unit_id),
                row.job_title,
                row.language,
            )
            for row in todo
        ],
        by=by,
    )
