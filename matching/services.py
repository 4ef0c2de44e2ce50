"""Matching: from accepted applications to proposed pairs, reviewed, published, ended.

The engine works on arrays; this module turns a program's applications into those arrays
and the engine's answer back into Match rows.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
from django.core import signing
from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from kombu.exceptions import OperationalError

from audit.models import AuditEntry
from audit.services import audit, audit_many
from mentorship.errors import ServiceError
from notifications.models import Notification
from notifications.services import notify_many
from programs.models import (
    Application,
    ApplicationAnswer,
    FocusArea,
    Language,
    LineManagerSupport,
    MeetingFormat,
    Option,
    Program,
    Question,
    Role,
)
from programs.services import LINE_MANAGER_LINK_SECONDS, signed_link

from . import engine
from .models import Exclusion, Match, MatchConsultation, MatchingRun, RematchRequest
from .preferences import engine_preferences, pair_preferences
from .wishes import mentions, words

CRITERIA = (Question.Criterion.SAME, Question.Criterion.DIFFERENT)

logger = logging.getLogger(__name__)

# Programs with more accepted participants than this are matched by a Celery worker, and
# the review screen shows the run's progress meanwhile.
ASYNC_THRESHOLD = 200

FORMAT_CODES = {
    MeetingFormat.EITHER: engine.EITHER,
    MeetingFormat.PHYSICAL: engine.PHYSICAL,
    MeetingFormat.DIGITAL: engine.DIGITAL,
}
LANGUAGE_BITS = {code: 1 << i for i, code in enumerate(Language.values)}


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


@dataclass
class Participants:
    """A program's matchable adepts and mentors, and the arrays the engine needs."""

    adepts: list[Application]
    mentors: list[Application]
    adept_side: engine.Side
    mentor_side: engine.Side


def _side(
    applications,
    *,
    focus_ids,
    region_ids,
    organization_names,
    organization_ids,
    unit_ids,
    program,
    capacity,
    criteria=(),
):
    """Arrays for one side. Loops here run over people (and their few wishes), never pairs.
    Organisations and units are numbered in one vocabulary for both sides (`_vocabulary`), so
    the engine's "same unit" compares the same thing on both sides."""
    n = len(applications)
    focus = np.zeros((n, len(focus_ids)), dtype=bool)
    wish_regions = np.zeros((n, len(region_ids)), dtype=bool)
    wish_organizations = np.zeros((n, len(organization_names)), dtype=bool)
    for i, application in enumerate(applications):
        for area in application.focus_areas.all():
            if area.pk in focus_ids:
                focus[i, focus_ids[area.pk]] = True
        wish = words(application.wishes)
        if wish:
            for name, column in region_ids.items():
                wish_regions[i, column] = mentions(wish, name)
            for column, names in enumerate(organization_names.values()):
                wish_organizations[i, column] = any(mentions(wish, name) for name in names)
    return engine.Side(
        person=np.array([a.applicant_id for a in applications], dtype=np.int64),
        focus=focus,
        organization=np.array(
            [organization_ids[a.organization_id] for a in applications], dtype=np.int64
        ),
        unit=np.array([unit_ids[unit_key(a)] for a in applications], dtype=np.int64),
        unit_group=np.array([unit_ids[unit_group_key(a)] for a in applications], dtype=np.int64),
        region=np.array([region_ids.get(_key(a.region), -1) for a in applications], dtype=np.int64),
        meeting_format=np.array([FORMAT_CODES[a.meeting_format] for a in applications]),
        languages=np.array(
            [sum(LANGUAGE_BITS.get(code, 0) for code in a.languages) for a in applications],
            dtype=np.int64,
        ),
        years=np.array(
            [
                max((a.manager_months_at_start() or 0), 0) / 12 if a.manager_since else 0.0
                for a in applications
            ]
        ),
        wish_regions=wish_regions,
        wish_organizations=wish_organizations,
        capacity=capacity,
        answers=np.array(
            [[_picked(a, q) for q in criteria] for a in applications], dtype=np.int64
        ).reshape(n, len(criteria)),
        answer_rules=tuple(q.criterion for q in criteria),
    )


