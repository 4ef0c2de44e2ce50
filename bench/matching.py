"""Benchmark of the matching engine on synthetic programs. Prints one JSON line per size.

    python bench/matching.py                  # n = 100, 500, 1000, 2000, 5000, 10000
    python bench/matching.py --sizes 2000,5000

Each program has n adepts and n mentors, 20 focus areas, 10 organisations, 16 regions,
mentor capacities 1-3 and n/10 explicit exclusions. For each n it prints the time to build
the score matrix and to solve, the peak memory, the total score, the total of a greedy
baseline, the time of a pure-Python double loop building the same matrix (null above 2000),
which solver the engine used, and where the engine solved on candidates, the exact optimum
and the gap to it (null above 5000, where the exact solve is too big to run here).

With a preference round (issue 19): each adept ranks 5 of their 10 best allowed mentors in a
random order; the line then gives the run with the ranks weighed (time, and its ratio to the
run without: it must stay within 1.5 at n = 5,000), and what the run honours: the share of
adepts with their first choice, one of their top 3, and the blocking pairs; and the same for
a stable assignment (deferred acceptance, adepts proposing; on each adept's best 60 mentors
above the engine's dense limit, so blocking pairs beyond those lists may remain).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching import engine

FOCUS_AREAS, ORGANIZATIONS, REGIONS = 20, 10, 16


def synthetic(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)

    def side(mentor: bool):
        return engine.Side(
            person=np.arange(n) + (n if mentor else 0),
            focus=rng.random((n, FOCUS_AREAS)) < 0.2,
            organization=rng.integers(0, ORGANIZATIONS, n),
            unit=rng.integers(0, ORGANIZATIONS * 8, n),
            region=rng.integers(0, REGIONS, n),
            meeting_format=rng.integers(0, 3, n),
            languages=rng.integers(1, 8, n),
            years=rng.uniform(8, 25, n) if mentor else rng.uniform(0, 6, n),
            wish_regions=rng.random((n, REGIONS)) < 0.03,
            wish_organizations=rng.random((n, ORGANIZATIONS)) < 0.02,
            capacity=rng.integers(1, 4, n) if mentor else None,
        )

    adepts, mentors = side(False), side(True)
    exclusions = np.stack([rng.integers(0, n, n // 10), rng.integers(0, n, n // 10)], axis=1)
    return adepts, mentors, exclusions


def loop_matrix(adepts, mentors, weights):
    """The same score matrix, built the slow way: one pair at a time in Python."""
    w = engine.normalised_weights(weights)
    n, m = len(adepts), len(mentors)
    needs = [set(np.flatnonzero(row)) for row in adepts.focus]
    strengths = [set(np.flatnonzero(row)) for row in mentors.focus]
    out = [[0.0] * m for _ in range(n)]
    for i in range(n):
        for j in range(m):
            s = w["needs"] * len(needs[i] & strengths[j]) / max(len(needs[i]), 1)
            same = adepts.region[i] == mentors.region[j] and adepts.region[i] >= 0
            physical = adepts.meeting_format[i] == 1 or mentors.meeting_format[j] == 1
            s += w["region"] * (same * (1.0 if physical else 0.5))
            s += (
                w["format"]
                * engine.FORMAT_COMPATIBLE[adepts.meeting_format[i], mentors.meeting_format[j]]
            )
            a_lang, m_lang = adepts.languages[i], mentors.languages[j]
            s += w["language"] * (0.5 if not a_lang or not m_lang else float(a_lang & m_lang != 0))
            gap = mentors.years[j] - adepts.years[i]
            exp = 1.0 if 3 <= gap <= 15 else (gap / 3 if gap < 3 else 1 - (gap - 15) / 15)
            s += w["experience"] * min(max(exp, 0.0), 1.0)
            wish = 0.5 * (
                adepts.wish_regions[i, mentors.region[j]]
                or adepts.wish_organizations[i, mentors.organization[j]]
            )
            wish += 0.5 * (
                mentors.wish_regions[j, adepts.region[i]]
                or mentors.wish_organizations[j, adepts.organization[i]]
            )
            s += w["wishes"] * wish
            out[i][j] = s
    return out  # fmt: skip


def ranked(adepts, mentors, exclusions, seed: int = 1) -> engine.Preferences:
    """Each adept ranks 5 of their 10 best allowed mentors, in a random order; in row
    blocks, as the engine reads the matrix."""
    rng = np.random.default_rng(seed)
    n, m = len(adepts), len(mentors)
    rows = []
    for start, stop in engine._row_blocks(n, m):
        score, blocked = engine.score_block(
            adepts, mentors, start, stop, None, engine.DIFFERENT_ORGANIZATION, exclusions
        )
        value = np.where(blocked == 0, score, -1)
        best = np.argsort(-value, axis=1)[:, :10]
        for offset, candidates in enumerate(best):
            chosen = rng.permutation(candidates)[:5]
            rows.extend((start + offset, int(b), rank + 1) for rank, b in enumerate(chosen))
    ranks = np.array(rows, dtype=np.int64).reshape(-1, 3)
    return engine.Preferences(
        adept_ranks=ranks,
        mentor_ranks=np.zeros((0, 3), dtype=np.int64),
        rather_not=np.zeros((0, 2), dtype=np.int64),
        adept_answered=np.ones(n, dtype=bool),
        mentor_answered=np.zeros(m, dtype=bool),
    )


def with_preferences(adepts, mentors, exclusions, plain_s: float) -> dict:
    preferences = ranked(adepts, mentors, exclusions)
    weights = {"preference": engine.PREFERENCE_WEIGHT}
    result = engine.match(
        adepts, mentors, exclusions=exclusions, weights=weights, preferences=preferences
    )
    seconds = sum(result.timings.values())
    report = engine.preference_report(
        adepts, mentors, result, preferences=preferences, weights=weights,
        exclusions=exclusions,
    )  # fmt: skip
    stable = engine.stable(
        adepts, mentors, exclusions=exclusions, weights=weights, preferences=preferences
    )
    stable_report = engine.preference_report(
        adepts, mentors, stable, preferences=preferences, weights=weights,
        exclusions=exclusions,
    )  # fmt: skip
    return {
        "prefs_total_s": round(seconds, 4),
        "prefs_time_ratio": round(seconds / max(plain_s, 1e-9), 2),
        "prefs_score": round(result.total, 2),
        "prefs_first_pct": report["first"],
        "prefs_top3_pct": report["top3"],
        "prefs_blocking_pairs": report["blocking_pairs"],
        "stable_total_s": round(sum(stable.timings.values()), 4),
        "stable_score": round(stable.total, 2),
        "stable_pairs": len(stable.adept),
        "stable_first_pct": stable_report["first"],
        "stable_top3_pct": stable_report["top3"],
        "stable_blocking_pairs": stable_report["blocking_pairs"],
    }


def run(n: int) -> dict:
    adepts, mentors, exclusions = synthetic(n)
    # Timed on its own: tracemalloc slows allocation down. Best of a few runs for small n.
    runs = [
        engine.match(adepts, mentors, exclusions=exclusions) for _ in range(3 if n <= 2000 else 1)
    ]
    result = min(runs, key=lambda r: sum(r.timings.values()))
    tracemalloc.start()
    engine.match(adepts, mentors, exclusions=exclusions)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    line = {
        "n": n,
        "matrix_s": round(result.timings["matrix_s"], 4),
        "solve_s": round(result.timings["solve_s"], 4),
        "total_s": round(sum(result.timings.values()), 4),
        "peak_mb": round(peak / 2**20, 1),
        "score": round(result.total, 2),
        "pairs": len(result.adept),
        "solver": result.solver,
        "greedy_score": round(engine.greedy(adepts, mentors, exclusions=exclusions), 2),
        "loop_matrix_s": None,
        "exact_score": None,
        "gap_to_exact": None,
    }
    if n <= 2000:
        started = time.perf_counter()
        loop_matrix(adepts, mentors, None)
        line["loop_matrix_s"] = round(time.perf_counter() - started, 3)
        line["loop_speedup"] = round(line["loop_matrix_s"] / max(line["matrix_s"], 1e-9), 1)
    if result.solver == "dense":
        line["exact_score"] = line["score"]
        line["gap_to_exact"] = 0.0
    elif n <= 5000:
        exact = engine.match(adepts, mentors, exclusions=exclusions, dense_limit=10**12)
        line["exact_score"] = round(exact.total, 2)
        line["gap_to_exact"] = round(exact.total - result.total, 4)
    line["optimal_not_below_greedy"] = line["score"] >= line["greedy_score"]
    line.update(with_preferences(adepts, mentors, exclusions, line["total_s"]))
    return line


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,500,1000,2000,5000,10000")
    args = parser.parse_args()
    engine.match(*synthetic(50)[:2])  # warm-up: BLAS threads, imports
    for n in (int(size) for size in args.sizes.split(",")):
        print(json.dumps(run(n)), flush=True)


if __name__ == "__main__":
    main()
