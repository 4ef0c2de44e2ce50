"""The preference round (issue 19): after acceptance, each adept (and, where the program says
so, each mentor) ranks a shortlist of their best candidates by the engine's score, may mark
one "rather not", and an adept may name a mentor they wish for. The matching then honours the
ranks as a score component and the "rather not" as a hard rule, over the whole cohort.

Who ranked whom is read by coordinators only, and only in the review.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorship.errors import ServiceError
from notifications.models import Notification
from notifications.services import notify_many
from programs.models import Application, Program, Role

from . import engine
from .models import Exclusion, Preference


def _rows(side: engine.Side, rows) -> engine.Side:
    """The side cut to some of its rows (every per-person array), for scoring one person."""
    n = len(side.person)
    cut = {}
    for item in dataclasses.fields(side):
        if not item.init:
            continue
        value = getattr(side, item.name)
        if isinstance(value, np.ndarray) and value.shape[:1] == (n,):
            value = value[rows]
        cut[item.name] = value
    return engine.Side(**cut)


@dataclass
class Candidate:
    application: Application
    score: float
    rank: int | None = None
    rather_not: bool = False


def ranks_for(application: Application) -> bool:
    """Whether this person ranks in their program's round (adepts; mentors if it says so)."""
    program = application.program
    return application.status == Application.Status.ACCEPTED and (
        application.role == Role.ADEPT or program.mentors_rank
    )


def _excluded(application: Application, others, adept: bool) -> np.ndarray:
    """(k, 2) rows (0, row in `others`) of the people the person must never be matched with
    (a conflict of interest, a match that ended): never on their shortlist. One query."""
    me = application.applicant_id
    pairs = Exclusion.objects.filter(**({"adept": me} if adept else {"mentor": me}))
    never = set(pairs.values_list("mentor_id" if adept else "adept_id", flat=True))
    rows = [(0, i) for i, other in enumerate(others) if other.applicant_id in never]
    return np.array(rows, dtype=np.int64).reshape(-1, 2)


def shortlist(application: Application, people=None) -> list[Candidate]:
    """The person's k best candidates on the other side by the engine's score, among those
    the program's hard rules allow (and above the minimum), best first; with what they gave
    each so far. A fixed number of queries whatever the cohort."""
    from .services import participants  # noqa: PLC0415 - services imports this module

    program = application.program
    people = people or participants(program)
    adept = application.role == Role.ADEPT
    mine, theirs = (people.adepts, people.mentors) if adept else (people.mentors, people.adepts)
    row = next((i for i, a in enumerate(mine) if a.pk == application.pk), None)
    if row is None or not theirs:
        return []
    excluded = _excluded(application, theirs, adept)
    if adept:
        one, other = _rows(people.adept_side, [row]), people.mentor_side
        score, blocked = engine.score_matrix(
            one, other, program.matching_weights, program.pairing_rule, excluded
        )
        score, blocked = score[0], blocked[0]
    else:
        one, other = _rows(people.mentor_side, [row]), people.adept_side
        score, blocked = engine.score_matrix(
            other, one, program.matching_weights, program.pairing_rule, excluded[:, ::-1]
        )
        score, blocked = score[:, 0], blocked[:, 0]
    allowed = np.flatnonzero((blocked == 0) & (score >= program.matching_min_score))
    best = allowed[np.argsort(-score[allowed], kind="stable")][: program.shortlist_size]
    given = {
        p.candidate_id: p
        for p in Preference.objects.filter(
            ranker=application, candidate__in=[theirs[i] for i in best]
        )
    }
    out = []
    for i in best:
        candidate = theirs[int(i)]
        said = given.get(candidate.pk)
        out.append(
            Candidate(
                application=candidate,
                score=float(score[i]),
                rank=said.rank if said else None,
                rather_not=bool(said and said.rather_not),
            )
        )
    return out


