"""Hypothesis strategies named after the domain."""

from __future__ import annotations

from hypothesis import strategies as st


def head_dims(max_dim: int = 1024) -> st.SearchStrategy[int]:
    return st.integers(1, max_dim // 2).map(lambda k: 2 * k)


def bases(max_base: float = 1e15) -> st.SearchStrategy[float]:
    """Bases in (1, max_base], log-uniform, including ones barely above 1."""
    near_one = st.floats(1e-15, 1e-3).map(lambda e: 1.0 + e)
    log_uniform = st.floats(0.0, 1.0).map(lambda t: max_base**t).filter(lambda b: b > 1.0)
    return st.one_of(near_one, log_uniform, st.just(max_base))


def distances(max_exclusive: int = 2**40) -> st.SearchStrategy[int]:
    """Distances in [0, max_exclusive), spread over all scales."""
    return st.one_of(
        st.integers(0, 1000),
        st.integers(0, 62).map(lambda k: min(2**k, max_exclusive - 1)),
        st.integers(0, max_exclusive - 1),
    )


@st.composite
def dims_with_rotary(draw: st.DrawFn, max_dim: int = 1024) -> tuple[int, int]:
    d = draw(head_dims(max_dim))
    r = draw(st.integers(1, d // 2).map(lambda k: 2 * k))
    return d, r