def _picked(application: Application, question: Question) -> int:
    """The answer an application picked to a criterion question (an option id), or -1."""
    for answer in application.answers.all():
        if answer.question_id == question.pk:
            options = answer.options.all()
            return options[0].pk if options else -1
    return -1


def unit_key(application: Application) -> int | str:
    """What "the same unit" means: the same unit of the organisation's list. No unit is
    unknown: a key of its own, never "the same"."""
    return application.unit_id or f"#{application.pk}"


def unit_group_key(application: Application) -> int | str:
    """What "under the same parent" compares: the unit's parent, or the unit at the top."""
    unit = application.unit
    return unit.group_id if unit is not None else unit_key(application)


def _vocabulary(program: Program, everyone: list[Application]) -> dict:
    """The ids both sides share: focus areas, regions, organisations, units and the
    organisation names that wishes are read for."""
    region_ids: dict[str, int] = {}
    for application in everyone:
        if _key(application.region):
            region_ids.setdefault(_key(application.region), len(region_ids))
    areas = sorted({area.pk for a in everyone for area in a.focus_areas.all()})
    organizations = list(program.organizations.all())
    # The program's organisations first (their columns are the wish columns), then any other
    # an application names, so that two people of one outside organisation are "the same".
    organization_ids: dict[int | None, int] = {o.pk: i for i, o in enumerate(organizations)}
    unit_ids: dict[int | str, int] = {}
    for application in everyone:
        organization_ids.setdefault(application.organization_id, len(organization_ids))
        unit_ids.setdefault(unit_key(application), len(unit_ids))
        unit_ids.setdefault(unit_group_key(application), len(unit_ids))
    return {
        "focus_ids": {pk: i for i, pk in enumerate(areas)},
        "region_ids": region_ids,
        "organization_names": {o.pk: [o.name] for o in organizations},
        "organization_ids": organization_ids,
        "unit_ids": unit_ids,
        "program": program,
        "criteria": criteria(program),
    }


def criteria(program: Program) -> list[Question]:
    """The program's questions the matching compares, in order."""
    return list(
        program.questions.filter(criterion__in=CRITERIA, kind__in=Question.SINGLE).order_by(
            "position", "pk"
        )
    )


def participants(program: Program) -> Participants:
    """Accepted adepts without a published match, and accepted mentors with places left."""
    accepted = (
        Application.objects.filter(program=program, status=Application.Status.ACCEPTED)
        .select_related("program", "applicant", "organization", "unit")
        .prefetch_related(
            Prefetch("focus_areas", queryset=FocusArea.objects.only("pk")),
            Prefetch(
                "answers",
                queryset=ApplicationAnswer.objects.filter(question__criterion__in=CRITERIA),
            ),
            Prefetch("answers__options", queryset=Option.objects.only("pk")),
        )
        .order_by("pk")
    )
    published = Match.objects.filter(program=program, status=Match.Status.PUBLISHED)
    matched_adepts = set(published.values_list("adept_id", flat=True))
    taken = dict(
        published.values("mentor_id").annotate(n=Count("pk")).values_list("mentor_id", "n")
    )
    adepts = [a for a in accepted if a.role == Role.ADEPT and a.pk not in matched_adepts]
    mentors = [
        a
        for a in accepted
        if a.role == Role.MENTOR and (a.mentor_capacity or 1) > taken.get(a.pk, 0)
    ]
    common = _vocabulary(program, adepts + mentors)
    return Participants(
        adepts=adepts,
        mentors=mentors,
        adept_side=_side(adepts, capacity=None, **common),
        mentor_side=_side(
            mentors,
            capacity=np.array(
                [(m.mentor_capacity or 1) - taken.get(m.pk, 0) for m in mentors], dtype=np.int64
            ),
            **common,
        ),
    )


def _pair_rows(people: Participants, pairs) -> np.ndarray:
    """(k, 2) engine rows for (adept user id, mentor user id) or application pairs."""
    adept_row = {a.applicant_id: i for i, a in enumerate(people.adepts)}
    mentor_row = {m.applicant_id: i for i, m in enumerate(people.mentors)}
    rows = [(adept_row[a], mentor_row[m]) for a, m in pairs if a in adept_row and m in mentor_row]
    return np.array(rows, dtype=np.int64).reshape(-1, 2)