def wishable_mentors(application: Application, people=None) -> list[Application]:
    """The accepted mentors an adept may name (any the program's hard rules allow)."""
    from .services import participants  # noqa: PLC0415

    program = application.program
    people = people or participants(program)
    row = next((i for i, a in enumerate(people.adepts) if a.pk == application.pk), None)
    if row is None or not people.mentors:
        return []
    _score, blocked = engine.score_matrix(
        _rows(people.adept_side, [row]), people.mentor_side, program.matching_weights,
        program.pairing_rule, _excluded(application, people.mentors, adept=True),
    )  # fmt: skip
    return sorted(
        (people.mentors[i] for i in np.flatnonzero(blocked[0] == 0)),
        key=lambda a: a.applicant.full_name.casefold(),
    )


def _check_preferences(application, user, ranks, rather_not, named, allowed, wishable, now):
    program: Program = application.program
    if application.applicant_id != user.pk:
        raise ServiceError(_("This application is not yours."))
    if not ranks_for(application):
        raise ServiceError(_("You do not rank candidates in this program."))
    if not program.preference_round_open(now):
        raise ServiceError(_("The preference round is not open."))
    if not set(ranks) <= allowed or not rather_not <= allowed:
        raise ServiceError(_("Rank only the candidates on your shortlist."))
    values = list(ranks.values())
    if len(set(values)) != len(values) or not all(1 <= r <= program.shortlist_size for r in values):
        raise ServiceError(
            _("Give each rank once, from 1 to %(k)d.") % {"k": program.shortlist_size}
        )
    if set(ranks) & rather_not:
        raise ServiceError(_("A candidate you rank cannot also be a “rather not”."))
    if named is not None and (application.role != Role.ADEPT or named not in wishable):
        raise ServiceError(_("Choose a mentor the program's rules allow for you."))
    if named is not None and named in rather_not:
        raise ServiceError(_("The mentor you wish for cannot also be a “rather not”."))


def preferences_save(
    *,
    application: Application,
    user,
    ranks: dict[int, int],
    rather_not: set[int],
    named: int | None = None,
    allowed: set[int],
    wishable: set[int] | frozenset[int] = frozenset(),
    presentation: str | None = None,
    now=None,
) -> None:
    """The person's preferences, replacing what they gave before: `ranks` maps candidate
    application ids on their shortlist (`allowed`) to ranks 1..k, each rank once; `rather_not`
    are candidates they would rather not be matched with; `named` a mentor an adept wishes
    for (one of `wishable`), which counts as their first rank."""
    now = now or timezone.now()
    _check_preferences(application, user, ranks, rather_not, named, allowed, wishable, now)
    rows = {pk: Preference(ranker=application, candidate_id=pk, rank=r) for pk, r in ranks.items()}
    for pk in rather_not:
        rows[pk] = Preference(ranker=application, candidate_id=pk, rather_not=True)
    if named is not None:
        # The named mentor is the first choice; the shortlist's ranks follow it.
        for row in rows.values():
            if row.rank is not None:
                row.rank += 1
        rows[named] = Preference(ranker=application, candidate_id=named, rank=1, named=True)
    with transaction.atomic():
        Preference.objects.filter(ranker=application).delete()
        Preference.objects.bulk_create(rows.values())
        fields = ["preferences_at"]
        application.preferences_at = now
        if presentation is not None:
            application.presentation = presentation.strip()
            fields.append("presentation")
        application.save(update_fields=[*fields, "updated_at"])


