"""Float32 arithmetic as torch performs it, for the schemes' float32 recipes."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ._base import RopeScaling, where

F32 = np.float32
FLOAT32_MAX = float(np.finfo(np.float32).max)


def pow32(base: np.float32 | float, exponent: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """float32 ``base ** exponent``, correctly rounded.

    Evaluated in float64 and rounded once to float32: the float64 ``pow`` errs by < 1 ulp of
    a double, so the result is the correctly rounded float32 except when the exact value lies
    within ~2^-29 relative of a float32 rounding boundary. torch's float32 ``pow`` (Sleef
    ``powf_u10`` on vectorised CPU paths, CUDA ``powf``) is only faithful to about 1 ulp, so
    it may differ from this in the last bit of some entries.
    """
    wide = np.power(np.float64(base), exponent.astype(np.float64))
    return wide.astype(np.float32)


def recip32(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    # torch evaluates `1.0 / t` as t.reciprocal() * 1.0: one correctly rounded division.
    out: npt.NDArray[np.float32] = F32(1.0) / x
    return out


def exponents32(r: int) -> npt.NDArray[np.float32]:
    # torch.arange(0, r, 2, dtype=int64).float() / r: exact small integers, one f32 division.
    e: npt.NDArray[np.float32] = np.arange(0, r, 2, dtype=np.int64).astype(np.float32) / F32(r)
    return e


def scaled_base32(base: float, p: RopeScaling) -> float:
    """An NTK-scaled base that float32 code can hold, or an error naming the factor."""
    if not base <= FLOAT32_MAX:
        raise ValueError(
            f"{where(p.rope_type)}: 'factor' {p.factor!r} is too large for float32: the "
            f"scaled base {base:.4g} overflows float32 (max {FLOAT32_MAX:.4g})"
        )
    return base


def base32(base: float) -> np.float32:
    if base > FLOAT32_MAX:
        raise ValueError(
            f"precision='float32': base {base!r} overflows float32 (max {FLOAT32_MAX:.4g})"
        )
    return F32(base)


def default32(base: float | np.float32, r: int) -> npt.NDArray[np.float32]:
    """The plain recipe: ``1 / (float32(b) ** (arange(0, r, 2) / r))``."""
    b = base if isinstance(base, np.float32) else base32(float(base))
    return recip32(pow32(b, exponents32(r)))
