"""sweep_min_base: warm-started sweeps equal independent min_base calls."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import ropebound as rb

from oracle import oracle_min_base


def test_sweep_against_brute_force() -> None:
    table = rb.sweep_min_base([2048, 1024], [64, 96])
    assert list(table) == ["context", "dim", "rotary_dim", "base", "critical_distance", "certified"]
    assert table["context"].size == 4
    for L, d, b in zip(table["context"], table["dim"], table["base"], strict=True):
        lower = oracle_min_base(int(L), int(d))
        # Observed agreement <= 2e-11 relative (test_min_base.py).
        assert lower * (1 - 1e-15) <= b <= lower * (1 + 1e-9)
    assert table["certified"].all()


def test_executor_gives_identical_results() -> None:
    local = rb.sweep_min_base([512, 1024], [32, 64])
    with ThreadPoolExecutor(max_workers=1) as pool:
        remote = rb.sweep_min_base([512, 1024], [32, 64], executor=pool)
    for key in local:
        np.testing.assert_array_equal(local[key], remote[key])


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        rb.sweep_min_base([], [64])
    with pytest.raises(ValueError, match="rotary_dims"):
        rb.sweep_min_base([100], [64, 32], rotary_dims=[32])
