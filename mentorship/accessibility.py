"""The accessibility statement's facts, read from accessibility.toml beside this file: the
page /accessibility/ shows them, and the browser sweep allows exactly the engine findings the
file lists (and fails on a listed one it no longer finds)."""

from __future__ import annotations

import datetime
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language

FILE = Path(__file__).with_name("accessibility.toml")
STATUSES = ("full", "partial", "none")


def _in(texts: dict[str, str], language: str) -> str:
    text = " ".join((texts.get(language) or texts.get("en") or "").split())
    # What the settings decide is said as they decide it.
    return text.replace("{hours}", str(round(settings.SESSION_ABSOLUTE_SECONDS / 3600)))


@dataclass(frozen=True)
class Finding:
    criterion: str
    engine: str
    rule: str
    pages: str
    barrier: bool
    where: dict[str, str]
    reason: dict[str, str]
    alternative: dict[str, str]

    def covers(self, engine: str, label: str, finding: str) -> bool:
        """Whether this entry accounts for an engine's finding on the page of that label."""
        return (
            engine == self.engine
            and finding.startswith(self.rule)
            and re.search(self.pages, label) is not None
        )

    def shown(self, language: str) -> dict[str, str]:
        return {
            "criterion": self.criterion,
            "where": _in(self.where, language),
            "reason": _in(self.reason, language),
            "alternative": _in(self.alternative, language),
        }


@dataclass(frozen=True)
class Statement:
    status: str
    prepared: datetime.date
    reviewed: datetime.date
    answer_days: int
    method: dict[str, str]
    findings: tuple[Finding, ...]

    def barriers(self) -> list[Finding]:
        return [f for f in self.findings if f.barrier]


@cache
def statement() -> Statement:
    data = tomllib.loads(FILE.read_text())
    findings = tuple(
        Finding(
            criterion=entry["criterion"],
            engine=entry.get("engine", ""),
            rule=entry.get("rule", ""),
            pages=entry.get("pages", ""),
            barrier=entry.get("barrier", True),
            where=entry["where"],
            reason=entry["reason"],
            alternative=entry.get("alternative", {}),
        )
        for entry in data.get("finding", [])
    )
    result = Statement(
        status=data["status"],
        prepared=data["prepared"],
        reviewed=data["reviewed"],
        answer_days=data["answer_days"],
        method=data["method"],
        findings=findings,
    )
    if result.status not in STATUSES:
        raise ValueError(f"{FILE.name}: status must be one of {STATUSES}")
    if result.status == "full" and result.barriers():
        raise ValueError(f"{FILE.name}: 'full' while barriers are listed")
    return result


def statement_page(request: HttpRequest) -> HttpResponse:
    facts = statement()
    language = get_language() or settings.LANGUAGE_CODE
    return render(
        request,
        "accessibility.html",
        {
            "statement": facts,
            "method": _in(facts.method, language),
            "barriers": [f.shown(language) for f in facts.barriers()],
            "not_barriers": [f.shown(language) for f in facts.findings if not f.barrier],
            "contact": settings.ACCESSIBILITY_CONTACT,
            "body": settings.ACCESSIBILITY_BODY or settings.SITE_NAME,
        },
    )


def was(request: HttpRequest) -> HttpResponse:
    """/was: a Danish body's statement in the state's WAS tool, where the setting names it."""
    if not settings.ACCESSIBILITY_WAS_URL:
        raise Http404
    return redirect(settings.ACCESSIBILITY_WAS_URL)
