"""The matching engine: optimal adept-mentor pairs under hard rules. Pure NumPy/SciPy.

No Django here: services.py turns applications into arrays and the result back into rows.
Every step works on whole arrays; there is no Python loop over pairs.

Scores are 0-100: a weighted mean of components, each in [0, 1]:

- needs: the share of the adept's needs that the mentor's strengths cover (the main term);
- region: the same region, counted fully when either wants to meet in person, half otherwise;
- format: the meeting formats are compatible (in person and digital are not);
- language: they share a language (unknown counts half);
- experience: the mentor has a sensible lead as a manager (3 to 15 years more is best);
- wishes: a free-text wish of either side names the other's region or organisation;
- preference: the ranks the people gave in the preference round (its weight is zero unless
  the program held one): 1 for a first choice, 1/2 for a second, 1/3 for a third and so on,
  0 for a candidate left unranked, 0.5 for everyone where the person did not answer
  (indifferent); where mentors rank too, the mean of the adept's and the mentor's side.

Hard rules leave a pair out entirely: the pairing rule (different organisation or unit),
exclusions, the same person on both sides, a "rather not" from either side in the preference
round, and mentor capacity. Locked pairs are kept as
they are. A pair below the minimum score is left unmatched rather than forced.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

COMPONENTS = ("needs", "region", "format", "language", "experience", "wishes", "preference")
DEFAULT_WEIGHTS = {
    "needs": 5.0,
    "region": 2.0,
    "format": 2.0,
    "language": 1.0,
    "experience": 1.0,
    "wishes": 1.0,
    # Only a program that held a preference round weighs the ranks (services set it).
    "preference": 0.0,
}
# The weight a preference round's ranks get by default: twice the needs, so that a first
# choice outweighs a mentor who covers more of the needs (the people's say comes first).
PREFERENCE_WEIGHT = 10.0
DEFAULT_MIN_SCORE = 40.0

# Meeting formats, and which pairs of them can meet.
EITHER, PHYSICAL, DIGITAL = 0, 1, 2
FORMAT_COMPATIBLE = np.array(
    [
        [1, 1, 1],  # either
        [1, 1, 0],  # in person
        [1, 0, 1],  # digital
    ],
    dtype=np.float32,
)

# Pairing rules.
ANY, DIFFERENT_ORGANIZATION, DIFFERENT_UNIT = "any", "different_organization", "different_unit"
# Outside the unit and outside the units under the same parent (sister teams, the school
# above a team): `unit_group` is each unit's parent, or the unit itself at the top.
DIFFERENT_UNIT_GROUP = "different_unit_group"

# Why a pair is not possible, as bits, for explanations.
BLOCK_ORGANIZATION, BLOCK_UNIT, BLOCK_EXCLUDED, BLOCK_SAME_PERSON, BLOCK_ANSWER = 1, 2, 4, 8, 16
BLOCK_RATHER_NOT = 32
BLOCKS = (
    BLOCK_ORGANIZATION, BLOCK_UNIT, BLOCK_EXCLUDED, BLOCK_SAME_PERSON, BLOCK_ANSWER,
    BLOCK_RATHER_NOT,
)  # fmt: skip
# The program's questions used as criteria: both must answer the same, or differently.
SAME_ANSWER, DIFFERENT_ANSWER = "same", "different"

# Why someone is left unmatched.
UNMATCHED_NO_ALLOWED = "no_allowed"  # every mentor is ruled out by a hard rule
UNMATCHED_BELOW_MINIMUM = "below_minimum"  # allowed mentors all score below the minimum
UNMATCHED_NO_PLACE = "no_place"  # suitable mentors' places went to others
UNMATCHED_NOT_NEEDED = "not_needed"  # (mentors) no adept needed this mentor
# (adepts who ranked) their ranked mentors' places went to others who ranked them or fit better
UNMATCHED_RANKED_TAKEN = "ranked_taken"

# Above this many score cells (adepts x mentor places) the solver works on each adept's
# best candidates only instead of the full matrix: much faster and lighter, and in the
# benchmark (bench/matching.py prints the gap) as good as the exact optimum. Every program
# of a realistic size (hundreds of people) is solved exactly.
DENSE_LIMIT = 2_000_000
CANDIDATES = 60
# The score matrix is built this many cells at a time, so memory stays flat as n grows.
CHUNK_CELLS = 2_000_000


@dataclass
class Side:
    """One side of the matching, one row per person. Ids are small non-negative ints;
    -1 means unknown (region) and never equals anything."""

    person: np.ndarray  # (n,) int: user id, so that nobody is matched with themselves
    focus: np.ndarray  # (n, F) bool: needs (adepts) or strengths (mentors)
    organization: np.ndarray  # (n,) int
    unit: np.ndarray  # (n,) int: unique across organisations
    region: np.ndarray  # (n,) int, -1 unknown
    meeting_format: np.ndarray  # (n,) int: EITHER, PHYSICAL or DIGITAL
    languages: np.ndarray  # (n,) int bit set, 0 unknown
    years: np.ndarray  # (n,) float: years as a manager
    wish_regions: np.ndarray  # (n, R) bool: regions named in the free-text wishes
    wish_organizations: np.ndarray  # (n, O) bool: organisations named in the wishes
    capacity: np.ndarray | None = None  # (n,) int, mentors only
    # (n,) int in the same numbering as `unit`: the parent unit, or the unit itself. Only the
    # different_unit_group rule reads it; None means every unit is its own group.
    unit_group: np.ndarray | None = None
    # (n, Q) int: the answer (an id, -1 unanswered) to each question used as a criterion,
    # and (on both sides alike) how each is compared: SAME_ANSWER or DIFFERENT_ANSWER.
    answers: np.ndarray | None = None
    answer_rules: tuple[str, ...] = ()
    # Set by _prepare: the focus as float32 for the products, and each row's count of needs.
    _focus32: np.ndarray = field(init=False, repr=False, compare=False)
    _needs: np.ndarray = field(init=False, repr=False, compare=False)

    def __len__(self):
        return len(self.person)


def _pair_keys(first: np.ndarray, second: np.ndarray, width: int) -> np.ndarray:
    return first.astype(np.int64) * np.int64(width) + second.astype(np.int64)


@dataclass
class Preferences:
    """What the people said in a preference round, by rows of the two sides. Whoever did
    not answer is indifferent; a "rather not" from either side is a hard rule."""

    adept_ranks: np.ndarray  # (k, 3) int: adept row, mentor row, rank (1 is the first)
    mentor_ranks: np.ndarray  # (k, 3) int: mentor row, adept row, rank
    rather_not: np.ndarray  # (k, 2) int: adept row, mentor row
    adept_answered: np.ndarray  # (n,) bool: ranked someone (else indifferent)
    mentor_answered: np.ndarray  # (m,) bool
    mentors_rank: bool = False  # the program lets mentors rank too

    @staticmethod
    def none(n: int, m: int) -> Preferences:
        empty3, empty2 = np.zeros((0, 3), dtype=np.int64), np.zeros((0, 2), dtype=np.int64)
        return Preferences(empty3, empty3, empty2, np.zeros(n, dtype=bool), np.zeros(m, dtype=bool))

    def prepare(self, m: int) -> Preferences:
        """Sorted keys for lookups by pair, once per run; m is the number of mentors."""
        self.adept_ranks = np.asarray(self.adept_ranks, dtype=np.int64).reshape(-1, 3)
        self.mentor_ranks = np.asarray(self.mentor_ranks, dtype=np.int64).reshape(-1, 3)
        self.rather_not = np.asarray(self.rather_not, dtype=np.int64).reshape(-1, 2)
        self.adept_answered = np.asarray(self.adept_answered, dtype=bool)
        self.mentor_answered = np.asarray(self.mentor_answered, dtype=bool)
        self._m = m
        keys = _pair_keys(self.adept_ranks[:, 0], self.adept_ranks[:, 1], m)
        order = np.argsort(keys, kind="stable")
        self._adept_keys, self._adept_rank = keys[order], self.adept_ranks[order, 2]
        keys = _pair_keys(self.mentor_ranks[:, 1], self.mentor_ranks[:, 0], m)
        order = np.argsort(keys, kind="stable")
        self._mentor_keys, self._mentor_rank = keys[order], self.mentor_ranks[order, 2]
        self._rather_not = np.unique(_pair_keys(self.rather_not[:, 0], self.rather_not[:, 1], m))
        return self

    @staticmethod
    def _lookup(sorted_keys, values, keys):
        """values at keys (0 where a key is absent), for keys of any shape."""
        if not len(sorted_keys):
            return np.zeros(np.shape(keys), dtype=np.int64)
        at = np.clip(np.searchsorted(sorted_keys, keys), 0, len(sorted_keys) - 1)
        return np.where(sorted_keys[at] == keys, values[at], 0)

    def adept_rank(self, a, b) -> np.ndarray:
        """The rank the adept gave the mentor (0: not ranked), broadcasting a and b."""
        return self._lookup(self._adept_keys, self._adept_rank, _pair_keys(a, b, self._m))

    def mentor_rank(self, a, b) -> np.ndarray:
        return self._lookup(self._mentor_keys, self._mentor_rank, _pair_keys(a, b, self._m))

    def refused(self, a, b) -> np.ndarray:
        if not len(self._rather_not):
            return np.zeros(np.broadcast_shapes(np.shape(a), np.shape(b)), dtype=bool)
        keys = _pair_keys(a, b, self._m)
        at = np.clip(np.searchsorted(self._rather_not, keys), 0, len(self._rather_not) - 1)
        return self._rather_not[at] == keys

    def component(self, a, b) -> np.ndarray:
        """The preference component of rows a and b: the adept's rank as a value in [0, 1]
        (1/rank; 0.5 where they did not answer), averaged with the mentor's where mentors
        rank too."""

        def value(rank, answered):
            ranked = np.where(rank > 0, 1 / np.maximum(rank, 1), 0).astype(np.float32)
            return np.where(answered, ranked, np.float32(0.5))

        adept = value(self.adept_rank(a, b), self.adept_answered[a])
        if not self.mentors_rank:
            return adept.astype(np.float32)
        mentor = value(self.mentor_rank(a, b), self.mentor_answered[b])
        return ((adept + mentor) / 2).astype(np.float32)


@dataclass
class Result:
    adept: np.ndarray  # (k,) int: row in adepts
    mentor: np.ndarray  # (k,) int: row in mentors
    score: np.ndarray  # (k,) float 0-100
    components: dict[str, np.ndarray]  # name -> (k,) float in [0, 1]
    locked: np.ndarray  # (k,) bool
    unmatched_adepts: dict[int, str] = field(default_factory=dict)
    unmatched_mentors: dict[int, str] = field(default_factory=dict)
    # (n, 5) per adept: how many mentors each hard rule rules out (organisation, unit,
    # exclusion, same person, an answer), to explain why others were not possible.
    ruled_out: np.ndarray = field(
        default_factory=lambda: np.zeros((0, len(BLOCKS)), dtype=np.int32)
    )
    timings: dict[str, float] = field(default_factory=dict)  # matrix_s, solve_s
    solver: str = ""  # "dense" (exact) or "candidates" (each adept's best k)

    @property
    def total(self) -> float:
        return float(self.score.sum())


def normalised_weights(weights: dict[str, float] | None) -> dict[str, float]:
    merged = {**DEFAULT_WEIGHTS, **(weights or {})}
    total = sum(max(merged[name], 0.0) for name in COMPONENTS)
    if total <= 0:
        raise ValueError("At least one weight must be positive.")
    return {name: 100.0 * max(merged[name], 0.0) / total for name in COMPONENTS}


def _components(
    adepts: Side, mentors: Side, a, b, covered, preferences: Preferences | None = None
) -> dict[str, np.ndarray]:
    """The components for adept rows `a` and mentor rows `b`, which broadcast: (r, 1) with
    (1, m) gives a block of the matrix, (k,) with (k,) gives k pairs. `covered` is how many
    of the adept's needs the mentor's strengths cover, in the same shape."""
    scores = {"needs": covered / adepts._needs[a]}

    a_region, m_region = adepts.region[a], mentors.region[b]
    same_region = (a_region == m_region) & (a_region >= 0)
    a_format, m_format = adepts.meeting_format[a], mentors.meeting_format[b]
    in_person = (a_format == PHYSICAL) | (m_format == PHYSICAL)
    scores["region"] = same_region * np.where(in_person, np.float32(1), np.float32(0.5))
    scores["format"] = FORMAT_COMPATIBLE[a_format, m_format]

    a_lang, m_lang = adepts.languages[a], mentors.languages[b]
    unknown = (a_lang == 0) | (m_lang == 0)
    scores["language"] = np.where(unknown, np.float32(0.5), ((a_lang & m_lang) != 0))

    gap = (mentors.years[b] - adepts.years[a]).astype(np.float32)
    experience = np.where(gap < 3, gap / 3, 1 - (gap - 15) / 15)
    experience = np.where((gap >= 3) & (gap <= 15), np.float32(1), experience)
    scores["experience"] = np.clip(experience, 0, 1)

    a_org, m_org = adepts.organization[a], mentors.organization[b]
    scores["wishes"] = 0.5 * (
        _wished(adepts.wish_regions, a, m_region) | _wished(adepts.wish_organizations, a, m_org)
    ) + 0.5 * (
        _wished(mentors.wish_regions, b, a_region) | _wished(mentors.wish_organizations, b, a_org)
    )
    scores["preference"] = (
        preferences.component(a, b)
        if preferences is not None
        else np.full(np.shape(covered), np.float32(0.5))
    )
    return {name: np.asarray(scores[name], dtype=np.float32) for name in COMPONENTS}


def _wished(wishes: np.ndarray, rows, other) -> np.ndarray:
    """Does row's wish list (bool over the other side's ids) name `other`? An unknown id
    (-1, or one the list does not cover) never does."""
    width = wishes.shape[1]
    if width == 0:
        return np.zeros(np.broadcast_shapes(np.shape(rows), np.shape(other)), dtype=bool)
    return wishes[rows, np.clip(other, 0, width - 1)] & (other >= 0) & (other < width)


def _blocked(adepts, mentors, a, b, rule, excluded, preferences=None) -> np.ndarray:
    """Block bits for rows `a` and `b` (broadcasting as in _components); `excluded` is a
    bool array of the same shape marking excluded pairs."""
    if rule == DIFFERENT_ORGANIZATION:
        bits = (adepts.organization[a] == mentors.organization[b]) * np.uint8(BLOCK_ORGANIZATION)
    elif rule == DIFFERENT_UNIT:
        bits = (adepts.unit[a] == mentors.unit[b]) * np.uint8(BLOCK_UNIT)
    elif rule == DIFFERENT_UNIT_GROUP:
        same = (adepts.unit[a] == mentors.unit[b]) | (adepts.unit_group[a] == mentors.unit_group[b])
        bits = same * np.uint8(BLOCK_UNIT)
    elif rule == ANY:
        bits = np.zeros(np.broadcast_shapes(np.shape(a), np.shape(b)), dtype=np.uint8)
    else:
        raise ValueError(f"Unknown pairing rule: {rule}")
    bits = bits.astype(np.uint8)
    bits |= ((adepts.person[a] == mentors.person[b]) * np.uint8(BLOCK_SAME_PERSON)).astype(np.uint8)
    bits |= (excluded * np.uint8(BLOCK_EXCLUDED)).astype(np.uint8)
    for column, how in enumerate(adepts.answer_rules):
        mine, theirs = adepts.answers[a, column], mentors.answers[b, column]
        differ = mine != theirs if how == SAME_ANSWER else mine == theirs
        clash = (mine >= 0) & (theirs >= 0) & differ
        bits |= (clash * np.uint8(BLOCK_ANSWER)).astype(np.uint8)
    if preferences is not None:
        bits |= (preferences.refused(a, b) * np.uint8(BLOCK_RATHER_NOT)).astype(np.uint8)
    return bits


def _prepare(side: Side) -> Side:
    for name in ("person", "organization", "unit", "region", "meeting_format", "languages"):
        setattr(side, name, np.asarray(getattr(side, name), dtype=np.int64))
    side.years = np.asarray(side.years, dtype=np.float64)
    if side.capacity is not None:
        side.capacity = np.asarray(side.capacity, dtype=np.int64)
    if side.answers is None:
        side.answers = np.full((len(side.person), len(side.answer_rules)), -1, dtype=np.int64)
    side.answers = np.asarray(side.answers, dtype=np.int64).reshape(
        len(side.person), len(side.answer_rules)
    )
    side.unit_group = (
        side.unit.copy() if side.unit_group is None else np.asarray(side.unit_group, dtype=np.int64)
    )
    side.focus = np.asarray(side.focus, dtype=bool)
    side._focus32 = side.focus.astype(np.float32)
    side._needs = np.maximum(side._focus32.sum(axis=1), 1).astype(np.float32)
    return side


def _excluded_block(exclusions: np.ndarray, start: int, stop: int, m: int) -> np.ndarray:
    block = np.zeros((stop - start, m), dtype=bool)
    inside = (exclusions[:, 0] >= start) & (exclusions[:, 0] < stop)
    block[exclusions[inside, 0] - start, exclusions[inside, 1]] = True
    return block


def _row_blocks(n: int, m: int):
    """Row ranges of about CHUNK_CELLS cells: the matrix is never held whole."""
    rows = max(1, CHUNK_CELLS // max(m, 1))
    for start in range(0, n, rows):
        yield start, min(start + rows, n)


def score_block(adepts, mentors, start, stop, weights, rule, exclusions, preferences=None):
    """Scores (r, m) float32 and block bits (r, m) uint8 for adept rows start:stop."""
    w = normalised_weights(weights)
    a = np.arange(start, stop)[:, None]
    b = np.arange(len(mentors))[None, :]
    covered = adepts._focus32[start:stop] @ mentors._focus32.T
    # Without weight the ranks change no score: their lookups are skipped.
    weighed = preferences if preferences is not None and w["preference"] > 0 else None
    components = _components(adepts, mentors, a, b, covered, weighed)
    score = np.zeros(covered.shape, dtype=np.float32)
    for name in COMPONENTS:  # seven terms, not pairs
        score += np.float32(w[name]) * components[name]
    excluded = _excluded_block(exclusions, start, stop, len(mentors))
    return score, _blocked(adepts, mentors, a, b, rule, excluded, preferences)


def score_matrix(adepts, mentors, weights=None, rule=ANY, exclusions=None, preferences=None):
    """The whole score matrix (n, m) and block bits; for tests, small programs and a
    person's shortlist."""
    _prepare(adepts)
    _prepare(mentors)
    if preferences is not None:
        preferences.prepare(len(mentors))
    exclusions = np.zeros((0, 2), dtype=np.int64) if exclusions is None else exclusions
    parts = [
        score_block(adepts, mentors, start, stop, weights, rule, exclusions, preferences)
        for start, stop in _row_blocks(len(adepts), len(mentors))
    ]
    if not parts:
        empty = np.zeros((0, len(mentors)))
        return empty.astype(np.float32), empty.astype(np.uint8)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def pair_components(adepts, mentors, a, b, preferences=None) -> dict[str, np.ndarray]:
    """The components of k given pairs (adept rows a, mentor rows b)."""
    _prepare(adepts)
    _prepare(mentors)
    if preferences is not None:
        preferences.prepare(len(mentors))
    covered = np.einsum("ij,ij->i", adepts._focus32[a], mentors._focus32[b])
    return _components(adepts, mentors, a, b, covered, preferences)