def matching_start(*, program: Program, by) -> MatchingRun:
    """Start matching a program: now for a small program, on a worker for a large one."""
    run = MatchingRun.objects.create(
        program=program,
        created_by=by,
        weights=program.matching_weights,
        min_score=program.matching_min_score,
    )
    audit(actor=by, action=AuditEntry.Action.MATCHING_RUN, program=program, obj=run)
    size = Application.objects.filter(program=program, status=Application.Status.ACCEPTED).count()
    if size > ASYNC_THRESHOLD:
        transaction.on_commit(lambda: _enqueue(run.pk))
    else:
        matching_run(run=run)
    return run


def _enqueue(run_id: int) -> None:
    from .tasks import run_matching  # noqa: PLC0415 - tasks.py imports this module

    try:
        run_matching.delay(run_id)
    except OperationalError as exc:
        # The coordinator sees the run failed and can press "run" again; nothing is lost.
        logger.warning("Broker unavailable, matching run %s not started: %s", run_id, exc)
        MatchingRun.objects.filter(pk=run_id).update(
            status=MatchingRun.Status.FAILED, error=f"Task queue unavailable: {exc}"[:2000]
        )


def _compare_with_stable(people, result, preferences, *, program, run, exclusions, locked):
    """How the optimum honours the preference round, beside a stable assignment (deferred
    acceptance, adepts proposing) of the same people: total score, the shares of first
    choices and top 3, the adepts with an unranked mentor, and the blocking pairs."""
    options = {
        "rule": program.pairing_rule, "weights": run.weights, "min_score": run.min_score,
        "exclusions": exclusions,
    }  # fmt: skip
    sides = (people.adept_side, people.mentor_side)
    stable = engine.stable(*sides, locked=locked, preferences=preferences, **options)
    figures = {}
    for name, assignment in (("optimum", result), ("stable", stable)):
        report = engine.preference_report(*sides, assignment, preferences=preferences, **options)
        figures[name] = {
            **report, "total": round(assignment.total, 1), "pairs": len(assignment.adept),
        }  # fmt: skip
    return {**figures["optimum"], "stable": figures["stable"]}


