// Building blocks of decay_curve, shared with the bound solvers: rotation
// coefficients, one segment of the recurrence, and its error bound.
#pragma once

#include <cstdint>
#include <vector>

#include "ropebound/decay.hpp"

namespace ropebound {

struct Rotation {
  std::size_t padded = 0;  // pairs rounded up to the register group (16)
  // Baby-step R(theta_i) and giant-step R(kBabySteps * theta_i) per pair; zero
  // in the padding so that padded pairs stay the zero vector and add nothing.
  std::vector<double> baby_c, baby_s, giant_c, giant_s;
  double baby_error = 0.0;   // max per-component error of (baby_c, baby_s)
  double giant_error = 0.0;  // max per-component error of (giant_c, giant_s)
};

// Without giant steps (with_giant = false) only segments of at most kBabySteps
// distances may be evaluated.
Rotation make_rotation(const FrequencyTable& table, bool with_giant = true);

// Per-thread buffers for curve_segment.
struct CurveScratch {
  std::vector<double> seed_c, seed_s, seed_err;
  void reserve(const Rotation& co);
};

// out[k] = B_{first+k} for k < count <= kSuperBlock: exact seeds at `first`,
// giant steps every kBabySteps distances, baby steps in between.
void curve_segment(const FrequencyTable& table, const Rotation& co, std::uint64_t first,
                   std::uint64_t count, double* out, CurveScratch& scratch);

// Single-precision screening of one block: B_{first+k}, k < count <= kBabySteps.
// Pairs fast enough to matter within a block go by float baby steps from seeds
// at `first`, eight pairs per vector; the slow ones (phase moving by at most 1
// from the block's centre to either end) are summed once per block as a
// Taylor polynomial in the offset from the centre. No rigorous bound: values
// within kScreenTolerance of 0 (or below it) must be confirmed in double
// precision, and a block screened clean proves nothing.
inline constexpr double kScreenTolerance = 4e-3;
struct ScreenRotation {
  std::size_t padded = 0;  // fast pairs rounded up to a register group
  std::size_t n_fast = 0, n_slow = 0;
  // Per fast pair, zero in the padding: R(theta), R(32 theta) and theta.
  std::vector<float> baby_c, baby_s, half_c, half_s;
  std::vector<double> fast_theta;
  std::vector<double> slow_theta;   // rounded up to a multiple of 4 with zeros
  std::vector<double> slow_powers;  // theta^d / d! of the slow pairs (see decay_curve.cpp)
};
void make_screen_rotation(const FrequencyTable& table, ScreenRotation& out);
struct ScreenScratch {
  std::vector<float> c, s;
  std::vector<double> slow_c, slow_s;
};
void screen_block(const FrequencyTable& table, const ScreenRotation& co, std::uint64_t first,
                  std::uint64_t count, float* out, ScreenScratch& scratch);

// A lower bound on B_m for every m of the block [first, first + kBabySteps)
// that costs the slow pairs' seeds only: cos(a + h) >= cos a - |h| |sin a| -
// h^2 / 2 for each slow pair (a its phase at the block's centre, |h| <= 32
// theta <= kSlowPhase) and -1 for each fast one. Near b* at large contexts
// most blocks lie far above zero, and this settles them at a fraction of a
// screen (at L = 2^30, ln b = 30, it is above 2 for 96% of the blocks of the
// upper half). Like the screen it has no rigorous bound (rough seeds, a
// margin of 1e-4 for them): it only decides where to look.
double screen_lower_bound(const FrequencyTable& table, const ScreenRotation& co,
                          std::uint64_t first);

// Bound on |computed - exact| for values produced at most `giant_steps` giant
// and `baby_steps` baby steps after an exact seed at a distance <= last_distance.
double recurrence_error_bound(const FrequencyTable& table, const Rotation& co,
                              std::uint64_t last_distance, int giant_steps, int baby_steps);

}  // namespace ropebound