def pair_blocks(adepts, mentors, a, b, *, rule, excluded, preferences=None) -> np.ndarray:
    """The hard rules' block bits of k given pairs, exactly as the matching applies them."""
    _prepare(adepts)
    _prepare(mentors)
    if preferences is not None:
        preferences.prepare(len(mentors))
    return _blocked(adepts, mentors, a, b, rule, np.asarray(excluded, dtype=bool), preferences)


def pair_scores(components: dict[str, np.ndarray], weights=None) -> np.ndarray:
    w = normalised_weights(weights)
    return np.asarray(sum(np.float64(w[name]) * components[name] for name in COMPONENTS))


def _solve_dense(value: np.ndarray, columns: np.ndarray):
    """Maximise the total of `value` (n, m; 0 means no pair) over capacity-expanded columns."""
    expanded = value[:, columns]
    rows, cols = linear_sum_assignment(expanded, maximize=True)
    return rows, columns[cols]


def _solve_candidates(best: np.ndarray, best_value: np.ndarray, places: np.ndarray):
    """The same on each adept's best candidate mentors only (sparse), for large programs.

    best, best_value: (n, k) mentor rows and values. Every adept also gets a private
    "nobody" column worth zero, so a full matching of the adepts always exists;
    min_weight_full_bipartite_matching then minimises cost = top - value.
    """
    n = len(best)
    columns = np.repeat(np.arange(len(places)), places)  # place column -> mentor
    first_place = np.cumsum(places) - places
    keep = (best_value > 0).ravel()
    rows = np.repeat(np.arange(n), best.shape[1])[keep]
    mentor = best.ravel()[keep]
    edge_value = best_value.ravel()[keep]
    repeat = places[mentor]  # an edge to each of the mentor's free places
    rows = np.repeat(rows, repeat)
    edge_value = np.repeat(edge_value, repeat)
    offsets = np.arange(repeat.sum()) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    col = np.repeat(first_place[mentor], repeat) + offsets
    total_places = len(columns)
    top = float(best_value.max(initial=0)) + 1.0
    cost = np.concatenate([top - edge_value, np.full(n, top)])
    graph = csr_matrix(
        (
            cost,
            (
                np.concatenate([rows, np.arange(n)]),
                np.concatenate([col, total_places + np.arange(n)]),
            ),
        ),
        shape=(n, total_places + n),
    )
    matched_rows, matched_cols = min_weight_full_bipartite_matching(graph)
    real = matched_cols < total_places
    return matched_rows[real], columns[matched_cols[real]]


