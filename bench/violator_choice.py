"""Which violator should a jump take? Rules of choice played on a band of bases.

    python bench/violator_choice.py [--context 1048576] [--scheme plain] [--band 0.3 0.32]
                                    [--rules nearest quadratic oracle]

min_base jumps, at each base, past the interval of negativity of one violating
distance m; the rule that picks m decides how many jumps it makes. This script
plays rules on the band [F1 b*, F2 b*) with the numerics of cover_oracle.py
(every B_m in float64; each chosen interval marched to its root with Taylor
steps that cannot cross it; certifies nothing) and prints, per rule, the jumps
it needs there:

* nearest: min_base's windows, in the simulation's terms: the violators of the
  block nearest the previous choice (centre, +1, -1, +2, ...), the one with the
  longest estimated reach (first root of the quadratic Taylor model in
  u = ln b, finite differences) taken, walked to its root;
* quadratic: the longest estimated reach among every violator at the base;
* probe: every violator, those still negative at b e^H for H = 2.5e-4, 5e-4,
  1e-3, 2e-3 first (most levels negative first), then by the estimate;
* oracle: the longest true reach among every violator (the greedy cover,
  cover_oracle.py's count on the band).

Then, at the band's first bases, where the oracle's choice ranks under the
estimate (median rank among all violators) and how far (in blocks of 64) it
lies from the previous oracle choice. Measured at L = 2^20, plain RoPE (36 s
and 58 s on a 2-core machine):

    band          violators   nearest  quadratic  probe  oracle  rank  within a block
    [0.3, 0.32]   ~13 800        211       146      95      36   1401   0%
    [0.9, 2]      ~500         1 410       670     924     537      4  36%

Estimates tie at the cap (0.5: no root of the quadratic) for many violators,
and the tie is broken by the smaller distance (np.argmax takes the first):
broken in arbitrary order, quadratic made 199 jumps on [0.3, 0.32].
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import ropebound as rb
from ropebound import _core
from ropebound.bounds import START_BASE as START
from ropebound.bounds import _model

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_min_base import SCALINGS
from cover_oracle import DIM, Thetas, decay, quadratic_reach, reaches

BLOCK = 64
PROBES = (2.5e-4, 5e-4, 1e-3, 2e-3)


class Base:
    """The violators at one base, with their estimated reach (finite differences)."""

    def __init__(self, base: float, thetas: Thetas, context: int) -> None:
        self.base = base
        self.thetas = thetas
        values = rb.decay_curve(context, frequencies=thetas(np.array([base]))[0])
        self.m = np.nonzero(values < 0.0)[0]
        ms = self.m.astype(np.float64)
        h = 1e-7
        g0 = values[self.m]
        around = decay(ms, thetas(base * np.exp(np.array([h, -h]))))
        g1 = (around[0] - around[1]) / (2.0 * h)
        g2 = (around[0] - 2.0 * g0 + around[1]) / h**2
        self.estimate = quadratic_reach(g0, g1, g2)

    def reach(self, index: np.ndarray) -> np.ndarray:
        out: np.ndarray = reaches(self.m[index].astype(np.float64), self.base, self.thetas)
        return out


# A rule: (violators at the base, previous choice or None) -> index of the chosen one.
Rule = Callable[[Base, int | None], int]


def nearest(at: Base, previous: int | None) -> int:
    blocks = at.m // BLOCK
    if previous is None:
        chosen = blocks[0]
    else:
        offset = blocks - previous // BLOCK
        chosen = blocks[np.argmin(np.where(offset >= 0, 2 * offset, -2 * offset - 1))]
    index = np.nonzero(blocks == chosen)[0]
    return int(index[np.argmax(at.estimate[index])])


def quadratic(at: Base, previous: int | None) -> int:
    return int(np.argmax(at.estimate))


def probe(at: Base, previous: int | None) -> int:
    ms = at.m.astype(np.float64)
    negative = sum(
        (decay(ms, at.thetas(np.array([at.base * math.exp(h)])))[0] < 0.0).astype(np.float64)
        for h in PROBES
    )
    return int(np.argmax(negative + at.estimate))  # estimates lie below 1


def oracle(at: Base, previous: int | None) -> int:
    return int(np.argmax(at.reach(np.arange(len(at.m)))))


RULES: dict[str, Rule] = {
    "nearest": nearest,
    "quadratic": quadratic,
    "probe": probe,
    "oracle": oracle,
}


def play(rule: Rule, thetas: Thetas, context: int, start: float, stop: float) -> int:
    """Jumps the rule needs to cross [start, stop) (or to reach b*)."""
    base, jumps, previous = start, 0, None
    while base < stop:
        at = Base(base, thetas, context)
        if len(at.m) == 0:
            break
        index = rule(at, previous)
        previous = int(at.m[index])
        base *= math.exp(at.reach(np.array([index]))[0]) * (1.0 + 1e-15)
        jumps += 1
    return jumps


def ranks(thetas: Thetas, context: int, start: float, bases: int) -> tuple[float, float]:
    """Along the oracle's path: median rank of its choice under the estimate, and the
    fraction of bases where it lies within one block of the previous choice."""
    base, previous = start, None
    rank, near = [], []
    for _ in range(bases):
        at = Base(base, thetas, context)
        if len(at.m) == 0:
            break
        reach = at.reach(np.arange(len(at.m)))
        best = int(np.argmax(reach))
        order = np.argsort(-at.estimate)
        rank.append(int(np.nonzero(order == best)[0][0]))
        if previous is not None:
            near.append(abs(int(at.m[best]) // BLOCK - previous // BLOCK) <= 1)
        previous = int(at.m[best])
        base *= math.exp(reach[best]) * (1.0 + 1e-15)
    return float(np.median(rank)), float(np.mean(near)) if near else math.nan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--context", type=int, default=2**20)
    parser.add_argument("--scheme", choices=["plain", *SCALINGS], default="plain")
    parser.add_argument("--band", type=float, nargs=2, default=[0.3, 0.32], metavar=("F1", "F2"))
    parser.add_argument("--rules", nargs="+", choices=list(RULES), default=list(RULES))
    parser.add_argument("--rank-bases", type=int, default=15, metavar="N")
    args = parser.parse_args()
    if not 0.0 < args.band[0] < args.band[1]:
        parser.error("--band needs 0 < F1 < F2")
    L = args.context
    scaling: dict[str, Any] | None = None if args.scheme == "plain" else SCALINGS[args.scheme]
    thetas = Thetas(scaling, L)
    model = _model(DIM, DIM, scaling, None if scaling is None else L)
    b_star = _core.min_base_search(model, L, START, False, None).base
    start, stop = args.band[0] * b_star, args.band[1] * b_star
    print(f"{args.scheme}, L = {L}, d = {DIM}: b* = {b_star:.10g}, band [{start:.6g}, {stop:.6g})")
    for name in args.rules:
        t0 = time.perf_counter()
        jumps = play(RULES[name], thetas, L, start, stop)
        print(f"  {name:>9}: {jumps} jumps ({time.perf_counter() - t0:.0f} s)")
    rank, near = ranks(thetas, L, start, args.rank_bases)
    print(
        f"  oracle's choice over {args.rank_bases} bases: median rank {rank:.0f} by the "
        f"estimate; within one block of the previous choice at {near:.0%} of the bases"
    )


if __name__ == "__main__":
    main()
