"""Explanations a person can read, written from the engine's components in the reader's
language."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mentorship.choices import Language

from . import engine
from .wishes import named_in


def _language_names(codes) -> list[str]:
    labels = dict(Language.choices)
    return [str(labels[code]) for code in codes if code in labels]


def explain(match) -> list[str]:
    """Why this pair: needs and strengths, region, format, language, experience, wishes.
    Expects the applications with their focus areas, organisations and program loaded."""
    adept, mentor = match.adept, match.mentor
    c = match.components or {}
    lines = []
    needs = {area.pk: area for area in adept.focus_areas.all()}
    met = [area.name for area in mentor.focus_areas.all() if area.pk in needs]
    if met:
        lines.append(
            ngettext(
                "Needs met by strengths: %(areas)s (%(met)d of %(total)d need).",
                "Needs met by strengths: %(areas)s (%(met)d of %(total)d needs).",
                len(needs),
            )
            % {"areas": ", ".join(met), "met": len(met), "total": len(needs)}
        )
    elif needs:
        lines.append(_("None of the adept's needs is among the mentor's strengths."))
    if c.get("region", 0) > 0:
        lines.append(_("Same region: %(region)s.") % {"region": adept.region})
    elif adept.region and mentor.region:
        lines.append(
            _("Different regions (%(adept)s, %(mentor)s).")
            % {"adept": adept.region, "mentor": mentor.region}
        )
    formats = {
        "adept": adept.get_meeting_format_display(),
        "mentor": mentor.get_meeting_format_display(),
    }
    if c.get("format", 1) > 0:
        lines.append(_("Meeting formats fit (%(adept)s / %(mentor)s).") % formats)
    else:
        lines.append(_("Meeting formats do not fit (%(adept)s / %(mentor)s).") % formats)
    shared = _language_names(code for code in adept.languages if code in mentor.languages)
    if shared:
        lines.append(_("Shared language: %(languages)s.") % {"languages": ", ".join(shared)})
    adept_months, mentor_months = adept.manager_months_at_start(), mentor.manager_months_at_start()
    if adept_months is not None and mentor_months is not None:
        years = round((mentor_months - adept_months) / 12)
        lines.append(
            ngettext(
                "The mentor has %(years)d year more as a manager.",
                "The mentor has %(years)d years more as a manager.",
                years,
            )
            % {"years": years}
        )
    if c.get("wishes", 0) > 0:
        lines.extend(_wish_lines(adept, mentor))
    return lines + _rank_lines(match)


def _rank_lines(match) -> list[str]:
    """The preference round's ranks, where the review loaded them."""
    lines = []
    if getattr(match, "adept_rank", None):
        lines.append(
            _("The adept ranked this mentor as number %(rank)d.") % {"rank": match.adept_rank}
        )
    if getattr(match, "mentor_rank", None):
        lines.append(
            _("The mentor ranked this adept as number %(rank)d.") % {"rank": match.mentor_rank}
        )
    return lines


def _wish_lines(adept, mentor) -> list[str]:
    """Whose written wish names what of the other: the words, as the wish reads them."""
    lines = []
    for label, wisher, other in ((_("The adept"), adept, mentor), (_("The mentor"), mentor, adept)):
        names = [other.region] if other.region else []
        if other.organization_id:
            names.append(other.organization.name)
        words = named_in(wisher.wishes, names)
        if words:
            lines.append(
                _("%(who)s wishes for %(words)s, and this pair fits.")
                % {"who": label, "words": ", ".join(f"“{w}”" for w in words)}
            )
    return lines


def unmatched_reason(entry: dict, *, units_by_parent: bool = False) -> str:
    """Why an adept or mentor was left unmatched, from a MatchingRun entry; with
    units_by_parent the program's rule also keeps apart units under the same parent."""
    reason = entry.get("reason")
    if reason == engine.UNMATCHED_NO_ALLOWED:
        counts = entry.get("ruled_out") or []
        # Runs before the questions kept four counts, before the preference round five.
        counts = [*counts, 0, 0, 0, 0, 0, 0][:6]
        parts = [
            label % {"count": count}
            for label, count in zip(
                (
                    _("same organisation: %(count)d"),
                    _("same unit or units under the same parent: %(count)d")
                    if units_by_parent
                    else _("same unit: %(count)d"),
                    _("exclusions: %(count)d"),
                    _("the same person: %(count)d"),
                    _("answers to the program's questions: %(count)d"),
                    _("a “rather not” in the preference round: %(count)d"),
                ),
                counts,
                strict=True,
            )
            if count
        ]
        return _("Every mentor is ruled out by the program's rules (%(why)s).") % {
            "why": ", ".join(parts)
        }
    if reason == engine.UNMATCHED_BELOW_MINIMUM:
        return _("No allowed mentor reaches the minimum score.")
    if reason == engine.UNMATCHED_NO_PLACE:
        return _("The suitable mentors' places went to adepts they fit better.")
    if reason == engine.UNMATCHED_RANKED_TAKEN:
        return _(
            "Every mentor this adept ranked went to adepts who ranked them as high or higher, "
            "or who fit them better; no other suitable mentor had a place left."
        )
    return _("No adept was matched with this mentor.")