def _setup(adepts, mentors, exclusions, locked, preferences):
    """What a run starts from: the sides prepared, the pairs as (k, 2) arrays, and each
    mentor's places left after the locked pairs."""
    _prepare(adepts)
    _prepare(mentors)
    n, m = len(adepts), len(mentors)
    if preferences is not None:
        preferences.prepare(m)
    exclusions = np.zeros((0, 2), dtype=np.int64) if exclusions is None else np.asarray(exclusions)
    locked = np.zeros((0, 2), dtype=np.int64) if locked is None else np.asarray(locked)
    locked = locked.reshape(-1, 2).astype(np.int64)
    capacity = np.asarray(mentors.capacity if mentors.capacity is not None else np.ones(m))
    places = np.clip(capacity.astype(np.int64) - np.bincount(locked[:, 1], minlength=m), 0, None)
    return n, m, exclusions, locked, places


def match(
    adepts: Side,
    mentors: Side,
    *,
    rule: str = DIFFERENT_ORGANIZATION,
    weights: dict[str, float] | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
    exclusions: np.ndarray | None = None,
    locked: np.ndarray | None = None,
    dense_limit: int = DENSE_LIMIT,
    candidates: int = CANDIDATES,
    preferences: Preferences | None = None,
) -> Result:
    """The assignment with the highest total score under the hard rules.

    exclusions and locked are (k, 2) int arrays of (adept row, mentor row). Locked pairs are
    kept whatever their score (they were checked against the hard rules when locked) and use
    up a place of their mentor.
    """
    started = time.perf_counter()
    n, m, exclusions, locked, places = _setup(adepts, mentors, exclusions, locked, preferences)
    free = np.ones(n, dtype=bool)
    free[locked[:, 0]] = False
    dense = int(free.sum()) * int(places.sum()) <= dense_limit
    k = min(candidates, m)

    # One pass over the matrix in row blocks: the values the solver needs (all of them, or
    # each adept's k best), and per adept what the hard rules and the minimum left open.
    any_allowed = np.zeros(n, dtype=bool)
    any_good = np.zeros(n, dtype=bool)
    ruled_out = np.zeros((n, len(BLOCKS)), dtype=np.int32)  # per block bit: how many mentors
    values, best, best_value = [], [], []
    for start, stop in _row_blocks(n, m):
        score, blocked = score_block(
            adepts, mentors, start, stop, weights, rule, exclusions, preferences
        )
        allowed = blocked == 0
        good = allowed & (score >= min_score)
        any_allowed[start:stop] = allowed.any(axis=1)
        any_good[start:stop] = good.any(axis=1)
        for i, bit in enumerate(BLOCKS):
            ruled_out[start:stop, i] = ((blocked & bit) != 0).sum(axis=1)
        # The value of a pair: its score where it may be formed, else zero (= no pair).
        value = np.where(good, score, np.float32(0))
        if dense:
            values.append(value)
        elif k:
            top = (
                np.argpartition(-value, kth=k - 1, axis=1)[:, :k]
                if k < m
                else np.broadcast_to(np.arange(m), (stop - start, m))
            )
            best.append(top)
            best_value.append(np.take_along_axis(value, top, axis=1))
    matrix_done = time.perf_counter()

    rows_free = np.flatnonzero(free)
    adept_rows = mentor_rows = np.zeros(0, dtype=np.int64)
    if len(rows_free) and places.sum() and any_good[rows_free].any():
        if dense:
            value = np.concatenate(values)[rows_free].astype(np.float64)
            columns = np.repeat(np.arange(m), places)  # one column per free mentor place
            rows, mentor_rows = _solve_dense(value, columns)
            formed = value[rows, mentor_rows] > 0
        else:
            top, top_value = np.concatenate(best)[rows_free], np.concatenate(best_value)[rows_free]
            rows, mentor_rows = _solve_candidates(top, top_value.astype(np.float64), places)
            formed = np.ones(len(rows), dtype=bool)
        adept_rows = rows_free[rows[formed]]
        mentor_rows = mentor_rows[formed]

    adept_idx = np.concatenate([locked[:, 0], adept_rows]).astype(np.int64)
    mentor_idx = np.concatenate([locked[:, 1], mentor_rows]).astype(np.int64)
    is_locked = np.concatenate([np.ones(len(locked), bool), np.zeros(len(adept_rows), bool)])
    components = pair_components(adepts, mentors, adept_idx, mentor_idx, preferences)

    # Why the others are left out, for the review screen (a loop over people, not pairs).
    matched = np.zeros(n, dtype=bool)
    matched[adept_idx] = True
    reasons = np.where(
        ~any_allowed,
        UNMATCHED_NO_ALLOWED,
        np.where(~any_good, UNMATCHED_BELOW_MINIMUM, UNMATCHED_NO_PLACE),
    )
    if preferences is not None:
        reasons = np.where(
            preferences.adept_answered & (reasons == UNMATCHED_NO_PLACE),
            UNMATCHED_RANKED_TAKEN,
            reasons,
        )
    unmatched_adepts = {int(row): str(reasons[row]) for row in np.flatnonzero(~matched)}
    used = np.bincount(mentor_idx, minlength=m)
    unmatched_mentors = {int(row): UNMATCHED_NOT_NEEDED for row in np.flatnonzero(used == 0)}

    return Result(
        adept=adept_idx,
        mentor=mentor_idx,
        score=pair_scores(components, weights),
        components=components,
        locked=is_locked,
        unmatched_adepts=unmatched_adepts,
        unmatched_mentors=unmatched_mentors,
        ruled_out=ruled_out,
        timings={"matrix_s": matrix_done - started, "solve_s": time.perf_counter() - matrix_done},
        solver="dense" if dense else "candidates",
    )


