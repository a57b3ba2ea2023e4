// cos and sin of m * theta for a double-double theta, with a rigorous bound.
//
// One inline kernel serves every evaluator (decay_sum, the recurrence seeds,
// the solvers' derivatives), so all of them agree by construction; it calls no
// libm function, so loops over pairs vectorise and results do not depend on
// the platform's libm.
//
//  1. m * theta_hi is split exactly (fma), m * theta_lo rounded once;
//  2. k = round(p / 2pi); p - k*2pi_hi is exact (two_prod of k, Sterbenz for the
//     difference), the small remainders are summed in double;
//  3. the reduced x = r + tail (an exact two_sum, |x| < 5.5 for phases up to
//     kMaxPhase = 2^53, see decay.hpp) is reduced once more by j * pi/2 (j in
//     -3..3; j * (pi/2)_hi is exact, its significand ending in three zero
//     bits, and the difference is exact by Sterbenz) to |y| <= pi/4 + tiny;
//  4. Taylor polynomials to degree 17 (sin) and 18 (cos): truncation < 1e-19,
//     Horner with fma on z = y^2 <= 0.62 adds at most 4u.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "ropebound/constants.hpp"

namespace ropebound::detail {

inline constexpr double kTwoOverPi = 0x1.45f306dc9c883p-1;
inline constexpr double kHalfPi1 = 0x1.921fb54442d18p+0;
inline constexpr double kHalfPi2 = 0x1.1a62633145c07p-54;
// Bound for everything except the phase: polynomial truncation and evaluation,
// the rounding of y, the neglected j * pi/2's third part (all < 5u + 2^-100).
inline constexpr double kKernelErr = 5.0 * kUnitRoundoff + 0x1p-100;

struct SinCosTerm {
  double c, s, err;
};

// m * theta - 2*pi*k = hi + lo within err; |hi + lo| < 5.5 while
// m * theta <= kMaxPhase (k may be off by one from the nearest integer there).
struct ReducedPhase {
  double hi, lo, err;
};

// Steps 1-2 (and the exact split of step 3's input). theta = hi + lo with
// |theta - exact| <= rel * hi; m a non-negative integer < 2^53, or m = 1 and
// hi an already computed phase; in both cases m * hi <= kMaxPhase.
inline ReducedPhase reduce_phase_kernel(double m, double hi, double lo, double rel) {
  const double p1 = m * hi;
  const double p2 = std::fma(m, hi, -p1);
  const double t1 = m * lo;
  const double k = std::nearbyint(p1 * kInvTwoPi);
  const double q1 = k * kTwoPiHi;
  const double q2 = std::fma(k, kTwoPiHi, -q1);
  const double qm1 = k * kTwoPiMid;
  const double qm2 = std::fma(k, kTwoPiMid, -qm1);
  const double r1 = p1 - q1;  // exact: k = 0, or q1 within a factor 2 of p1
  const double ql = k * kTwoPiLo;
  const double tail = ((p2 - q2) + (t1 - qm1)) - (qm2 + ql);
  const double magnitudes = std::fabs(p2) + std::fabs(q2) + std::fabs(t1) + std::fabs(qm1) +
                            std::fabs(qm2) + std::fabs(ql);
  // x = xh + xl exactly (two_sum).
  const double xh = r1 + tail;
  const double bb = xh - r1;
  const double xl = (r1 - (xh - bb)) + (tail - bb);
  return {xh, xl,
          (std::fabs(p1) * rel + 6.0 * kUnitRoundoff * magnitudes + std::fabs(k) * 0x1p-158) *
              (1.0 + 1e-10)};
}

struct CosSin {
  double c, s;
};

// x rounded to the nearest integer j (ties to even, like nearbyint in the
// default rounding mode) for |x| < 2^51, with the low bits of j + 2^51 (so
// j mod 4 in its last two bits): the sum x + 1.5 * 2^52 has unit ulp. Plain
// arithmetic and bit operations, so that loops over pairs vectorise.
struct NearestInteger {
  double j;
  std::uint64_t bits;
};
inline NearestInteger nearest_integer(double x) {
  constexpr double kShift = 0x1.8p52;
  const double t = x + kShift;
  std::uint64_t bits;
  std::memcpy(&bits, &t, sizeof bits);
  return {t - kShift, bits};
}

// (cos, sin) of y + j * pi/2 from those of y (exact: a swap and sign flips),
// for the quadrant q = j mod 4 given by q_bits' last two bits.
inline CosSin rotate_by_quadrant(std::uint64_t q_bits, double cos_y, double sin_y) {
  const bool odd = (q_bits & 1) != 0;
  const double c0 = odd ? sin_y : cos_y;
  const double s0 = odd ? cos_y : sin_y;
  // cos flips for q = 1, 2 (bit 1 of q + 1), sin for q = 2, 3 (bit 1 of q).
  const std::uint64_t c_flip = ((q_bits + 1) & 2) << 62, s_flip = (q_bits & 2) << 62;
  std::uint64_t c_bits, s_bits;
  std::memcpy(&c_bits, &c0, sizeof c_bits);
  std::memcpy(&s_bits, &s0, sizeof s_bits);
  c_bits ^= c_flip;
  s_bits ^= s_flip;
  CosSin out;
  std::memcpy(&out.c, &c_bits, sizeof c_bits);
  std::memcpy(&out.s, &s_bits, sizeof s_bits);
  return out;
}

// Steps 3-4: cos and sin of a reduced phase xh + xl (|xh| < 5.5), each
// within kKernelErr.
inline CosSin sincos_of_reduced(double xh, double xl) {
  const NearestInteger q = nearest_integer(xh * kTwoOverPi);  // |j| <= 3
  const double j = q.j;
  const double y = (xh - j * kHalfPi1) + (xl - j * kHalfPi2);
  const double z = y * y;
  double ps = 1.0 / 355687428096000.0;  // 1/17!
  ps = std::fma(ps, z, -1.0 / 1307674368000.0);
  ps = std::fma(ps, z, 1.0 / 6227020800.0);
  ps = std::fma(ps, z, -1.0 / 39916800.0);
  ps = std::fma(ps, z, 1.0 / 362880.0);
  ps = std::fma(ps, z, -1.0 / 5040.0);
  ps = std::fma(ps, z, 1.0 / 120.0);
  ps = std::fma(ps, z, -1.0 / 6.0);
  const double sin_y = std::fma(y * z, ps, y);
  double pc = 1.0 / 6402373705728000.0;  // 1/18!
  pc = std::fma(pc, z, -1.0 / 20922789888000.0);
  pc = std::fma(pc, z, 1.0 / 87178291200.0);
  pc = std::fma(pc, z, -1.0 / 479001600.0);
  pc = std::fma(pc, z, 1.0 / 3628800.0);
  pc = std::fma(pc, z, -1.0 / 40320.0);
  pc = std::fma(pc, z, 1.0 / 720.0);
  pc = std::fma(pc, z, -1.0 / 24.0);
  const double cos_y = std::fma(z * z, -pc, std::fma(-0.5, z, 1.0));
  return rotate_by_quadrant(q.bits, cos_y, sin_y);
}

// cos and sin of m * hi to ~4e-7, with no bound: the product split exactly,
// one reduction by pi/2, Taylor polynomials of degree 7 and 8 on [-pi/4, pi/4].
// For screening and ranking only (never for a certified sign); m * hi < 2^50.
inline CosSin rough_sincos(double m, double hi) {
  const double p1 = m * hi;
  const double p2 = std::fma(m, hi, -p1);
  const NearestInteger q = nearest_integer(p1 * kTwoOverPi);
  const double j = q.j;
  const double y = (std::fma(-j, kHalfPi1, p1) - j * kHalfPi2) + p2;
  const double z = y * y;
  const double sin_y = y * (1.0 + z * (-1.0 / 6.0 + z * (1.0 / 120.0 + z * (-1.0 / 5040.0))));
  const double cos_y =
      1.0 + z * (-0.5 + z * (1.0 / 24.0 + z * (-1.0 / 720.0 + z * (1.0 / 40320.0))));
  return rotate_by_quadrant(q.bits, cos_y, sin_y);
}

// theta = hi + lo with |theta - exact| <= rel * hi; m a non-negative integer < 2^53,
// m * hi <= kMaxPhase.
inline SinCosTerm sincos_kernel(double m, double hi, double lo, double rel) {
  const ReducedPhase x = reduce_phase_kernel(m, hi, lo, rel);
  const CosSin cs = sincos_of_reduced(x.hi, x.lo);
  return {cs.c, cs.s, x.err + kKernelErr * (1.0 + 1e-10)};
}

}  // namespace ropebound::detail
