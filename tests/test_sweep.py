"""sweep_min_base: warm-started sweeps equal independent min_base calls."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import ropebound as rb


def test_sweep_matches_min_base() -> None:
    table = rb.sweep_min_base([4096, 1024, 2048], [64, 128, 96])
    assert list(table) == ["context", "dim", "rotary_dim", "base", "critical_distance", "certified"]
    assert table["context"].size == 9
    for L, d, b, c in zip(
        table["context"], table["dim"], table["base"], table["critical_distance"], strict=True
    ):
        bound = rb.min_base(int(L), int(d))
        assert b == bound.base and c == bound.critical_distance
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
