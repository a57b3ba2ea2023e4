"""How many jumps would a search need that knew where every interval of negativity ends?

    python bench/cover_oracle.py [--context 65536] [--schemes plain llama3 yarn] [--candidates 8]
                                 [--from-fraction F]

min_base proves every base below b* inadmissible by jumping, at each base, past
the interval of bases on which one violating distance m stays negative (B_m < 0).
Its cost is the number of jumps times the cost of one. Whatever the search,
the jumps form a cover of [start, b*) by such intervals, and the fewest
intervals that can cover it are what the greedy rule takes: at every base, the
violator whose interval reaches furthest. This script plays that oracle, with
numerics that are good for counting and certify nothing:

* at each base, B_m for every m < L (decay_curve over the model's
  frequencies), the violators, and for each an estimate of its reach from
  the quadratic Taylor model in u = ln b (finite differences);
* for the --candidates best estimates, the reach itself, by Taylor steps with
  a bound on the second derivative that cannot cross a root (as min_base's
  jumps are made, in float64); the base moves past the furthest.

It stops at the first base with no violator, which is b* (printed beside
min_base's b* as a check). With every violator (--candidates 1000000) it is
the greedy cover itself, up to the numerics. Measured at L = 2^16, plain RoPE:
636 jumps with every violator, 2 324 with the 8 best estimates, where min_base
made 2 506 on one thread (2 395 to 2 582 on two): the estimate min_base ranks
its candidates by does not find the intervals that reach furthest.

The greedy count is a lower bound for every search that proves bases
inadmissible this way (one distance negative on an interval of bases): a cover
by parts of the intervals can be stretched to whole intervals, and among covers
by whole intervals the greedy one is the smallest. A scheme's ratio to plain
RoPE in oracle jumps is what such a search can reach at best, with the same
cost per jump.

Printed per scheme (d = 128, the scalings of bench_min_base.py, seq_len = L):
the oracle's jumps, min_base's from the same start on one thread (on two, the
count depends on how the base axis is cut) and the ratio of each to plain
RoPE's. With --from-fraction F both start at F * b* (b* from min_base), which
reaches large L (the top of the axis, where violators are fewest, is quick
to play; the bottom is not). From b*/2 at L = 2^20 (71, 124 and 74 s):

    plain   oracle 1 743 jumps, min_base  6 252
    llama3  oracle 4 966 (2.85x plain), min_base 15 096 (2.41x)
    yarn    oracle 4 127 (2.37x plain), min_base 10 484 (1.68x)

and at L = 2^16: 302, 487 (1.61x), 372 (1.23x) against min_base's 672,
1 327 (1.97x), 845 (1.26x). oracle() also stops at a base (`stop`): at
L = 2^20 from b*/8 to b*/2, plain RoPE 884 jumps (422 s), llama3 3 279
(3.71x, 714 s), where min_base makes 7 587 and 14 697.

Frequencies are the model's terms in float64 (theta_i = sum c b^(-p/q),
relative error ~1e-15): phases m theta_i are good to ~1e-8 rad up to L = 2^24.

Slow, and meant to be: at L = 2^16 with every violator plain RoPE took 84 s,
llama3 296 s, yarn 81 s on a 2-core machine (llama3 and yarn: 888 and 623
jumps, min_base 4 105 and 2 522 on one thread). Above 2^16, use --candidates
or --from-fraction.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

import ropebound as rb
from ropebound import _core
from ropebound.bounds import START_BASE as START
from ropebound.bounds import _model
from ropebound.scaling import frequency_model

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_min_base import SCALINGS

DIM = 128


class Thetas:
    """theta_i(b) of a frequency model for many bases at once, in float64."""

    def __init__(self, scaling: dict[str, Any] | None, context: int) -> None:
        model = frequency_model(DIM, scaling=scaling, seq_len=None if scaling is None else context)
        self.edges = model.edges
        self.coefficients = model.coefficients  # (segments, pairs, terms)
        self.rates = model.powers / model.denominator

    def __call__(self, bases: np.ndarray) -> np.ndarray:
        """(len(bases), pairs) frequencies."""
        seg = np.searchsorted(self.edges, bases, side="right") - 1
        logs = np.log(bases)[:, None, None]
        terms = self.coefficients[seg] * np.exp(-self.rates[seg] * logs)
        out: np.ndarray = terms.sum(axis=2)
        return out


def decay(ms: np.ndarray, thetas: np.ndarray) -> np.ndarray:
    """B_m for each m of `ms` at each row of `thetas`: (rows, len(ms))."""
    return np.cos(thetas[:, None, :] * ms[None, :, None]).sum(axis=2)


def reaches(ms: np.ndarray, base: float, thetas: Thetas) -> np.ndarray:
    """For each m of `ms` (negative at `base`): the first u > 0 with B_m(base e^u) >= 0.

    Marched by Taylor steps that cannot cross a root: from u with value v < 0 and
    slope g', every s up to the first root of v + g' s + M s^2 / 2 keeps B_m < 0,
    where M = sum_i (m^2 |theta_i'|^2 + m |theta_i''|) bounds |g''| (each bound a
    sum of decaying exponentials in u, so it holds further on within the segment;
    steps stop at segment edges, where theta may jump). Steps below 1e-13 are
    rounded up to it: an excursion above 0 narrower than that could be missed.
    """
    u = np.zeros(len(ms))
    out = np.full(len(ms), np.nan)
    active = np.arange(len(ms))
    while len(active):
        m = ms[active][:, None]
        bases = base * np.exp(u[active])
        seg = np.searchsorted(thetas.edges, bases, side="right") - 1
        rates = thetas.rates[seg]
        terms = thetas.coefficients[seg] * np.exp(-rates * np.log(bases)[:, None, None])
        x = m * terms.sum(axis=2)
        value = np.cos(x).sum(axis=1)
        slope = (np.sin(x) * m * (terms * rates).sum(axis=2)).sum(axis=1)
        size = np.abs(terms)
        curvature = m * m * (size * rates).sum(axis=2) ** 2 + m * (size * rates**2).sum(axis=2)
        curvature = curvature.sum(axis=1)
        done = value >= 0.0
        out[active[done]] = u[active[done]]
        keep = ~done
        active, value, slope, curvature, seg = (
            active[keep],
            value[keep],
            slope[keep],
            curvature[keep],
            seg[keep],
        )
        with np.errstate(all="ignore"):
            disc = np.sqrt(slope * slope - 2.0 * curvature * value)  # value < 0: real
            step = np.where(slope > 0, -2.0 * value / (slope + disc), (-slope + disc) / curvature)
        step = np.maximum(step * (1.0 - 1e-9), 1e-13)
        # The next segment's first base, as a u that lands on or past it.
        upper = thetas.edges[seg + 1]
        # (One ulp of the base is 2.2e-16 in u, far more than one ulp of a small u.)
        edge = np.log(upper / base)
        for _ in range(8):
            edge = np.where(base * np.exp(edge) < upper, edge + 2.3e-16, edge)
        u[active] = np.minimum(u[active] + step, edge)
    return out


def quadratic_reach(g0: np.ndarray, g1: np.ndarray, g2: np.ndarray) -> np.ndarray:
    """Smallest positive root of g0 + g1 t + g2 t^2 / 2 (g0 < 0), in [1e-12, 0.5] (0.5
    where there is none): the reach estimate the candidates are ranked by."""
    with np.errstate(all="ignore"):
        disc = g1 * g1 - 2.0 * g2 * g0
        sq = np.sqrt(np.maximum(disc, 0.0))
        curved = np.abs(g2) > 1e-300
        r1 = np.where(curved, (-g1 + sq) / g2, -g0 / g1)
        r2 = np.where(curved, (-g1 - sq) / g2, np.inf)
        root = np.fmin(np.where(r1 > 0, r1, np.inf), np.where(r2 > 0, r2, np.inf))
        root = np.where(disc < 0, np.inf, root)
    out: np.ndarray = np.clip(np.nan_to_num(root, nan=0.5, posinf=0.5), 1e-12, 0.5)
    return out


def oracle(
    scaling: dict[str, Any] | None,
    context: int,
    candidates: int,
    start: float = 1.001,
    stop: float = math.inf,
) -> tuple[int, float]:
    """(jumps, b*) of the greedy cover from `start`; (jumps, base) on reaching `stop`."""
    thetas = Thetas(scaling, context)
    base, jumps, h = start, 0, 1e-7
    t0 = time.perf_counter()
    while base < stop:
        values = rb.decay_curve(context, frequencies=thetas(np.array([base]))[0])
        violators = np.nonzero(values < 0.0)[0].astype(np.float64)
        if len(violators) == 0:
            return jumps, base
        g0 = values[violators.astype(np.int64)]
        around = decay(violators, thetas(base * np.exp(np.array([h, -h]))))
        g1 = (around[0] - around[1]) / (2.0 * h)
        g2 = (around[0] - 2.0 * g0 + around[1]) / h**2
        estimate = quadratic_reach(g0, g1, g2)
        best = reaches(violators[np.argsort(-estimate)[:candidates]], base, thetas).max()
        base = base * math.exp(best) * (1.0 + 1e-15)
        jumps += 1
        if jumps % 1000 == 0:
            print(
                f"  ... {jumps} jumps, base {base:.4g}, {time.perf_counter() - t0:.0f} s",
                file=sys.stderr,
            )
    return jumps, base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--context", type=int, default=2**16)
    parser.add_argument("--schemes", nargs="+", default=["plain", *SCALINGS])
    parser.add_argument("--candidates", type=int, default=8)
    parser.add_argument(
        "--from-fraction",
        type=float,
        metavar="F",
        help="start at F * b* (0 < F < 1) instead of 1.001",
    )
    args = parser.parse_args()
    if args.from_fraction is not None and not 0.0 < args.from_fraction < 1.0:
        parser.error("--from-fraction must lie in (0, 1)")
    L = args.context
    rows = {}
    for name in args.schemes:
        scaling = None if name == "plain" else SCALINGS[name]
        model = _model(DIM, DIM, scaling, None if scaling is None else L)
        start = 1.001
        if args.from_fraction is not None:
            start = args.from_fraction * _core.min_base_search(model, L, START, False, None).base
        t0 = time.perf_counter()
        jumps, b_star = oracle(scaling, L, args.candidates, start)
        seconds = time.perf_counter() - t0
        bound = _core.min_base_search(model, L, start, False, None, workers=1)
        rows[name] = (jumps, bound.jumps)
        print(
            f"{name:>7}  L = {L} from {start:.10g}: oracle {jumps} jumps "
            f"(b* ~ {b_star:.10g}, {seconds:.0f} s); "
            f"min_base {bound.jumps} jumps (b* = {bound.base:.10g})"
        )
    if "plain" in rows:
        plain = rows["plain"]
        print(f"\nagainst plain RoPE at L = {L}: oracle jumps, min_base jumps")
        for name, (oracle_jumps, search_jumps) in rows.items():
            print(f"{name:>7}  {oracle_jumps / plain[0]:5.2f}x  {search_jumps / plain[1]:5.2f}x")


if __name__ == "__main__":
    main()
