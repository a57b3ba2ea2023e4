// B_m for a run of consecutive distances by rotation recurrences.
//
// Per pair i the vector v_m = (cos m*theta_i, sin m*theta_i) advances by the
// rotation R(theta_i): v_{m+1} = R v_m. Three levels keep the error bounded
// independently of the length:
//   * every kSuperBlock distances each pair is seeded exactly (exact_sincos);
//   * within a super-block, a giant step R(K*theta_i) moves the seed forward by
//     K = kBabySteps distances, at most kGiantSteps - 1 times;
//   * within a block, K - 1 baby steps R(theta_i) produce the K distances.
// This file is built with floating-point contraction enabled: the rotations may
// use fused multiply-adds. The error bound below holds with or without them.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "ropebound/dd.hpp"
#include "ropebound/decay.hpp"
#include "ropebound/recurrence.hpp"
#include "ropebound/sincos.hpp"

namespace ropebound {

namespace {

typedef double v4 __attribute__((vector_size(32)));
// Pairs per register group: four vectors of four keep enough independent
// rotations in flight to hide the multiply/FMA latency.
constexpr std::size_t kGroup = 16;

template <class V, class T>
inline V load(const T* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// acc[k] += sum over pairs of cos((m0 + k) theta_i), k < steps, by baby-step
// rotations from the seeds (c, s), four vectors V of W pairs at a time (enough
// independent rotations in flight to hide the multiply/FMA latency). Padded
// pairs are zero and add nothing. Shared by the double recurrence and the
// single-precision screen; the summation order is what the error bound of
// recurrence_error_bound assumes.
template <class V, class T, std::size_t W>
inline void rotate_and_sum(const T* seed_c, const T* seed_s, const T* baby_c, const T* baby_s,
                           std::size_t padded, int steps, V* acc) {
  for (std::size_t g = 0; g < padded; g += 4 * W) {
    V c0 = load<V>(seed_c + g), c1 = load<V>(seed_c + g + W), c2 = load<V>(seed_c + g + 2 * W),
      c3 = load<V>(seed_c + g + 3 * W);
    V s0 = load<V>(seed_s + g), s1 = load<V>(seed_s + g + W), s2 = load<V>(seed_s + g + 2 * W),
      s3 = load<V>(seed_s + g + 3 * W);
    const V bc0 = load<V>(baby_c + g), bc1 = load<V>(baby_c + g + W),
            bc2 = load<V>(baby_c + g + 2 * W), bc3 = load<V>(baby_c + g + 3 * W);
    const V bs0 = load<V>(baby_s + g), bs1 = load<V>(baby_s + g + W),
            bs2 = load<V>(baby_s + g + 2 * W), bs3 = load<V>(baby_s + g + 3 * W);
    for (int k = 0; k < steps; ++k) {
      acc[k] += (c0 + c1) + (c2 + c3);
      V t;
      t = c0 * bc0 - s0 * bs0;
      s0 = s0 * bc0 + c0 * bs0;
      c0 = t;
      t = c1 * bc1 - s1 * bs1;
      s1 = s1 * bc1 + c1 * bs1;
      c1 = t;
      t = c2 * bc2 - s2 * bs2;
      s2 = s2 * bc2 + c2 * bs2;
      c2 = t;
      t = c3 * bc3 - s3 * bs3;
      s3 = s3 * bc3 + c3 * bs3;
      c3 = t;
    }
  }
}

}  // namespace

Rotation make_rotation(const FrequencyTable& table, bool with_giant) {
  Rotation co;
  make_rotation_into(table, with_giant, co);
  return co;
}

void make_rotation_into(const FrequencyTable& table, bool with_giant, Rotation& co) {
  const std::size_t n = table.pairs();
  co.padded = (n + kGroup - 1) / kGroup * kGroup;
  co.baby_c.assign(co.padded, 0.0);
  co.baby_s.assign(co.padded, 0.0);
  co.giant_c.assign(co.padded, 0.0);
  co.giant_s.assign(co.padded, 0.0);
  co.giant_error = 0.0;
  // Vectorised seeds (the same kernel as exact_sincos); the padding stays zero.
  thread_local std::vector<double> err;
  err.resize(n);
  co.baby_error = sincos_pairs(1.0, table, co.baby_c.data(), co.baby_s.data(), err.data());
  if (with_giant) {
    co.giant_error = sincos_pairs(static_cast<double>(kBabySteps), table, co.giant_c.data(),
                                  co.giant_s.data(), err.data());
  }
}

void CurveScratch::reserve(const Rotation& co) {
  seed_c.assign(co.padded, 0.0);
  seed_s.assign(co.padded, 0.0);
  seed_err.assign(co.padded, 0.0);
}

void curve_segment(const FrequencyTable& table, const Rotation& co, std::uint64_t first,
                   std::uint64_t count, double* out, CurveScratch& scratch) {
  const std::size_t n = table.pairs();
  double* seed_c = scratch.seed_c.data();
  double* seed_s = scratch.seed_s.data();
  sincos_pairs(static_cast<double>(first), table, seed_c, seed_s, scratch.seed_err.data());
  for (std::size_t i = n; i < co.padded; ++i) seed_c[i] = seed_s[i] = 0.0;

  v4 acc[kBabySteps];  // per-step partial sums, one lane per pair mod 4
  for (std::uint64_t block = 0; block * kBabySteps < count; ++block) {
    const int steps =
        static_cast<int>(std::min<std::uint64_t>(kBabySteps, count - block * kBabySteps));
    for (int k = 0; k < steps; ++k) acc[k] = v4{0.0, 0.0, 0.0, 0.0};
    rotate_and_sum<v4, double, 4>(seed_c, seed_s, co.baby_c.data(), co.baby_s.data(), co.padded,
                                  steps, acc);
    double* dst = out + block * kBabySteps;
    for (int k = 0; k < steps; ++k) {
      const v4 a = acc[k];
      dst[k] = table.constant + ((a[0] + a[1]) + (a[2] + a[3]));
    }
    for (std::size_t i = 0; i < co.padded; ++i) {
      const double c = seed_c[i], s = seed_s[i];
      seed_c[i] = c * co.giant_c[i] - s * co.giant_s[i];
      seed_s[i] = s * co.giant_c[i] + c * co.giant_s[i];
    }
  }
}

namespace {

typedef float v8 __attribute__((vector_size(32)));
constexpr std::size_t kScreenGroup = 32;

}  // namespace

void make_screen_rotation(const FrequencyTable& table, ScreenRotation& out) {
  const std::size_t pairs = table.pairs();
  out.padded = (pairs + kScreenGroup - 1) / kScreenGroup * kScreenGroup;
  out.baby_c.assign(out.padded, 0.0f);
  out.baby_s.assign(out.padded, 0.0f);
  // Model frequencies are a few radians at most: the kernel's own reduction by
  // pi/2 gives cos and sin to a few ulps, far below float rounding.
  const double* __restrict hi = table.hi.data();
  const double* __restrict lo = table.lo.data();
  for (std::size_t i = 0; i < pairs; ++i) {
    const detail::CosSin cs = detail::sincos_of_reduced(hi[i], lo[i]);
    out.baby_c[i] = static_cast<float>(cs.c);
    out.baby_s[i] = static_cast<float>(cs.s);
  }
}

void screen_block(const FrequencyTable& table, const ScreenRotation& co, std::uint64_t first,
                  std::uint64_t count, float* out, ScreenScratch& scratch) {
  const std::size_t n = table.pairs();
  scratch.c.assign(co.padded, 0.0f);
  scratch.s.assign(co.padded, 0.0f);
  // Seeds to ~4e-7, far inside the screen's tolerance.
  const double m = static_cast<double>(first);
  const double* __restrict hi = table.hi.data();
  float* __restrict seed_c = scratch.c.data();
  float* __restrict seed_s = scratch.s.data();
  for (std::size_t i = 0; i < n; ++i) {
    const detail::CosSin cs = detail::rough_sincos(m, hi[i]);
    seed_c[i] = static_cast<float>(cs.c);
    seed_s[i] = static_cast<float>(cs.s);
  }
  const int steps = static_cast<int>(std::min<std::uint64_t>(kBabySteps, count));
  v8 acc[kBabySteps];
  for (int k = 0; k < steps; ++k) acc[k] = v8{};
  rotate_and_sum<v8, float, 8>(scratch.c.data(), scratch.s.data(), co.baby_c.data(),
                               co.baby_s.data(), co.padded, steps, acc);
  const auto constant = static_cast<float>(table.constant);
  for (int k = 0; k < steps; ++k) {
    const v8 a = acc[k];
    out[k] = constant + (((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7])));
  }
}

// Error bound. Let e_k = ||v^_k - v_k|| for one pair. A rotation step computed
// with coefficients off by at most eta per component (so ||R^ - R|| <= sqrt2 eta)
// and rounded arithmetic (each component within 2u(1+eta)||v^|| with or without
// FMA, so within 2.83u(1+eta)||v^|| in norm) gives
//   e_{k+1} <= e_k + (sqrt2 eta + 2.83u(1+eta)) (1 + e_k).
// An exact seed starts at e_0 <= sqrt2 eta_seed; at most kGiantSteps-1 giant and
// kBabySteps-1 baby steps follow, and |cos error| <= e. The per-pair errors then
// add, plus the rounding of the summation tree (depth h = groups + 5):
//   gamma_h * (sum_i |c_i| + constant), |c_i| <= 1 + e.
double recurrence_error_bound(const FrequencyTable& table, const Rotation& co,
                              std::uint64_t last_distance, int giant_steps, int baby_steps) {
  const double u = kUnitRoundoff;
  const double sqrt2 = 1.4142135623730951;
  double total = 0.0;
  for (std::size_t i = 0; i < table.pairs(); ++i) {
    // The seed error grows with the distance only through the table's relative
    // error (m * theta * rel_err): the last distance gives the largest.
    const double seed = sincos_error_bound(static_cast<double>(last_distance), table, i);
    const double giant = giant_steps * (sqrt2 * co.giant_error + 2.83 * u * 1.01);
    const double baby = baby_steps * (sqrt2 * co.baby_error + 2.83 * u * 1.01);
    total += (sqrt2 * seed + giant + baby) * 1.01;
  }
  const double depth = static_cast<double>(co.padded / kGroup + 5);
  const double gamma = depth * u / (1.0 - depth * u);
  total += gamma * (static_cast<double>(table.pairs()) * 1.01 + table.constant);
  return total * (1.0 + 1e-6);
}

double decay_curve_error_bound(const FrequencyTable& table, std::uint64_t last_distance) {
  return recurrence_error_bound(table, make_rotation(table), last_distance, kGiantSteps - 1,
                                kBabySteps - 1);
}

bool decay_curve(const FrequencyTable& table, std::uint64_t start, std::uint64_t length,
                 double* out, Monitor* monitor) {
  if (length == 0) return true;
  const Rotation co = make_rotation(table);
  std::vector<CurveScratch> scratch(static_cast<std::size_t>(max_threads()));
  for (CurveScratch& s : scratch) s.reserve(co);
  const auto n_blocks = static_cast<std::int64_t>((length + kSuperBlock - 1) / kSuperBlock);
  return parallel_for(n_blocks, monitor, [&](std::int64_t b, int worker) {
    const std::uint64_t offset = static_cast<std::uint64_t>(b) * kSuperBlock;
    const std::uint64_t count = std::min<std::uint64_t>(kSuperBlock, length - offset);
    curve_segment(table, co, start + offset, count, out + offset, scratch[worker]);
  });
}

}  // namespace ropebound
