"""What the outbox knows of the apps, and all it knows: each app registers, from its
AppConfig.ready(), its kinds of e-mail (a label and the context builder that renders one),
the loaders for the objects its contexts name by id, and its planning sweeps. The outbox
imports no domain app; a new e-mail touches only its own app (and its three templates, which
a system check asks for).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class EmailKind:
    name: str
    label: str
    # (notification, cache) -> the template context; cache holds what `preload` fetched.
    context: Callable[..., dict]
    # templates/email/<template>_subject.txt, <template>.txt and <template>.html
    template: str
    # The context holds a link or code that works once: emptied when the e-mail is sent.
    once: bool = False


KINDS: dict[str, EmailKind] = {}
# context key -> (ids -> {id: object}), one query for a batch of e-mails
LOADERS: dict[str, Callable] = {}
# (now=..., programs=...) -> rows planned; run by the hourly planning task
SWEEPS: list[Callable] = []


def register_email(
    name: str, *, label, context: Callable, template: str | None = None, once: bool = False
) -> None:
    KINDS[name] = EmailKind(
        name=name, label=label, context=context, template=template or name, once=once
    )


def register_loader(key: str, load: Callable) -> None:
    LOADERS[key] = load


def register_sweep(sweep: Callable) -> Callable:
    if sweep not in SWEEPS:
        SWEEPS.append(sweep)
    return sweep


def label(name: str) -> str:
    kind = KINDS.get(name)
    return str(kind.label) if kind else name


class Kinds:
    """`Notification.Kind.INTRODUCTION` is "introduction" once an app registered it: the
    constants read as before, and exist only for the kinds some app sends."""

    def __getattr__(self, attribute: str) -> str:
        name = attribute.lower()
        if attribute.isupper() and name in KINDS:
            return name
        raise AttributeError(attribute)

    @property
    def values(self) -> list[str]:
        return list(KINDS)

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(name, kind.label) for name, kind in KINDS.items()]
