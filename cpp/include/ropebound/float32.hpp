// B_m as float32 inference stacks compute it ("as implemented"): frequencies
// stored in float32, phase fl32(fl32(m) * theta_f32) rounded once, cos taken in
// float64 of that float32 phase. Optionally cos is rounded to bfloat16 (a
// bf16 cos/sin table).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "ropebound/decay.hpp"
#include "ropebound/monitor.hpp"

namespace ropebound {

struct Float32Table {
  std::vector<float> theta;  // the stack's float32 inverse frequencies
  double constant = 0.0;     // unrotated pairs (cos 0 = 1 each)
  bool bf16_cos = false;     // round each cos to bfloat16 before summing
};

// The float32 phase of pair i at distance m, exactly as a float32 multiply
// gives it (round to nearest even), returned as the exact double.
inline double float32_phase(std::uint64_t m, float theta) {
  const float mf = static_cast<float>(m);
  return static_cast<double>(mf * theta);
}

// Throws std::invalid_argument unless every float32 phase up to the largest
// distance is finite and <= kMaxPhase: the precise evaluator reduces the
// phase like decay_sum does (decay.hpp). A non-finite theta fails too.
inline void check_float32_phase_range(std::uint64_t largest_distance, const Float32Table& table) {
  float largest = 0.0f;
  for (float t : table.theta) {
    if (!(t >= 0.0f && t <= 3.4028234663852886e38f)) {
      throw std::invalid_argument("float32 frequencies must be finite and >= 0");
    }
    largest = std::max(largest, t);
  }
  // fl32(fl32(m) * theta) is monotone in m and theta: the largest phase is here.
  const double phase = float32_phase(largest_distance, largest);
  if (phase <= kMaxPhase) return;
  char text[256];
  std::snprintf(text, sizeof text,
                "the float32 phase fl32(fl32(m) * theta) must be <= 2**53 (the range where the "
                "argument reduction is proven; only explicit frequencies or a scaling factor "
                "below 1 reach it), got %.17g",
                phase);
  throw std::invalid_argument(text);
}

// B^_m: the exact value of the modelled float32 arithmetic, with a rigorous
// bound on our evaluation error (libm cos on the phase, compensated sum). In
// bf16 mode the bound also covers a rounding that could go either way.
Bounded decay_sum_float32(std::uint64_t m, const Float32Table& table);

// The same in double-double cos (~1e-28), to settle signs.
Bounded decay_sum_float32_precise(std::uint64_t m, const Float32Table& table);

struct FirstNegative32 {
  std::int64_t distance = -1;
  std::uint64_t unknown = 0;
  bool stopped = false;
};

// Smallest m in [start, end) with B^_m < 0, parallel in waves (deterministic).
FirstNegative32 first_negative_float32(const Float32Table& table, std::uint64_t start,
                                       std::uint64_t end, Monitor* monitor);

}  // namespace ropebound
