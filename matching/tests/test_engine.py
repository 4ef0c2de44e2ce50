"""The engine on hand-made cases with known answers, and properties on generated ones."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import engine

F = 4  # focus areas in the hand-made cases


def side(rows, capacity=None, person_offset=0):
    """rows: dicts with focus (list of area indexes), org, and optionally the rest."""
    n = len(rows)

    def column(name, default):
        return np.array([row.get(name, default) for row in rows])

    focus = np.zeros((n, F), dtype=bool)
    for i, row in enumerate(rows):
        focus[i, row.get("focus", [])] = True
    return engine.Side(
        person=np.arange(n) + person_offset,
        focus=focus,
        organization=column("org", 0),
        unit=column("unit", 0),
        region=column("region", -1),
        meeting_format=column("format", engine.EITHER),
        languages=column("languages", 1),
        years=column("years", 0.0).astype(float),
        wish_regions=np.zeros((n, 4), dtype=bool),
        wish_organizations=np.zeros((n, 4), dtype=bool),
        capacity=None if capacity is None else np.array(capacity),
    )


def adepts(*rows):
    return side(list(rows))


def mentors(*rows, capacity=None):
    return side(list(rows), capacity=capacity or [1] * len(rows), person_offset=1000)


NEEDS_ONLY = {"needs": 1, "region": 0, "format": 0, "language": 0, "experience": 0, "wishes": 0}


def pairs(result):
    return sorted(zip(result.adept.tolist(), result.mentor.tolist(), strict=True))


def test_optimal_beats_greedy_where_greedy_takes_the_best_pair_first():
    # Adept 0 fits both mentors; adept 1 fits only mentor 0. Greedy gives mentor 0 to adept 0
    # (the single best pair, 100) and leaves adept 1 alone; the optimum pairs both.
    a = adepts({"focus": [0, 1], "org": 1}, {"focus": [0], "org": 1})
    m = mentors({"focus": [0, 1], "org": 2}, {"focus": [1], "org": 2})
    result = engine.match(a, m, weights=NEEDS_ONLY, min_score=10)
    assert pairs(result) == [(0, 1), (1, 0)]
    assert result.total == pytest.approx(150)
    assert engine.greedy(a, m, weights=NEEDS_ONLY, min_score=10) == pytest.approx(100)


def test_different_organisation_is_a_hard_rule():
    a = adepts({"focus": [0], "org": 1})
    m = mentors({"focus": [0], "org": 1, "region": 5}, {"focus": [0], "org": 2})
    a.region[0] = 5  # the same region too: the better fit, but the same organisation
    result = engine.match(a, m, min_score=0)
    assert pairs(result) == [(0, 1)]
    assert result.ruled_out[0, 0] == 1  # one mentor ruled out by organisation


def test_different_unit_allows_the_same_organisation_but_not_the_same_team():
    a = adepts({"focus": [0], "org": 1, "unit": 10})
    m = mentors({"focus": [0], "org": 1, "unit": 10}, {"focus": [0], "org": 1, "unit": 11})
    result = engine.match(a, m, rule=engine.DIFFERENT_UNIT, weights=NEEDS_ONLY)
    assert pairs(result) == [(0, 1)]
    assert pairs(engine.match(a, m, rule=engine.ANY, weights=NEEDS_ONLY)) in ([(0, 0)], [(0, 1)])


def test_exclusions_are_never_matched_and_unmatched_adepts_get_a_reason():
    a = adepts({"focus": [0], "org": 1})
    m = mentors({"focus": [0], "org": 2})
    result = engine.match(a, m, exclusions=np.array([[0, 0]]), weights=NEEDS_ONLY)
    assert pairs(result) == []
    assert result.unmatched_adepts == {0: engine.UNMATCHED_NO_ALLOWED}
    assert result.unmatched_mentors == {0: engine.UNMATCHED_NOT_NEEDED}


def test_nobody_is_matched_with_themselves():
    a = adepts({"focus": [0], "org": 1})
    m = side([{"focus": [0], "org": 2}], capacity=[1])  # person 0 on both sides
    result = engine.match(a, m, rule=engine.ANY, weights=NEEDS_ONLY)
    assert pairs(result) == []


def test_capacity_lets_a_mentor_take_up_to_three_adepts():
    a = adepts(*[{"focus": [0], "org": 1}] * 4)
    m = mentors({"focus": [0], "org": 2}, capacity=[3])
    result = engine.match(a, m, weights=NEEDS_ONLY)
    assert len(result.adept) == 3
    assert set(result.mentor.tolist()) == {0}
    (left,) = result.unmatched_adepts
    assert result.unmatched_adepts[left] == engine.UNMATCHED_NO_PLACE


def test_the_minimum_score_leaves_weak_pairs_unmatched():
    a = adepts({"focus": [0, 1, 2, 3], "org": 1})
    m = mentors({"focus": [0], "org": 2})  # covers a quarter of the needs: 25
    assert pairs(engine.match(a, m, weights=NEEDS_ONLY, min_score=20)) == [(0, 0)]
    result = engine.match(a, m, weights=NEEDS_ONLY, min_score=30)
    assert pairs(result) == []
    assert result.unmatched_adepts == {0: engine.UNMATCHED_BELOW_MINIMUM}


def test_locked_pairs_are_kept_and_use_a_place():
    a = adepts({"focus": [0], "org": 1}, {"focus": [0], "org": 1})
    m = mentors({"focus": [0], "org": 2}, {"focus": [3], "org": 2})
    # Lock adept 0 with the weak mentor 1: kept, and mentor 0 goes to adept 1.
    result = engine.match(a, m, weights=NEEDS_ONLY, min_score=0, locked=np.array([[0, 1]]))
    assert pairs(result) == [(0, 1), (1, 0)]
    assert result.locked.tolist() == [True, False]


@pytest.mark.parametrize(("n_adepts", "n_mentors"), [(0, 3), (3, 0), (0, 0)])
def test_empty_sides(n_adepts, n_mentors):
    a = adepts(*[{"focus": [0], "org": 1}] * n_adepts)
    m = mentors(*[{"focus": [0], "org": 2}] * n_mentors) if n_mentors else side([], capacity=[])
    result = engine.match(a, m)
    assert len(result.adept) == 0
    assert len(result.unmatched_adepts) == n_adepts


def test_more_adepts_than_places_and_the_reverse():
    many = adepts(*[{"focus": [0], "org": 1}] * 5)
    few = mentors({"focus": [0], "org": 2}, {"focus": [0], "org": 3}, capacity=[1, 2])
    assert len(engine.match(many, few, weights=NEEDS_ONLY).adept) == 3
    one = adepts({"focus": [0], "org": 1})
    plenty = mentors(*[{"focus": [0], "org": 2}] * 4)
    assert len(engine.match(one, plenty, weights=NEEDS_ONLY).adept) == 1


def test_components_explain_region_format_language_experience_and_wishes():
    a = adepts(
        {"focus": [0, 1], "org": 1, "region": 3, "format": engine.PHYSICAL, "languages": 0b01,
         "years": 1},
    )  # fmt: skip
    m = mentors(
        {"focus": [0], "org": 2, "region": 3, "format": engine.EITHER, "languages": 0b11,
         "years": 9},
    )  # fmt: skip
    a.wish_regions[0, 3] = True
    result = engine.match(a, m, min_score=0)
    c = {name: float(values[0]) for name, values in result.components.items()}
    assert c == {
        "needs": 0.5,
        "region": 1.0,
        "format": 1.0,
        "language": 1.0,
        "experience": 1.0,
        "wishes": 0.5,
        "preference": 0.5,  # no preference round: everyone indifferent
    }


def test_in_person_and_digital_do_not_fit():
    a = adepts({"focus": [0], "org": 1, "format": engine.PHYSICAL})
    m = mentors({"focus": [0], "org": 2, "format": engine.DIGITAL})
    result = engine.match(a, m, min_score=0)
    assert float(result.components["format"][0]) == 0.0


def test_the_candidate_solver_agrees_with_the_exact_one():
    rng = np.random.default_rng(7)
    n = 120
    a = random_side(rng, n, mentor=False)
    m = random_side(rng, n, mentor=True)
    exact = engine.match(a, m, dense_limit=10**9)
    sparse = engine.match(a, m, dense_limit=0, candidates=30)
    assert exact.solver == "dense" and sparse.solver == "candidates"
    assert sparse.total == pytest.approx(exact.total, rel=1e-3)


def random_side(rng, n, mentor):
    return engine.Side(
        person=np.arange(n) + (10_000 if mentor else 0),
        focus=rng.random((n, 6)) < 0.3,
        organization=rng.integers(0, 3, n),
        unit=rng.integers(0, 9, n),
        region=rng.integers(-1, 4, n),
        meeting_format=rng.integers(0, 3, n),
        languages=rng.integers(0, 4, n),
        years=rng.uniform(0, 20, n),
        wish_regions=rng.random((n, 4)) < 0.2,
        wish_organizations=rng.random((n, 3)) < 0.2,
        capacity=rng.integers(1, 4, n) if mentor else None,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 25),
    m=st.integers(0, 12),
    rule=st.sampled_from([engine.ANY, engine.DIFFERENT_ORGANIZATION, engine.DIFFERENT_UNIT]),
    min_score=st.floats(0, 80),
    sparse=st.booleans(),
)
def test_no_pair_breaks_a_rule_capacity_holds_and_the_total_adds_up(
    seed, n, m, rule, min_score, sparse
):
    rng = np.random.default_rng(seed)
    a = random_side(rng, n, mentor=False)
    b = random_side(rng, m, mentor=True)
    exclusions = (
        np.stack([rng.integers(0, n, 5), rng.integers(0, m, 5)], axis=1)
        if n and m
        else np.zeros((0, 2), dtype=np.int64)
    )
    result = engine.match(
        a, b, rule=rule, min_score=min_score, exclusions=exclusions,
        dense_limit=0 if sparse else 10**9, candidates=5,
    )  # fmt: skip

    # No adept twice, no mentor over capacity.
    assert len(set(result.adept.tolist())) == len(result.adept)
    if m:
        assert (np.bincount(result.mentor, minlength=m) <= b.capacity).all()
    # No hard rule broken, no pair under the minimum.
    _score, blocked = engine.score_matrix(a, b, None, rule, exclusions)
    assert (blocked[result.adept, result.mentor] == 0).all()
    assert (result.score >= min_score - 1e-3).all()
    if rule == engine.DIFFERENT_ORGANIZATION:
        assert (a.organization[result.adept] != b.organization[result.mentor]).all()
    # The total is the sum of the pair scores, and each pair's score its components'.
    assert result.total == pytest.approx(float(result.score.sum()))
    assert result.score == pytest.approx(engine.pair_scores(result.components), abs=1e-3)
    # Everyone is either matched or has a reason.
    assert set(result.adept.tolist()) | set(result.unmatched_adepts) == set(range(n))
    # Never worse than greedy.
    greedy = engine.greedy(a, b, rule=rule, min_score=min_score, exclusions=exclusions)
    assert result.total >= greedy - 1e-3 or sparse


def preferences(n, m, adept_ranks=(), mentor_ranks=(), rather_not=(), answered=None):
    adept_ranks = np.array(adept_ranks, dtype=np.int64).reshape(-1, 3)
    mentor_ranks = np.array(mentor_ranks, dtype=np.int64).reshape(-1, 3)
    adept_answered = np.zeros(n, dtype=bool)
    adept_answered[adept_ranks[:, 0]] = True
    if answered is not None:
        adept_answered[list(answered)] = True
    mentor_answered = np.zeros(m, dtype=bool)
    mentor_answered[mentor_ranks[:, 0]] = True
    return engine.Preferences(
        adept_ranks=adept_ranks,
        mentor_ranks=mentor_ranks,
        rather_not=np.array(rather_not, dtype=np.int64).reshape(-1, 2),
        adept_answered=adept_answered,
        mentor_answered=mentor_answered,
        mentors_rank=bool(len(mentor_ranks)),
    )


WITH_RANKS = {**NEEDS_ONLY, "preference": engine.PREFERENCE_WEIGHT}


def random_ranks(rng, rankers, candidates, k=3, share=0.7):
    """About `share` of the rankers rank k distinct candidates: (ranker, candidate, rank)."""
    k = min(k, candidates)
    return [
        (row, int(candidate), rank + 1)
        for row in range(rankers)
        if rng.random() < share
        for rank, candidate in enumerate(rng.choice(candidates, size=k, replace=False))
    ]


def test_a_first_choice_decides_between_equally_good_mentors_and_is_explained():
    a = adepts({"focus": [0], "org": 1}, {"focus": [0], "org": 1})
    m = mentors({"focus": [0], "org": 2}, {"focus": [0], "org": 2})
    # Adept 0 ranks mentor 1 first and mentor 0 second; adept 1 did not answer.
    prefs = preferences(2, 2, adept_ranks=[(0, 1, 1), (0, 0, 2)])
    result = engine.match(a, m, weights=WITH_RANKS, min_score=0, preferences=prefs)
    assert pairs(result) == [(0, 1), (1, 0)]
    c = dict(zip(result.adept.tolist(), result.components["preference"].tolist(), strict=True))
    assert c[0] == pytest.approx(1.0)  # the adept's first choice (mentors do not rank here)
    assert c[1] == pytest.approx(0.5)  # indifferent
    report = engine.preference_report(
        a, m, result, preferences=prefs, weights=WITH_RANKS, min_score=0
    )
    assert report == {
        "answered": 1, "first": 100.0, "top3": 100.0, "unranked": 0.0, "blocking_pairs": 0,
    }  # fmt: skip


def test_rather_not_is_a_hard_rule_even_for_the_best_pair():
    a = adepts({"focus": [0, 1], "org": 1})
    m = mentors({"focus": [0, 1], "org": 2}, {"focus": [3], "org": 2})
    prefs = preferences(1, 2, rather_not=[(0, 0)])  # no ranks: indifferent to the others
    result = engine.match(a, m, weights=WITH_RANKS, min_score=0, preferences=prefs)
    assert pairs(result) == [(0, 1)]
    # Only that mentor: unmatched, and the reason counts the "rather not".
    result = engine.match(
        a, mentors({"focus": [0, 1], "org": 2}), weights=WITH_RANKS, min_score=0,
        preferences=prefs,
    )  # fmt: skip
    assert pairs(result) == []
    assert result.unmatched_adepts == {0: engine.UNMATCHED_NO_ALLOWED}
    assert result.ruled_out[0].tolist() == [0, 0, 0, 0, 0, 1]


def test_a_blocking_pair_is_counted_where_both_would_rather_have_each_other():
    # Mentor 0 has one place. Adept 0 ranks mentor 0 first, and mentor 0 ranks adept 0 first,
    # but a lock gives mentor 0 to adept 1: adept 0 and mentor 0 block that assignment.
    a = adepts({"focus": [0], "org": 1}, {"focus": [0], "org": 1})
    m = mentors({"focus": [0], "org": 2}, {"focus": [0], "org": 2})
    prefs = preferences(
        2, 2, adept_ranks=[(0, 0, 1), (0, 1, 2)], mentor_ranks=[(0, 0, 1), (0, 1, 2)]
    )
    result = engine.match(
        a, m, weights=WITH_RANKS, min_score=0, preferences=prefs, locked=np.array([[1, 0]])
    )
    assert pairs(result) == [(0, 1), (1, 0)]
    report = engine.preference_report(
        a, m, result, preferences=prefs, weights=WITH_RANKS, min_score=0
    )
    assert report["blocking_pairs"] == 1
    assert (report["first"], report["top3"], report["unranked"]) == (0.0, 100.0, 0.0)
    # Unlocked, the optimum gives each their first choice, and nothing blocks it.
    result = engine.match(a, m, weights=WITH_RANKS, min_score=0, preferences=prefs)
    report = engine.preference_report(
        a, m, result, preferences=prefs, weights=WITH_RANKS, min_score=0
    )
    assert pairs(result) == [(0, 0), (1, 1)]
    assert (report["first"], report["blocking_pairs"]) == (100.0, 0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 20),
    m=st.integers(1, 10),
    sparse=st.booleans(),
)
def test_rather_not_rules_and_capacity_are_never_broken_with_preferences(seed, n, m, sparse):
    rng = np.random.default_rng(seed)
    a = random_side(rng, n, mentor=False)
    b = random_side(rng, m, mentor=True)
    ranks = random_ranks(rng, n, m)
    refused = np.stack([rng.integers(0, n, 8), rng.integers(0, m, 8)], axis=1)
    prefs = preferences(n, m, adept_ranks=ranks, rather_not=refused)
    result = engine.match(
        a, b, rule=engine.DIFFERENT_ORGANIZATION, min_score=10, preferences=prefs,
        weights={"preference": engine.PREFERENCE_WEIGHT},
        dense_limit=0 if sparse else 10**9, candidates=4,
    )  # fmt: skip
    formed = set(zip(result.adept.tolist(), result.mentor.tolist(), strict=True))
    assert not formed & {tuple(pair) for pair in refused.tolist()}
    assert (np.bincount(result.mentor, minlength=m) <= b.capacity).all()
    assert (a.organization[result.adept] != b.organization[result.mentor]).all()
    report = engine.preference_report(
        a, b, result, preferences=prefs, rule=engine.DIFFERENT_ORGANIZATION, min_score=10,
        weights={"preference": engine.PREFERENCE_WEIGHT},
    )  # fmt: skip
    assert 0 <= report["first"] <= report["top3"] <= 100
    assert report["blocking_pairs"] >= 0


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 18),
    m=st.integers(1, 9),
    mentors_rank=st.booleans(),
)
def test_the_stable_assignment_has_no_blocking_pair_and_keeps_every_rule(seed, n, m, mentors_rank):
    rng = np.random.default_rng(seed)
    a = random_side(rng, n, mentor=False)
    b = random_side(rng, m, mentor=True)
    ranks = random_ranks(rng, n, m)
    mentor_ranks = random_ranks(rng, m, n, share=1.0) if mentors_rank else []
    refused = np.stack([rng.integers(0, n, 6), rng.integers(0, m, 6)], axis=1)
    prefs = preferences(n, m, adept_ranks=ranks, mentor_ranks=mentor_ranks, rather_not=refused)
    options = {
        "rule": engine.DIFFERENT_ORGANIZATION, "min_score": 10,
        "weights": {"preference": engine.PREFERENCE_WEIGHT},
    }  # fmt: skip
    result = engine.stable(a, b, preferences=prefs, **options)
    formed = set(zip(result.adept.tolist(), result.mentor.tolist(), strict=True))
    assert len(formed) == len(set(result.adept.tolist()))
    assert not formed & {tuple(pair) for pair in refused.tolist()}
    assert (np.bincount(result.mentor, minlength=m) <= b.capacity).all()
    assert (a.organization[result.adept] != b.organization[result.mentor]).all()
    assert (result.score >= 10 - 1e-3).all()
    report = engine.preference_report(a, b, result, preferences=prefs, **options)
    assert report["blocking_pairs"] == 0
    # The optimum's total is never below the stable one's.
    optimum = engine.match(a, b, preferences=prefs, **options)
    assert optimum.total >= result.total - 1e-3


def test_deferred_acceptance_on_a_known_case():
    # Both adepts want mentor 0 most; mentor 0 (one place) ranks adept 1 first, so adept 0
    # goes to her second choice. That is the adept-proposing stable assignment.
    a = adepts({"focus": [0], "org": 1}, {"focus": [0], "org": 1})
    m = mentors({"focus": [0], "org": 2}, {"focus": [0], "org": 2})
    prefs = preferences(
        2, 2, adept_ranks=[(0, 0, 1), (0, 1, 2), (1, 0, 1), (1, 1, 2)],
        mentor_ranks=[(0, 1, 1), (0, 0, 2)],
    )  # fmt: skip
    result = engine.stable(a, m, weights=WITH_RANKS, min_score=0, preferences=prefs)
    assert pairs(result) == [(0, 1), (1, 0)] and result.solver == "stable"


def test_an_adept_whose_ranked_mentor_went_to_another_is_told_so():
    # One mentor, one place; both adepts rank her first and the other fits her better.
    a = adepts({"focus": [0, 2], "org": 1}, {"focus": [0, 1], "org": 1})
    m = mentors({"focus": [0, 1], "org": 2})
    prefs = preferences(2, 1, adept_ranks=[(0, 0, 1), (1, 0, 1)])
    result = engine.match(a, m, weights=WITH_RANKS, min_score=0, preferences=prefs)
    assert pairs(result) == [(1, 0)]
    assert result.unmatched_adepts == {0: engine.UNMATCHED_RANKED_TAKEN}