def matching_run(*, run: MatchingRun) -> MatchingRun:
    """Propose pairs for the run's program, keeping locked proposals and published matches."""
    started = time.perf_counter()
    program = run.program
    try:
        with transaction.atomic():
            # Race: two coordinators pressing "run" at once. The program row lock makes the
            # second run wait and then start from the first one's result.
            Program.objects.select_for_update().get(pk=program.pk)
            MatchingRun.objects.filter(pk=run.pk).update(
                status=MatchingRun.Status.RUNNING, progress=10
            )
            program.matches.filter(status=Match.Status.PROPOSED, locked=False).delete()
            people = participants(program)
            locked_matches = list(
                program.matches.filter(status=Match.Status.PROPOSED, locked=True).select_related(
                    "adept", "mentor"
                )
            )
            locked = _pair_rows(
                people, [(m.adept.applicant_id, m.mentor.applicant_id) for m in locked_matches]
            )
            exclusions = _pair_rows(
                people,
                Exclusion.objects.filter(
                    adept__in=[a.applicant_id for a in people.adepts],
                    mentor__in=[m.applicant_id for m in people.mentors],
                ).values_list("adept_id", "mentor_id"),
            )
            MatchingRun.objects.filter(pk=run.pk).update(progress=30)
            preferences = engine_preferences(program, people)
            result = engine.match(
                people.adept_side,
                people.mentor_side,
                rule=program.pairing_rule,
                weights=run.weights,
                min_score=run.min_score,
                exclusions=exclusions,
                locked=locked,
                preferences=preferences,
            )
            if preferences is not None:
                run.preference_report = _compare_with_stable(
                    people, result, preferences, program=program, run=run,
                    exclusions=exclusions, locked=locked,
                )  # fmt: skip
            MatchingRun.objects.filter(pk=run.pk).update(progress=80)
            new = [
                Match(
                    program=program,
                    run=run,
                    adept=people.adepts[a],
                    mentor=people.mentors[m],
                    score=round(float(result.score[k]), 2),
                    components={
                        name: round(float(values[k]), 3)
                        for name, values in result.components.items()
                    },
                )
                for k, (a, m) in enumerate(zip(result.adept, result.mentor, strict=True))
                if not result.locked[k]
            ]
            Match.objects.bulk_create(new)
            run.pairs = len(result.adept)
            run.total_score = round(result.total, 2)
            run.unmatched_adepts = [
                {"application": people.adepts[row].pk, "reason": reason,
                 "ruled_out": [int(x) for x in result.ruled_out[row]]}
                for row, reason in result.unmatched_adepts.items()
            ]  # fmt: skip
            run.unmatched_mentors = [
                {"application": people.mentors[row].pk, "reason": reason}
                for row, reason in result.unmatched_mentors.items()
            ]
            run.solver = result.solver
            run.status = MatchingRun.Status.DONE
            run.progress = 100
            run.duration_ms = int((time.perf_counter() - started) * 1000)
            run.save()
    except Exception as exc:
        # Recorded for the coordinator to see, then raised for the log and the worker.
        MatchingRun.objects.filter(pk=run.pk).update(
            status=MatchingRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    return run


# --------------------------------------------------------------------------------------------
# The coordinator's adjustments
# --------------------------------------------------------------------------------------------


def _pair_sides(
    program: Program, adept: Application, mentor: Application
) -> tuple[engine.Side, engine.Side]:
    """The engine's arrays for one adept and one mentor, numbered as the matching does."""
    common = _vocabulary(program, [adept, mentor])
    return (
        _side([adept], capacity=None, **common),
        _side([mentor], capacity=np.array([1]), **common),
    )


def _block_message(bits: int, adept: Application, mentor: Application) -> str:
    """What a coordinator reads when a pair made by hand breaks a hard rule ("" if none)."""
    names = {"adept": adept.applicant, "mentor": mentor.applicant}
    if bits & engine.BLOCK_ORGANIZATION:
        return (
            _(
                "%(adept)s and %(mentor)s work at the same organisation, which this program "
                "does not allow."
            )
            % names
        )
    if bits & engine.BLOCK_UNIT and adept.unit_id == mentor.unit_id:
        return (
            _("%(adept)s and %(mentor)s are in the same unit, which this program does not allow.")
            % names
        )
    if bits & engine.BLOCK_UNIT:
        return (
            _(
                "%(adept)s and %(mentor)s are in units under the same parent, which this "
                "program does not allow."
            )
            % names
        )
    if bits & engine.BLOCK_ANSWER:
        return (
            _(
                "%(adept)s and %(mentor)s answered the program's questions in a way its "
                "matching rules do not allow together."
            )
            % names
        )
    if bits & engine.BLOCK_EXCLUDED:
        return _("%(adept)s and %(mentor)s must not be matched (exclusion).") % names
    if bits & engine.BLOCK_RATHER_NOT:
        return (
            _(
                "%(adept)s and %(mentor)s cannot be matched: one of them said “rather not” in "
                "the preference round."
            )
            % names
        )
    return ""


def _check_pair(program: Program, adept: Application, mentor: Application):
    """The hard rules for one pair, with a message a coordinator understands. Returns the
    pair's engine arrays, for scoring it."""
    if adept.program_id != program.pk or mentor.program_id != program.pk:
        raise ServiceError(_("Both applications must belong to this program."))
    if adept.role != Role.ADEPT or mentor.role != Role.MENTOR:
        raise ServiceError(_("Choose an adept and a mentor."))
    accepted = Application.Status.ACCEPTED
    if adept.status != accepted or mentor.status != accepted:
        raise ServiceError(_("Only accepted adepts and mentors can be matched."))
    if adept.applicant_id == mentor.applicant_id:
        raise ServiceError(_("Nobody can be their own mentor."))
    # The engine's own rule, on the two as the matching sees them: a pair made by hand is
    # refused for exactly what would keep the matching from proposing it.
    sides = _pair_sides(program, adept, mentor)
    excluded = Exclusion.objects.filter(
        adept=adept.applicant_id, mentor=mentor.applicant_id
    ).exists()
    first = np.array([0])
    preferences = pair_preferences(program, adept, mentor)
    bits = int(
        engine.pair_blocks(
            *sides, first, first, rule=program.pairing_rule, excluded=[excluded],
            preferences=preferences,
        )[0]
    )  # fmt: skip
    message = _block_message(bits, adept, mentor)
    if message:
        raise ServiceError(message)
    return sides, preferences


def _score_pair(program: Program, checked) -> tuple[float, dict]:
    """Score and components of one pair from what _check_pair returned: its engine arrays
    and what the two said of each other in the preference round."""
    sides, preferences = checked
    first = np.array([0])
    adepts, mentors = sides
    components = engine.pair_components(adepts, mentors, first, first, preferences)
    score = float(engine.pair_scores(components, program.matching_weights)[0])
    return round(score, 2), {name: round(float(v[0]), 3) for name, v in components.items()}


def _lock_mentor(mentor: Application) -> int:
    """Lock the mentor's application row and count their live matches.

    Race: two coordinators adding a pair with the same mentor at once could exceed the
    capacity; the row lock makes the second wait and count the first one's match.
    """
    Application.objects.select_for_update().get(pk=mentor.pk)
    return Match.objects.filter(mentor=mentor).live().count()


def match_add(*, program: Program, adept: Application, mentor: Application, by) -> Match:
    """A pair made by hand; refused if it breaks a hard rule. It is locked, so a re-run
    keeps it."""
    with transaction.atomic():
        checked = _check_pair(program, adept, mentor)
        if Match.objects.filter(adept=adept).live().exists():
            raise ServiceError(_("%(adept)s already has a match.") % {"adept": adept.applicant})
        if _lock_mentor(mentor) >= (mentor.mentor_capacity or 1):
            raise ServiceError(
                _("%(mentor)s has no place left (capacity %(capacity)d).")
                % {"mentor": mentor.applicant, "capacity": mentor.mentor_capacity or 1}
            )
        score, components = _score_pair(program, checked)
        match = Match.objects.create(
            program=program, adept=adept, mentor=mentor, score=score, components=components,
            locked=True,
        )  # fmt: skip
        audit(
            actor=by, action=AuditEntry.Action.MATCH_CHANGED, program=program, obj=match,
            detail="added",
        )  # fmt: skip
        return match


def match_set_locked(*, match: Match, locked: bool, by=None) -> None:
    # Compare and swap: a pair published or removed in another tab is not touched.
    changed = Match.objects.filter(pk=match.pk, status=Match.Status.PROPOSED).update(locked=locked)
    if not changed:
        raise ServiceError(_("Only proposed pairs can be locked or unlocked."))
    detail = "locked" if locked else "unlocked"
    audit(actor=by, action=AuditEntry.Action.MATCH_CHANGED, program=match.program_id, obj=match,
          detail=detail)  # fmt: skip


def match_remove(*, match: Match, by=None) -> None:
    with transaction.atomic():
        # Compare and swap: a pair published in another tab meanwhile is not removed.
        removed, _rows = Match.objects.filter(pk=match.pk, status=Match.Status.PROPOSED).delete()
        if not removed:
            raise ServiceError(
                _("Only proposed pairs can be removed; end a published match instead.")
            )
        audit(actor=by, action=AuditEntry.Action.MATCH_CHANGED, program=match.program_id,
              obj=match, detail="removed")  # fmt: skip


def match_swap(*, first: Match, second: Match, by=None) -> None:
    """Swap the mentors of two proposed pairs; both new pairs are checked and locked."""
    if first.pk == second.pk:
        raise ServiceError(_("Choose two different pairs to swap."))
    if first.status != Match.Status.PROPOSED or second.status != Match.Status.PROPOSED:
        raise ServiceError(_("Only proposed pairs can be swapped."))
    program = first.program
    with transaction.atomic():
        new_pairs = (
            (first, second.mentor, _check_pair(program, first.adept, second.mentor)),
            (second, first.mentor, _check_pair(program, second.adept, first.mentor)),
        )
        for match, mentor, sides in new_pairs:
            match.mentor = mentor
            match.score, match.components = _score_pair(program, sides)
            match.locked = True
            match.run = None
        Match.objects.bulk_update(
            [first, second], ["mentor", "score", "components", "locked", "run"]
        )
        audit_many(
            actor=by,
            action=AuditEntry.Action.MATCH_CHANGED,
            entries=[(program, first, "swapped"), (program, second, "swapped")],
        )


# --------------------------------------------------------------------------------------------
# Publishing, ending, asking for a new match
# --------------------------------------------------------------------------------------------


def asks_line_managers(program: Program) -> bool:
    return program.line_manager_say and program.line_managers != Program.LineManagers.NONE


def _current_consultations(matches) -> dict[int, MatchConsultation]:
    """Each match's consultation about the mentor it has now (a swap makes the old one
    moot), by match id; one query."""
    by_pair = {(m.pk, m.mentor_id): m.pk for m in matches}
    return {
        by_pair[(c.match_id, c.mentor_id)]: c
        for c in MatchConsultation.objects.filter(match__in=[m.pk for m in matches])
        if (c.match_id, c.mentor_id) in by_pair
    }


def consultations_for(matches) -> None:
    """Sets `consultation` on each proposed match: the line manager's view of its mentor,
    or None if not asked (yet)."""
    found = _current_consultations(matches)
    for match in matches:
        match.consultation = found.get(match.pk)


def line_managers_ask(*, program: Program, answer_by, by, now=None) -> tuple[int, int]:
    """Ask each proposed pair's adept's line manager about the mentor, with the date by
    which silence counts as agreement: (asked now, asked before). One e-mail each."""
    now = now or timezone.now()
    if not asks_line_managers(program):
        raise ServiceError(_("This program does not ask line managers about the match."))
    if answer_by < timezone.localdate(now):
        raise ServiceError(_("Choose a date from today on for the line managers' answers."))
    with transaction.atomic():
        Program.objects.select_for_update().get(pk=program.pk)
        proposed = list(
            program.matches.filter(status=Match.Status.PROPOSED).select_related(
                "adept__line_manager_support"
            )
        )
        asked = _current_consultations(proposed)
        new = []
        for match in proposed:
            support = getattr(match.adept, "line_manager_support", None)
            if support is None or match.pk in asked:
                continue
            new.append(
                MatchConsultation(
                    match=match,
                    mentor_id=match.mentor_id,
                    manager_id=support.manager_id,
                    answer_by=answer_by,
                    asked_at=now,
                )
            )
        # An earlier question about another mentor (before a swap) gives way to the new one.
        MatchConsultation.objects.filter(match__in=[c.match for c in new]).delete()
        MatchConsultation.objects.bulk_create(new)
        notify_many(
            [
                Notification(
                    recipient_id=c.manager_id,
                    kind=Notification.Kind.LINE_MANAGER_MATCH,
                    key=f"line_manager_match:{c.pk}",
                    program=program,
                    context={"consultation": c.pk},
                )
                for c in new
            ]
        )
        if new:
            audit(
                actor=by, action=AuditEntry.Action.MATCH_CHANGED, program=program,
                detail=f"{len(new)} line managers asked",
            )  # fmt: skip
    return len(new), len(asked)


_CONSULTATION_SALT = "matching.line-manager-match"


def consultation_token(consultation: MatchConsultation) -> str:
    return signing.TimestampSigner(salt=_CONSULTATION_SALT).sign_object(
        {"c": consultation.pk, "m": consultation.manager_id}
    )


def consultation_of(token: str) -> tuple[MatchConsultation | None, bool]:
    """The consultation a line manager's link is about, and whether the link has expired."""
    data, expired = signed_link(
        token, salt=_CONSULTATION_SALT, max_age=LINE_MANAGER_LINK_SECONDS, keys={"c", "m"}
    )
    if data is None:
        return None, False
    consultation = (
        MatchConsultation.objects.filter(pk=data["c"], manager_id=data["m"])
        .select_related("match__program", "match__adept__applicant", "mentor__applicant",
                        "mentor__organization")
        .first()
    )  # fmt: skip
    return consultation, expired


def consultation_open(consultation: MatchConsultation) -> bool:
    """Answers are taken while the pair is still proposed with this mentor."""
    match = consultation.match
    return match.status == Match.Status.PROPOSED and match.mentor_id == consultation.mentor_id


def consultation_answer(
    *, consultation: MatchConsultation, answer: str, concern: str = "", now=None
) -> MatchConsultation:
    if answer not in (MatchConsultation.Answer.AGREED, MatchConsultation.Answer.CONCERN):
        raise ServiceError(_("Choose whether you agree with the match."))
    concern = " ".join(concern.split()) if answer == MatchConsultation.Answer.CONCERN else ""
    if answer == MatchConsultation.Answer.CONCERN and not concern:
        raise ServiceError(_("Write your concern for the coordinators."))
    if not consultation_open(consultation):
        raise ServiceError(
            _("The pairs have been published or changed since; write to the coordinators.")
        )
    consultation.answer, consultation.concern = answer, concern
    consultation.answered_at = now or timezone.now()
    consultation.save(update_fields=["answer", "concern", "answered_at"])
    return consultation


def _check_line_managers_heard(program: Program, proposed, today) -> None:
    """Where line managers have a say, a pair is published once its adept's line manager
    was asked about its mentor and answered, or their date has passed."""
    if not asks_line_managers(program):
        return
    found = _current_consultations(proposed)
    has_manager = set(
        LineManagerSupport.objects.filter(
            application__in=[m.adept_id for m in proposed]
        ).values_list("application_id", flat=True)
    )
    unasked = waiting = 0
    latest = today
    for match in proposed:
        if match.adept_id not in has_manager:
            continue
        consultation = found.get(match.pk)
        if consultation is None:
            unasked += 1
        elif consultation.answer == MatchConsultation.Answer.WAITING and not consultation.silent(
            today
        ):
            waiting += 1
            latest = max(latest, consultation.answer_by)
    if unasked:
        raise ServiceError(
            ngettext(
                "Nothing was published: %(count)d adept's line manager has not been asked "
                "about the match yet. Ask the line managers first.",
                "Nothing was published: %(count)d adepts' line managers have not been asked "
                "about the match yet. Ask the line managers first.",
                unasked,
            )
            % {"count": unasked}
        )
    if waiting:
        raise ServiceError(
            ngettext(
                "Nothing was published: %(count)d line manager may still answer, until "
                "%(date)s. Publish when they have, or after that date.",
                "Nothing was published: %(count)d line managers may still answer, until "
                "%(date)s. Publish when they have, or after that date.",
                waiting,
            )
            % {"count": waiting, "date": date_format(latest)}
        )


def matches_publish(*, program: Program, by) -> int:
    """Make the proposed pairs live and introduce both people to each other, once."""
    now = timezone.now()
    with transaction.atomic():
        proposed = list(
            program.matches.select_for_update(of=("self",))
            .filter(status=Match.Status.PROPOSED)
            .select_related("adept", "mentor")
        )
        _check_line_managers_heard(program, proposed, timezone.localdate(now))
        for match in proposed:
            match.status = Match.Status.PUBLISHED
            match.published_at = now
        Match.objects.bulk_update(proposed, ["status", "published_at"])
        audit(
            actor=by, action=AuditEntry.Action.MATCHES_PUBLISHED, program=program,
            detail=f"{len(proposed)} pairs",
        )  # fmt: skip
        notify_many(
            [
                Notification(
                    recipient_id=person,
                    kind=Notification.Kind.INTRODUCTION,
                    key=f"introduction:{match.pk}",
                    program=program,
                    context={"match": match.pk},
                )
                for match in proposed
                for person in match.people
            ]
        )
    return len(proposed)


def match_end(*, match: Match, by, reason: str) -> None:
    """End a published match early; the two are never matched again."""
    if match.status != Match.Status.PUBLISHED:
        raise ServiceError(_("Only a published match can be ended."))
    if not reason.strip():
        raise ServiceError(_("Write why the match ends; only coordinators see it."))
    now = timezone.now()
    with transaction.atomic():
        # Compare and swap: of two who end the same match at once, one ends it.
        ended = Match.objects.filter(pk=match.pk, status=Match.Status.PUBLISHED).update(
            status=Match.Status.ENDED, ended_at=now, end_reason=reason.strip()
        )
        if not ended:
            raise ServiceError(_("Only a published match can be ended."))
        Exclusion.objects.get_or_create(
            adept_id=match.adept.applicant_id,
            mentor_id=match.mentor.applicant_id,
            defaults={"reason": Exclusion.Reason.ENDED, "created_by": by},
        )
        match.rematch_requests.filter(handled_at__isnull=True).update(handled_at=now)
        audit(actor=by, action=AuditEntry.Action.MATCH_ENDED, program=match.program_id, obj=match)
        # Both hear of it, with care and without the reason (only coordinators read that).
        notify_many(
            [
                Notification(
                    recipient_id=person,
                    kind=Notification.Kind.MATCH_ENDED,
                    key=f"match_ended:{match.pk}",
                    program_id=match.program_id,
                    context={"match": match.pk},
                )
                for person in match.people
            ]
        )


def matches_leave(*, user) -> None:
    """The person's account closes: their published matches end as any ended match does (the
    other person hears of it, the two are not matched again) and their proposals go."""
    published = Match.objects.filter(status=Match.Status.PUBLISHED).with_member(user)
    for match in published.select_related("program", "adept", "mentor"):
        match_end(match=match, by=user, reason="account deleted")
    Match.objects.filter(status=Match.Status.PROPOSED).with_member(user).delete()


def on_program_closed(sender, *, program, by, now, **kwargs) -> dict:
    """programs.signals.program_closed: the program's running pairs have completed it."""
    return {"completed": matches_complete(program=program, by=by, now=now)}


def rematch_request(*, match: Match, user, reason: str) -> RematchRequest:
    if not match.has_member(user):
        raise ServiceError(_("This match is not yours."))
    if match.status != Match.Status.PUBLISHED:
        raise ServiceError(_("This match has already ended."))
    if not reason.strip():
        raise ServiceError(_("Please tell the coordinators why."))
    with transaction.atomic():
        request, _created = RematchRequest.objects.update_or_create(
            match=match, requested_by=user, handled_at=None, defaults={"reason": reason.strip()}
        )
        # The coordinators hear at once; the reason stays on the matching page.
        notify_many(
            [
                Notification(
                    recipient_id=coordinator,
                    kind=Notification.Kind.REMATCH_REQUESTED,
                    key=f"rematch:{request.pk}",
                    program_id=match.program_id,
                    context={"match": match.pk, "by": user.pk},
                )
                for coordinator in match.program.coordinators.filter(is_active=True).values_list(
                    "pk", flat=True
                )
            ]
        )
    return request


def matches_complete(*, program: Program, by=None, now=None) -> int:
    """When a program closes, its running pairs have run to the end: they are completed (and
    their pages become read-only), and each of the two gets one closing e-mail. Proposals
    nobody published are dropped. Returns how many pairs were completed; running it again
    completes nothing more and sends nothing more."""
    now = now or timezone.now()
    with transaction.atomic():
        running = list(
            Match.objects.select_for_update()
            .filter(program=program, status=Match.Status.PUBLISHED)
            .values_list("pk", "adept__applicant_id", "mentor__applicant_id")
        )
        completed = Match.objects.filter(pk__in=[pk for pk, _a, _m in running]).update(
            status=Match.Status.COMPLETED, ended_at=now
        )
        Match.objects.filter(program=program, status=Match.Status.PROPOSED).delete()
        notify_many(
            [
                Notification(
                    recipient_id=person,
                    kind=Notification.Kind.PROGRAM_CLOSED,
                    key=f"program_closed:{program.pk}",
                    program=program,
                    context={"program": program.pk, "match": pk},
                )
                for pk, adept, mentor in running
                for person in (adept, mentor)
            ]
        )
        if completed:
            audit(
                actor=by,
                action=AuditEntry.Action.MATCH_ENDED,
                program=program,
                detail=f"{completed} pairs completed",
            )
    return completed
