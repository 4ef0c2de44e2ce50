"""What the app holds about a person, declared by each app that holds it (pretix's data
shredders are the model). Each app's `privacy.py` registers, from its AppConfig.ready(), one
`Holder`: the sections it adds to a person's data export, how it erases the person's data when
the account closes, how it ages out a program's data past the retention, and for every model
of its own that points at a user whether it is exported or why not. `accounts` loops over the
registry and imports none of the apps; a test fails when a model related to a user is in no
holder. Import it only once the models are loaded (from a ready() or a view), as allauth's
models are imported here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.db import models
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Holder:
    app: str
    # section name in the export -> (user) -> JSON-ready data
    export: dict[str, Callable] = field(default_factory=dict)
    # (user, now) -> None: remove or anonymise what identifies the person
    erase: Callable | None = None
    # (program_ids, now) -> rows aged out in programs past their retention
    age_out: Callable | None = None
    # labels of the models whose rows about the person the export carries
    exported: frozenset[str] = frozenset()
    # label of a model related to a user -> why it is not in the export
    excluded: dict[str, str] = field(default_factory=dict)


HOLDERS: dict[str, Holder] = {}


def register(holder: Holder) -> None:
    HOLDERS[holder.app] = holder


def holders() -> list[Holder]:
    """From the bottom of the house up: the order of INSTALLED_APPS."""
    order = {config.name: index for index, config in enumerate(apps.get_app_configs())}
    return sorted(HOLDERS.values(), key=lambda holder: order.get(holder.app, len(order)))


def user_data(user) -> dict:
    """Everything the app holds about `user`, section by section: the right of access and
    portability."""
    return {name: build(user) for holder in holders() for name, build in holder.export.items()}


def erase(user, now) -> None:
    """From the top of the house down: what points at a row goes before the row (a pair's log
    before the pair, the pair before the application, the outbox after the e-mails that ending a
    pair writes, the account last)."""
    for holder in reversed(holders()):
        if holder.erase:
            holder.erase(user, now)


def age_out(program_ids, now) -> int:
    return sum(holder.age_out(program_ids, now) or 0 for holder in holders() if holder.age_out)


def exported_models() -> set[str]:
    return {label for holder in HOLDERS.values() for label in holder.exported}


def excluded_models() -> dict[str, str]:
    return {label: why for holder in HOLDERS.values() for label, why in holder.excluded.items()}


def rows(queryset, fields=None, exclude=()) -> list[dict]:
    """A queryset as export rows: the model's own fields, less `exclude`. Related objects of
    a many-to-many field (an application's focus areas) are given by their names."""
    return [
        {
            k: [str(item) for item in v]
            if isinstance(v, list | tuple) and v and isinstance(v[0], models.Model)
            else v
            for k, v in model_to_dict(obj, fields=fields).items()
            if k not in exclude
        }
        for obj in queryset
    ]


# --------------------------------------------------------------------------------------------
# The account itself
# --------------------------------------------------------------------------------------------


def _profile(user) -> dict:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "language": user.language,
        "monthly_reminders": user.monthly_reminders,
        "meeting_reminders": user.meeting_reminders,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }


def _email_addresses(user) -> list[dict]:
    return rows(EmailAddress.objects.filter(user=user), ["email", "verified"])


def _erase(user, now) -> None:
    Authenticator.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    for session in UserSession.objects.filter(user=user):
        session.end()
    user.email = f"deleted-{user.pk}@invalid.example"
    user.full_name = _("Deleted user")
    user.is_active = False
    user.set_unusable_password()
    user.save()


HOLDER = Holder(
    app="accounts",
    export={"profile": _profile, "email_addresses": _email_addresses},
    erase=_erase,
    exported=frozenset({"accounts.user", "account.emailaddress"}),
    excluded={
        "admin.logentry": "The admin's own history of staff edits; the audit trail covers it.",
        "account.emailconfirmation": "A one-time token, not data about the person.",
        "mfa.authenticator": "Secrets of the second factor: exporting them would weaken it.",
        "usersessions.usersession": "Shown on the sessions page; IP addresses of the past days.",
    },
)