def _utilities(score, a, b, preferences, *, adept_side: bool):
    """How much a person wants each candidate, for comparing: a rank they gave comes before
    every candidate they did not rank (first the highest), and among the rest the score
    decides; someone who ranked nobody goes by the score alone."""
    if preferences is None:
        return score
    rank = preferences.adept_rank(a, b) if adept_side else preferences.mentor_rank(a, b)
    return np.where(rank > 0, np.float32(1000) - rank, score)


# Scores closer than this are a tie: nobody prefers one to the other.
TIE = 1e-3


def preference_report(
    adepts: Side,
    mentors: Side,
    result: Result,
    *,
    preferences: Preferences,
    rule: str = DIFFERENT_ORGANIZATION,
    weights: dict[str, float] | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
    exclusions: np.ndarray | None = None,
) -> dict:
    """How a run honours the preference round: of the adepts who answered, the share who
    got their first choice, one of their top 3, or a mentor they did not rank; and the number
    of blocking pairs: an adept and a mentor, allowed together and above the minimum, who
    both prefer each other to what they got (a mentor with a free place prefers any such
    adept to none). Whole arrays, in row blocks: no loop over pairs."""
    _prepare(adepts)
    _prepare(mentors)
    preferences.prepare(len(mentors))
    n, m = len(adepts), len(mentors)
    exclusions = np.zeros((0, 2), dtype=np.int64) if exclusions is None else np.asarray(exclusions)
    answered = preferences.adept_answered
    got = np.zeros(n, dtype=np.int64)  # the rank each adept gave their mentor (0: none)
    got[result.adept] = preferences.adept_rank(result.adept, result.mentor)
    matched = np.zeros(n, dtype=bool)
    matched[result.adept] = True
    asked = int(answered.sum())

    def share(mask) -> float:
        return round(100.0 * int((mask & answered).sum()) / asked, 1) if asked else 0.0

    # What each has now: the adept's utility of their mentor (-inf: none), and each mentor's
    # worst held adept (-inf: a free place).
    current = np.full(n, -np.inf, dtype=np.float64)
    mentor_of = np.full(n, -1, dtype=np.int64)
    mentor_of[result.adept] = result.mentor
    # The held pairs' scores as the blocks compute them (float32, the same sums), so that a
    # tie is a tie; and a margin below which nobody "prefers".
    w = normalised_weights(weights)
    held_score = np.zeros(len(result.adept), dtype=np.float32)
    for name in COMPONENTS:
        held_score += np.float32(w[name]) * result.components[name].astype(np.float32)
    current[result.adept] = _utilities(
        held_score, result.adept, result.mentor, preferences, adept_side=True
    )
    capacity = np.asarray(mentors.capacity if mentors.capacity is not None else np.ones(m))
    worst = np.full(m, np.inf, dtype=np.float64)
    mentor_utility = _utilities(
        held_score, result.adept, result.mentor, preferences, adept_side=False
    )
    np.minimum.at(worst, result.mentor, mentor_utility)
    worst[np.bincount(result.mentor, minlength=m) < capacity] = -np.inf
    blocking = 0
    for start, stop in _row_blocks(n, m):
        score, blocked = score_block(
            adepts, mentors, start, stop, weights, rule, exclusions, preferences
        )
        a = np.arange(start, stop)[:, None]
        b = np.arange(m)[None, :]
        possible = (blocked == 0) & (score >= min_score) & (mentor_of[start:stop, None] != b)
        adept_wants = _utilities(score, a, b, preferences, adept_side=True) > current[a] + TIE
        mentor_wants = _utilities(score, a, b, preferences, adept_side=False) > worst[b] + TIE
        blocking += int((possible & adept_wants & mentor_wants).sum())
    return {
        "answered": asked,
        "first": share(got == 1),
        "top3": share((got >= 1) & (got <= 3)),
        "unranked": share(matched & (got == 0)),
        "blocking_pairs": blocking,
    }