def engine_preferences(program: Program, people) -> engine.Preferences | None:
    """What the people of the run said, by engine rows; None if the program held no round."""
    if not program.preferences_open_at:
        return None
    adept_row = {a.pk: i for i, a in enumerate(people.adepts)}
    mentor_row = {m.pk: i for i, m in enumerate(people.mentors)}
    adept_ranks, mentor_ranks, refused = [], [], []
    rows = Preference.objects.filter(ranker__program=program).values_list(
        "ranker_id", "candidate_id", "rank", "rather_not"
    )
    for ranker, candidate, rank, rather_not in rows:
        if ranker in adept_row and candidate in mentor_row:
            pair = (adept_row[ranker], mentor_row[candidate])
            if rather_not:
                refused.append(pair)
            elif rank:
                adept_ranks.append((*pair, rank))
        elif ranker in mentor_row and candidate in adept_row:
            pair = (adept_row[candidate], mentor_row[ranker])
            if rather_not:
                refused.append(pair)
            elif rank:
                mentor_ranks.append((pair[1], pair[0], rank))
    return engine.Preferences(
        adept_ranks=np.array(adept_ranks, dtype=np.int64).reshape(-1, 3),
        mentor_ranks=np.array(mentor_ranks, dtype=np.int64).reshape(-1, 3),
        rather_not=np.array(refused, dtype=np.int64).reshape(-1, 2),
        # Whoever ranked nobody (a "rather not" alone, or no answer) is indifferent.
        adept_answered=np.isin(np.arange(len(people.adepts)), [r[0] for r in adept_ranks]),
        mentor_answered=np.isin(np.arange(len(people.mentors)), [r[0] for r in mentor_ranks]),
        mentors_rank=program.mentors_rank,
    )


# The reminder goes this long before the round closes, once, to those who have not answered.
REMIND_BEFORE_CLOSE = datetime.timedelta(days=2)


def plan_preference_round(*, now=None, programs=None) -> int:
    """The round's e-mails, run with the other planning sweeps: one invitation to each person
    who ranks when the round opens, and one reminder two days before it closes to those who
    have not given their preferences. Keyed per round, so each goes out once."""
    now = now or timezone.now()
    rounds = Program.objects.filter(
        preferences_open_at__lte=now, preferences_close_at__gt=now
    ).exclude(status=Program.Status.DRAFT)
    if programs is not None:
        rounds = rounds.filter(pk__in=[getattr(p, "pk", p) for p in programs])
    rows = []
    for program in rounds:
        people = Application.objects.filter(
            program=program, status=Application.Status.ACCEPTED
        ).filter(Q(role=Role.ADEPT) | Q(role=Role.MENTOR, program__mentors_rank=True))
        opened = f"{program.preferences_open_at:%Y%m%d%H%M}"
        remind = now >= program.preferences_close_at - REMIND_BEFORE_CLOSE
        for application_id, user_id, answered in people.values_list(
            "pk", "applicant_id", "preferences_at"
        ):
            rows.append(
                Notification(
                    recipient_id=user_id,
                    program=program,
                    kind=Notification.Kind.PREFERENCE_ROUND,
                    key=f"preference_round:{program.pk}:{opened}",
                    context={"application": application_id},
                )
            )
            if remind and answered is None:
                rows.append(
                    Notification(
                        recipient_id=user_id,
                        program=program,
                        kind=Notification.Kind.PREFERENCE_REMINDER,
                        key=f"preference_reminder:{program.pk}:{opened}",
                        context={"application": application_id},
                    )
                )
    return notify_many(rows)


def pair_preferences(program: Program, adept: Application, mentor: Application):
    """What an adept and a mentor said of each other, as the engine reads it for one pair
    made by hand (row 0 on each side); None where the program held no round. One query."""
    if not program.preferences_open_at:
        return None
    rows = list(
        Preference.objects.filter(ranker__in=[adept.pk, mentor.pk]).values_list(
            "ranker_id", "candidate_id", "rank", "rather_not"
        )
    )

    def said(ranker, candidate):
        return [(rank, no) for r, c, rank, no in rows if r == ranker and c == candidate]

    mine, theirs = said(adept.pk, mentor.pk), said(mentor.pk, adept.pk)
    refused = any(no for _rank, no in mine + theirs)
    return engine.Preferences(
        adept_ranks=np.array([(0, 0, rank) for rank, _no in mine if rank]).reshape(-1, 3),
        mentor_ranks=np.array([(0, 0, rank) for rank, _no in theirs if rank]).reshape(-1, 3),
        rather_not=np.array([(0, 0)] if refused else []).reshape(-1, 2),
        adept_answered=np.array([any(r == adept.pk and rank for r, _c, rank, _n in rows)]),
        mentor_answered=np.array([any(r == mentor.pk and rank for r, _c, rank, _n in rows)]),
        mentors_rank=program.mentors_rank,
    )
