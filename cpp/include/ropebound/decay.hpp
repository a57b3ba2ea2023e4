// The decay sum B_m = sum_i cos(m * theta_i) with rigorous error bounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>

#include "ropebound/constants.hpp"
#include "ropebound/frequencies.hpp"
#include "ropebound/monitor.hpp"

namespace ropebound {

// Distances are exact integers below 2^53 (exactly representable doubles).
inline constexpr std::uint64_t kMaxDistance = std::uint64_t{1} << 53;

// Largest phase m * theta (radians) the argument reduction is proven for.
//
// Why a limit rather than a wider reduction: every evaluator reduces with
// k = nearbyint(fl(m theta) * fl(1/2pi)). While fl(m theta) <= 2^53 the
// rounded phase is off by at most 1 (an ulp at 2^53) and its product with
// fl(1/2pi), below 2^51, by at most 2^53 * 9.8e-18 (the rounding of 1/2pi) +
// 2^-3 (half an ulp): k is within 1/2 + 1/2pi + 0.214 < 0.875 of m theta / 2pi,
// so the remainder has |x| <= 2pi * 0.875 < 5.5, the quadrant
// j = round(2x/pi) lies in -3..3 (|2x/pi| < 3.5), and
// j * (pi/2)_hi is exact (its significand ends in three zero bits), so the
// kernels' error analysis holds unchanged (sincos.hpp, decay_sum.cpp). Beyond
// 2^53 the quotient loses its integer part, and neither RoPE (distances
// < 2^53, theta <= 1) nor any scaling scheme with factor >= 1 gets there: only
// explicit or down-scaled frequencies can, and those inputs are rejected
// rather than answered by a reduction that nothing else needs.
inline constexpr double kMaxPhase = 0x1p53;

// Throws std::invalid_argument (a ValueError in Python) unless the computed
// largest_distance * max_theta <= kMaxPhase (the exact product is then at
// most 2^53 + 1); NaN fails too.
inline void check_phase_range(double largest_distance, double max_theta) {
  const double phase = largest_distance * max_theta;
  if (phase <= kMaxPhase) return;
  char text[320];
  std::snprintf(text, sizeof text,
                "m * theta must be <= 2**53 (about 9.007e15 rad, the range where the argument "
                "reduction is proven; only explicit frequencies or a scaling factor below 1 "
                "reach it), got largest distance %.17g x largest frequency %.17g",
                largest_distance, max_theta);
  throw std::invalid_argument(text);
}

struct Bounded {
  double value = 0.0;
  double error = 0.0;  // |exact - value| <= error
};

struct SinCos {
  double c = 1.0;
  double s = 0.0;
  double error = 0.0;  // bound on each of |cos - c| and |sin - s|
};

// cos and sin of m * theta_i for pair i of the table, m < 2^53 (see sincos.hpp:
// double-double product, three-part 2*pi reduction, polynomial kernel).
SinCos exact_sincos(double m, const FrequencyTable& table, std::size_t pair);

// The same for every pair at once (a vectorised loop): c[i], s[i], and err[i]
// bounding both |cos - c[i]| and |sin - s[i]|. Returns max err[i].
double sincos_pairs(double m, const FrequencyTable& table, double* c, double* s, double* err);

// Worst case over the reduced argument of exact_sincos(m, table, pair).error,
// without evaluating anything.
double sincos_error_bound(double m, const FrequencyTable& table, std::size_t pair);

// B_m with a rigorous bound: terms summed in compensated arithmetic.
Bounded decay_sum(std::uint64_t m, const FrequencyTable& table);

// B_m to ~1e-28: the same reduction, cos in double-double arithmetic. Used to
// settle signs that decay_sum leaves open.
Bounded decay_sum_precise(std::uint64_t m, const FrequencyTable& table);

// g(u) = B_m(e^u) with g' and a bound on |g''| valid for every u' >= u. Needs a
// table built from a FrequencyModel (slope and curvature arrays).
struct DecayDerivatives {
  Bounded value;
  double slope = 0.0;            // g'(u), computed
  double slope_error = 0.0;      // |g'(u) - slope| <= slope_error
  double second = 0.0;           // g''(u), computed
  double second_error = 0.0;     // |g''(u) - second| <= second_error
  double curvature_bound = 0.0;  // |g''(u')| <= curvature_bound for u' >= u
  double third_bound = 0.0;      // |g'''(u')| <= third_bound for u' >= u
};
DecayDerivatives decay_derivatives(std::uint64_t m, const FrequencyTable& table);

// g, g' and g'' of decay_derivatives to ~1e-6 relative, without bounds, at a
// tenth of the cost (double-precision reduction, short polynomials): for
// ranking candidate violators only.
struct RoughDerivatives {
  double value = 0.0, slope = 0.0, second = 0.0;
};
RoughDerivatives rough_derivatives(std::uint64_t m, const FrequencyTable& table);

// Rotation recurrence parameters of decay_curve: baby steps between re-seeds by
// a giant-step rotation, giant steps between exact seeds.
inline constexpr int kBabySteps = 64;
inline constexpr int kGiantSteps = 64;
inline constexpr std::uint64_t kSuperBlock = std::uint64_t{kBabySteps} * kGiantSteps;

// Bound on |B_m - out[m - start]| for every m < last_distance + 1 produced by
// decay_curve with this table (see decay_curve.cpp for the derivation).
double decay_curve_error_bound(const FrequencyTable& table, std::uint64_t last_distance);

// out[k] = B_{start+k}, k < length, start + length <= 2^53. Returns false when
// the monitor stopped it (out is then partially written).
bool decay_curve(const FrequencyTable& table, std::uint64_t start, std::uint64_t length,
                 double* out, Monitor* monitor);

}  // namespace ropebound