def stable(
    adepts: Side,
    mentors: Side,
    *,
    rule: str = DIFFERENT_ORGANIZATION,
    weights: dict[str, float] | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
    exclusions: np.ndarray | None = None,
    locked: np.ndarray | None = None,
    preferences: Preferences | None = None,
    dense_limit: int = DENSE_LIMIT,
    candidates: int = CANDIDATES,
) -> Result:
    """A stable assignment, for the coordinator to compare with the optimum: deferred
    acceptance, adepts proposing, mentors holding up to their free places. Each person's
    order is their ranks first, then the score (as preference_report reads it); a pair the
    hard rules or the minimum leave out is never formed. Large programs use each adept's best
    `candidates` mentors. Proposals go out in rounds, all free adepts at once: whole arrays
    per round, no loop over pairs."""
    started = time.perf_counter()
    n, m, exclusions, locked, places = _setup(adepts, mentors, exclusions, locked, preferences)
    k = m if n * m <= dense_limit else min(candidates, m)
    # Each adept's list: their k most wanted acceptable mentors, most wanted first, and what
    # each of those mentors thinks of them.
    lists = np.full((n, k), -1, dtype=np.int64)
    mentor_wants = np.full((n, k), -np.inf, dtype=np.float64)
    for start, stop in _row_blocks(n, m):
        score, blocked = score_block(
            adepts, mentors, start, stop, weights, rule, exclusions, preferences
        )
        a = np.arange(start, stop)[:, None]
        b = np.arange(m)[None, :]
        acceptable = (blocked == 0) & (score >= min_score)
        wants = np.where(acceptable, _utilities(score, a, b, preferences, adept_side=True), -np.inf)
        order = np.argsort(-wants, axis=1, kind="stable")[:, :k]
        ok = np.take_along_axis(acceptable, order, axis=1)
        lists[start:stop] = np.where(ok, order, -1)
        theirs = _utilities(score, a, b, preferences, adept_side=False)
        mentor_wants[start:stop] = np.where(
            ok, np.take_along_axis(np.broadcast_to(theirs, score.shape), order, axis=1), -np.inf
        )
    matrix_done = time.perf_counter()

    held = np.full(n, -1, dtype=np.int64)  # the mentor holding each adept
    held_value = np.full(n, -np.inf)  # how much that mentor wants them
    pointer = np.zeros(n, dtype=np.int64)
    active = np.ones(n, dtype=bool)
    active[locked[:, 0]] = False
    while True:
        free = np.flatnonzero(active & (held < 0) & (pointer < k))
        if not len(free):
            break
        mentor = lists[free, pointer[free]]
        value = mentor_wants[free, pointer[free]]
        pointer[free] += 1
        proposing = mentor >= 0
        free, mentor, value = free[proposing], mentor[proposing], value[proposing]
        if not len(free):
            continue
        # Each mentor keeps the best of those they hold and the new proposals, up to their
        # free places; the rest are free again.
        holding = np.flatnonzero(held >= 0)
        who = np.concatenate([holding, free])
        at = np.concatenate([held[holding], mentor])
        worth = np.concatenate([held_value[holding], value])
        order = np.lexsort((-worth, at))
        who, at, worth = who[order], at[order], worth[order]
        first = np.searchsorted(at, at, side="left")
        keep = (np.arange(len(at)) - first) < places[at]
        held[who] = -1
        held_value[who] = -np.inf
        held[who[keep]] = at[keep]
        held_value[who[keep]] = worth[keep]
        # An adept whose list ran out stays unmatched.
    adept_rows = np.flatnonzero(held >= 0)
    adept_idx = np.concatenate([locked[:, 0], adept_rows]).astype(np.int64)
    mentor_idx = np.concatenate([locked[:, 1], held[adept_rows]]).astype(np.int64)
    components = pair_components(adepts, mentors, adept_idx, mentor_idx, preferences)
    return Result(
        adept=adept_idx,
        mentor=mentor_idx,
        score=pair_scores(components, weights),
        components=components,
        locked=np.concatenate([np.ones(len(locked), bool), np.zeros(len(adept_rows), bool)]),
        timings={"matrix_s": matrix_done - started, "solve_s": time.perf_counter() - matrix_done},
        solver="stable",
    )


def greedy(adepts, mentors, *, rule=DIFFERENT_ORGANIZATION, weights=None,
           min_score=DEFAULT_MIN_SCORE, exclusions=None) -> float:  # fmt: skip
    """The baseline the benchmark compares with: the best remaining pair first."""
    score, blocked = score_matrix(adepts, mentors, weights, rule, exclusions)
    flat = np.where((blocked == 0) & (score >= min_score), score, -1).ravel()
    order = np.argsort(-flat, kind="stable")
    order = order[flat[order] >= 0]
    capacity = np.asarray(mentors.capacity).astype(np.int64).copy()
    taken = np.zeros(len(adepts), dtype=bool)
    total = 0.0
    m = len(mentors)
    for cell in order:  # greedy is sequential by nature; it is the baseline, not the engine
        a, b = divmod(int(cell), m)
        if not taken[a] and capacity[b] > 0:
            taken[a] = True
            capacity[b] -= 1
            total += float(flat[cell])
    return total
