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
#include <limits>
#include <stdexcept>
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

// Pair i's error (the norm of its vector's, which bounds each component)
// after at most giant_steps giant and baby_steps baby steps from an exact
// seed at a distance <= last_distance (the analysis above
// recurrence_error_bound).
double pair_recurrence_error(const FrequencyTable& table, const Rotation& co, std::size_t i,
                             std::uint64_t last_distance, int giant_steps, int baby_steps) {
  const double u = kUnitRoundoff;
  const double sqrt2 = 1.4142135623730951;
  // The seed error grows with the distance only through the table's relative
  // error (m * theta * rel_err): the last distance gives the largest.
  const double seed = sincos_error_bound(static_cast<double>(last_distance), table, i);
  const double giant = giant_steps * (sqrt2 * co.giant_error + 2.83 * u * 1.01);
  const double baby = baby_steps * (sqrt2 * co.baby_error + 2.83 * u * 1.01);
  return (sqrt2 * seed + giant + baby) * 1.01;
}

}  // namespace

Rotation make_rotation(const FrequencyTable& table, bool with_giant) {
  Rotation co;
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
  return co;
}

void CurveScratch::reserve(const Rotation& co) {
  seed_c.assign(co.padded, 0.0);
  seed_s.assign(co.padded, 0.0);
  seed_err.assign(co.padded, 0.0);
}

ArcCertificate make_arc_certificate(const FrequencyTable& table, const Rotation& co,
                                    std::uint64_t last_distance) {
  const double u = kUnitRoundoff;
  const double sqrt2 = 1.4142135623730951;
  const std::size_t n = table.pairs();
  ArcCertificate out;
  out.arc_c.assign(co.padded, 1.0);
  out.arc_s.assign(co.padded, 0.0);
  out.full.assign(co.padded, 0.0);
  std::vector<double> err(n);
  const double arc_error = sincos_pairs(static_cast<double>(kBabySteps - 1), table,
                                        out.arc_c.data(), out.arc_s.data(), err.data());
  double worst = 0.0, total = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    // A seed after at most kGiantSteps - 1 giant steps.
    const double e = pair_recurrence_error(table, co, i, last_distance, kGiantSteps - 1, 0);
    worst = std::max(worst, e);
    total += sqrt2 * e + 2.0 * arc_error + 8.0 * u;
    // An arc of pi or more (with room for w's rounding) holds -1 whatever a.
    if ((kBabySteps - 1) * table.hi[i] >= 3.14159) out.full[i] = 1.0;
  }
  out.slack = (worst + arc_error) * 1.01 + 1e-300;
  // The sums, every partial sum at most n + constant in magnitude: four lanes
  // of padded / 4 terms, the lanes, the groups' sums added into the running
  // bound and taken out again (certified_segment), the constant and the exact
  // groups' lowest value: fewer roundings than this depth counts.
  const double depth = static_cast<double>(co.padded / 4 + 2 * (co.padded / kGroup) + 10);
  out.error = (total + 1.1 * depth * u * (static_cast<double>(n) + table.constant)) * (1.0 + 1e-9);
  out.recurrence_error =
      recurrence_error_bound(table, co, last_distance, kGiantSteps - 1, kBabySteps - 1);
  out.last_distance = last_distance;
  return out;
}

namespace {

// Sum of the arc minima of the pairs [begin, end) (multiples of 4).
double arc_sum(const double* seed_c, const double* seed_s, std::size_t begin, std::size_t end,
               const ArcCertificate& cert) {
  const v4 slack = v4{} + cert.slack;
  const v4 minus_one = v4{} - 1.0;
  v4 sum = v4{};
  for (std::size_t i = begin; i < end; i += 4) {
    const v4 c = load<v4>(seed_c + i), s = load<v4>(seed_s + i);
    const v4 ac = load<v4>(cert.arc_c.data() + i), as = load<v4>(cert.arc_s.data() + i);
    const v4 end_value = c * ac - s * as;
    const v4 low = c < end_value ? c : end_value;
    const auto reaches_pi =
        (s >= -slack && c <= -ac + slack) || load<v4>(cert.full.data() + i) > 0.5;
    sum += reaches_pi ? minus_one : low;
  }
  return (sum[0] + sum[1]) + (sum[2] + sum[3]);
}

}  // namespace

double arc_lower_bound(const double* seed_c, const double* seed_s, std::size_t padded,
                       double constant, const ArcCertificate& cert) {
  return constant + arc_sum(seed_c, seed_s, 0, padded, cert) - cert.error;
}

namespace {

// Exact seeds of every pair at `first` (the padding zero).
inline void seed_pairs(const FrequencyTable& table, const Rotation& co, std::uint64_t first,
                       CurveScratch& scratch) {
  sincos_pairs(static_cast<double>(first), table, scratch.seed_c.data(), scratch.seed_s.data(),
               scratch.seed_err.data());
  for (std::size_t i = table.pairs(); i < co.padded; ++i) {
    scratch.seed_c[i] = scratch.seed_s[i] = 0.0;
  }
}

// The seeds one block on: a giant step R(kBabySteps theta).
inline void giant_step(const Rotation& co, double* seed_c, double* seed_s) {
  for (std::size_t i = 0; i < co.padded; ++i) {
    const double c = seed_c[i], s = seed_s[i];
    seed_c[i] = c * co.giant_c[i] - s * co.giant_s[i];
    seed_s[i] = s * co.giant_c[i] + c * co.giant_s[i];
  }
}

inline double lane_total(v4 a) { return (a[0] + a[1]) + (a[2] + a[3]); }

}  // namespace

void curve_segment(const FrequencyTable& table, const Rotation& co, std::uint64_t first,
                   std::uint64_t count, double* out, CurveScratch& scratch) {
  seed_pairs(table, co, first, scratch);
  double* seed_c = scratch.seed_c.data();
  double* seed_s = scratch.seed_s.data();
  v4 acc[kBabySteps];  // per-step partial sums, one lane per pair mod 4
  for (std::uint64_t block = 0; block * kBabySteps < count; ++block) {
    const int steps =
        static_cast<int>(std::min<std::uint64_t>(kBabySteps, count - block * kBabySteps));
    for (int k = 0; k < steps; ++k) acc[k] = v4{0.0, 0.0, 0.0, 0.0};
    rotate_and_sum<v4, double, 4>(seed_c, seed_s, co.baby_c.data(), co.baby_s.data(), co.padded,
                                  steps, acc);
    double* dst = out + block * kBabySteps;
    for (int k = 0; k < steps; ++k) dst[k] = table.constant + lane_total(acc[k]);
    giant_step(co, seed_c, seed_s);
  }
}

void certified_segment(const FrequencyTable& table, const Rotation& co, std::uint64_t first,
                       std::uint64_t count, double* out, CurveScratch& scratch,
                       const ArcCertificate& certificate, double wanted_per_distance) {
  if (count == 0) return;
  if (count > kSuperBlock || first + (count - 1) > certificate.last_distance) {
    throw std::logic_error("internal: a certified segment beyond its certificate's distances");
  }
  seed_pairs(table, co, first, scratch);
  double* seed_c = scratch.seed_c.data();
  double* seed_s = scratch.seed_s.data();
  const std::size_t groups = co.padded / kGroup;
  scratch.group_arcs.resize(groups);
  double* group_arcs = scratch.group_arcs.data();
  v4 acc[kBabySteps];  // per-step partial sums, one lane per pair mod 4
  for (std::uint64_t block = 0; block * kBabySteps < count; ++block) {
    const int steps =
        static_cast<int>(std::min<std::uint64_t>(kBabySteps, count - block * kBabySteps));
    double* dst = out + block * kBabySteps;
    for (int k = 0; k < steps; ++k) acc[k] = v4{0.0, 0.0, 0.0, 0.0};
    // The arcs of every group; then, while the bound stays below zero, one
    // group at a time exactly (the fastest first, where the arcs are
    // loosest) with the arcs of the rest, until the bound proves the block
    // non-negative or every group is exact.
    double rest = table.constant - certificate.error - certificate.recurrence_error;
    for (std::size_t g = 0; g < groups; ++g) {
      group_arcs[g] = arc_sum(seed_c, seed_s, g * kGroup, (g + 1) * kGroup, certificate);
      rest += group_arcs[g];
    }
    // What the block's lower bound must reach: 0, or more for the anchor pass.
    const double wanted =
        wanted_per_distance * static_cast<double>(first + block * kBabySteps + steps - 1);
    bool settled = rest >= wanted;
    for (std::size_t g = 0; g < groups && !settled; ++g) {
      rotate_and_sum<v4, double, 4>(seed_c + g * kGroup, seed_s + g * kGroup,
                                    co.baby_c.data() + g * kGroup, co.baby_s.data() + g * kGroup,
                                    kGroup, steps, acc);
      rest -= group_arcs[g];
      if (g + 1 == groups) break;
      double lowest = std::numeric_limits<double>::infinity();
      for (int k = 0; k < steps; ++k) lowest = std::min(lowest, lane_total(acc[k]));
      settled = lowest + rest >= wanted;
    }
    for (int k = 0; k < steps; ++k) {
      dst[k] =
          settled ? std::numeric_limits<double>::infinity() : table.constant + lane_total(acc[k]);
    }
    giant_step(co, seed_c, seed_s);
  }
}

namespace {

typedef float v8 __attribute__((vector_size(32)));
constexpr std::size_t kScreenGroup = 32;

}  // namespace

// A pair is slow when its phase moves by at most kSlowPhase between a block's
// centre and either end (32 distances): its Taylor polynomial of degree
// kSlowDegree is then within 1/9! < 2.8e-6 of its cosine.
constexpr double kSlowPhase = 1.0;
constexpr int kSlowDegree = 8;

void make_screen_rotation(const FrequencyTable& table, ScreenRotation& out) {
  const std::size_t n = table.pairs();
  out.fast_theta.resize(n + kScreenGroup);
  out.slow_theta.resize(n + 4);
  out.baby_c.resize(n + kScreenGroup);
  out.baby_s.resize(n + kScreenGroup);
  out.half_c.resize(n + kScreenGroup);
  out.half_s.resize(n + kScreenGroup);
  std::size_t n_fast = 0, n_slow = 0;
  const double* __restrict hi = table.hi.data();
  double* __restrict fast_theta = out.fast_theta.data();
  double* __restrict slow_theta = out.slow_theta.data();
  for (std::size_t i = 0; i < n; ++i) {
    // Branch-free: both slots are written, one count advances.
    const double theta = hi[i];
    const bool slow = theta * (kBabySteps / 2) <= kSlowPhase;
    slow_theta[n_slow] = theta;
    fast_theta[n_fast] = theta;
    n_slow += slow ? 1 : 0;
    n_fast += slow ? 0 : 1;
  }
  out.n_fast = n_fast;
  out.n_slow = n_slow;
  // Up to kScreenGroup fast pairs run as two half-blocks in vectors of 8 (see
  // screen_block), more in groups of kScreenGroup.
  out.padded = n_fast <= kScreenGroup ? (n_fast + 7) / 8 * 8
                                      : (n_fast + kScreenGroup - 1) / kScreenGroup * kScreenGroup;
  const double* __restrict theta = out.fast_theta.data();
  float* __restrict baby_c = out.baby_c.data();
  float* __restrict baby_s = out.baby_s.data();
  float* __restrict half_c = out.half_c.data();
  float* __restrict half_s = out.half_s.data();
  for (std::size_t i = 0; i < n_fast; ++i) {
    // Model frequencies are a few radians at most: the kernel's own reduction
    // by pi/2 gives cos and sin to a few ulps, far below float rounding.
    const detail::CosSin baby = detail::sincos_of_reduced(theta[i], 0.0);
    const detail::CosSin half = detail::rough_sincos(kBabySteps / 2, theta[i]);
    baby_c[i] = static_cast<float>(baby.c);
    baby_s[i] = static_cast<float>(baby.s);
    half_c[i] = static_cast<float>(half.c);
    half_s[i] = static_cast<float>(half.s);
  }
  for (std::size_t i = n_fast; i < out.padded; ++i) {
    out.fast_theta[i] = 0.0;
    out.baby_c[i] = out.baby_s[i] = out.half_c[i] = out.half_s[i] = 0.0f;
  }
  for (std::size_t i = n_slow; i % 4 != 0; ++i) out.slow_theta[i] = 0.0;
  out.fast_theta.resize(out.padded);
  const std::size_t n_slow4 = (n_slow + 3) / 4 * 4;
  out.slow_theta.resize(n_slow4);
  // theta^d / d! for d = 1 .. kSlowDegree, [(d - 1) * n_slow4 + i]: the same
  // for every block at this base.
  out.slow_powers.resize(kSlowDegree * n_slow4);
  double* __restrict powers = out.slow_powers.data();
  const double* __restrict slow = out.slow_theta.data();
  for (std::size_t i = 0; i < n_slow4; ++i) powers[i] = slow[i];
  for (int d = 2; d <= kSlowDegree; ++d) {
    const double* __restrict previous = powers + (d - 2) * n_slow4;
    double* __restrict current = powers + (d - 1) * n_slow4;
    for (std::size_t i = 0; i < n_slow4; ++i) current[i] = previous[i] * slow[i] * (1.0 / d);
  }
}

namespace {

// The lane sums of a[0..8), as one vector: an 8 x 8 transpose by shuffles.
inline v8 lane_sums(const v8* a) {
  typedef int i8 __attribute__((vector_size(32)));
  const i8 even{0, 8, 2, 10, 4, 12, 6, 14}, odd{1, 9, 3, 11, 5, 13, 7, 15};
  const i8 lo2{0, 1, 8, 9, 4, 5, 12, 13}, hi2{2, 3, 10, 11, 6, 7, 14, 15};
  const i8 lo4{0, 1, 2, 3, 8, 9, 10, 11}, hi4{4, 5, 6, 7, 12, 13, 14, 15};
  v8 x[4];
  for (int j = 0; j < 4; ++j) {
    x[j] = __builtin_shuffle(a[2 * j], a[2 * j + 1], even) +
           __builtin_shuffle(a[2 * j], a[2 * j + 1], odd);
  }
  const v8 p = __builtin_shuffle(x[0], x[1], lo2) + __builtin_shuffle(x[0], x[1], hi2);
  const v8 q = __builtin_shuffle(x[2], x[3], lo2) + __builtin_shuffle(x[2], x[3], hi2);
  return __builtin_shuffle(p, q, lo4) + __builtin_shuffle(p, q, hi4);
}

// 8V pairs over a block as two half-blocks, for 2V independent rotations in
// flight: seeds c, s at the block's first distance (lanes 0 to 8V - 1) and 32
// distances later (lanes 8V to 16V - 1, the same pairs). Writes all of acc.
template <int V>
inline void rotate_halves(const float* seed_c, const float* seed_s, const float* baby_c,
                          const float* baby_s, v8* acc) {
  constexpr int kHalf = kBabySteps / 2;
  v8 c[2 * V], s[2 * V], bc[V], bs[V];
  for (int j = 0; j < 2 * V; ++j) {
    c[j] = load<v8>(seed_c + 8 * j);
    s[j] = load<v8>(seed_s + 8 * j);
  }
  for (int j = 0; j < V; ++j) {
    bc[j] = load<v8>(baby_c + 8 * j);
    bs[j] = load<v8>(baby_s + 8 * j);
  }
  for (int k = 0; k < kHalf; ++k) {
    v8 lo = c[0], hi = c[V];
    for (int j = 1; j < V; ++j) {
      lo += c[j];
      hi += c[V + j];
    }
    acc[k] = lo;
    acc[k + kHalf] = hi;
    for (int j = 0; j < 2 * V; ++j) {
      const v8 t = c[j] * bc[j % V] - s[j] * bs[j % V];
      s[j] = s[j] * bc[j % V] + c[j] * bs[j % V];
      c[j] = t;
    }
  }
}

}  // namespace

void screen_block(const FrequencyTable& table, const ScreenRotation& co, std::uint64_t first,
                  std::uint64_t count, float* out, ScreenScratch& scratch) {
  const int steps = static_cast<int>(std::min<std::uint64_t>(kBabySteps, count));
  const double m = static_cast<double>(first);
  v8 acc[kBabySteps];

  // Fast pairs: float baby steps from seeds at m (~4e-7, far inside the
  // screen's tolerance; the padding has theta = 0 and stays the zero vector).
  const std::size_t padded = co.padded;
  scratch.c.resize(2 * padded);
  scratch.s.resize(2 * padded);
  float* __restrict seed_c = scratch.c.data();
  float* __restrict seed_s = scratch.s.data();
  const double* __restrict fast = co.fast_theta.data();
  for (std::size_t i = 0; i < padded; ++i) {
    const detail::CosSin cs = detail::rough_sincos(m, fast[i]);
    seed_c[i] = static_cast<float>(cs.c);
    seed_s[i] = static_cast<float>(cs.s);
  }
  for (std::size_t i = co.n_fast; i < padded; ++i) seed_c[i] = 0.0f;
  if (padded > 0 && padded <= kScreenGroup) {
    // The second half's seeds: one rotation by R(32 theta).
    const float* __restrict hc = co.half_c.data();
    const float* __restrict hs = co.half_s.data();
    for (std::size_t i = 0; i < padded; ++i) {
      seed_c[padded + i] = seed_c[i] * hc[i] - seed_s[i] * hs[i];
      seed_s[padded + i] = seed_s[i] * hc[i] + seed_c[i] * hs[i];
    }
    const float* bc = co.baby_c.data();
    const float* bs = co.baby_s.data();
    switch (padded / 8) {
      case 1:
        rotate_halves<1>(seed_c, seed_s, bc, bs, acc);
        break;
      case 2:
        rotate_halves<2>(seed_c, seed_s, bc, bs, acc);
        break;
      case 3:
        rotate_halves<3>(seed_c, seed_s, bc, bs, acc);
        break;
      default:
        rotate_halves<4>(seed_c, seed_s, bc, bs, acc);
        break;
    }
  } else {
    for (int k = 0; k < kBabySteps; ++k) acc[k] = v8{};
    if (padded > 0) {
      rotate_and_sum<v8, float, 8>(seed_c, seed_s, co.baby_c.data(), co.baby_s.data(), padded,
                                   steps, acc);
    }
  }

  // Slow pairs: cos((centre + x) theta) = Re(e^{i centre theta} e^{i x theta})
  // summed over the pairs as sum_d coef[d] x^d, d <= kSlowDegree: the d-th
  // Taylor term of e^{i x theta} is (i theta)^d / d!, so the real part takes
  // c, -s, -c, s in turn (c + i s = e^{i centre theta}). Padding: c = s = 0.
  const std::size_t n_slow4 = co.slow_theta.size();
  scratch.slow_c.resize(n_slow4);
  scratch.slow_s.resize(n_slow4);
  double* __restrict sc = scratch.slow_c.data();
  double* __restrict ss = scratch.slow_s.data();
  const double* __restrict slow = co.slow_theta.data();
  const double centre = m + kBabySteps / 2;
  for (std::size_t i = 0; i < n_slow4; ++i) {
    const detail::CosSin cs = detail::rough_sincos(centre, slow[i]);
    sc[i] = cs.c;
    ss[i] = cs.s;
  }
  for (std::size_t i = co.n_slow; i < n_slow4; ++i) sc[i] = 0.0;
  v4 sums[kSlowDegree + 1] = {};
  const double* __restrict powers = co.slow_powers.data();  // theta^d / d!, d >= 1
  for (std::size_t i = 0; i < n_slow4; i += 4) {
    const v4 c = load<v4>(sc + i), s = load<v4>(ss + i);
    sums[0] += c;
    for (int d = 1; d <= kSlowDegree; ++d) {
      sums[d] += (d % 2 == 0 ? c : s) * load<v4>(powers + (d - 1) * n_slow4 + i);
    }
  }
  double coef[kSlowDegree + 1];
  for (int d = 0; d <= kSlowDegree; ++d) {
    const double total = (sums[d][0] + sums[d][1]) + (sums[d][2] + sums[d][3]);
    coef[d] = (d % 4 == 0 || d % 4 == 3) ? total : -total;
  }
  coef[0] += table.constant;
  for (int k = 0; k < kBabySteps; k += 8) {
    // The slow part at x = k - 32 ... k - 25, by Horner in two vectors of 4.
    v4 x0 = {0.0, 1.0, 2.0, 3.0}, x1 = {4.0, 5.0, 6.0, 7.0};
    x0 += k - kBabySteps / 2;
    x1 += k - kBabySteps / 2;
    v4 p0 = x0 - x0 + coef[kSlowDegree], p1 = p0;
    for (int d = kSlowDegree - 1; d >= 0; --d) {
      p0 = p0 * x0 + coef[d];
      p1 = p1 * x1 + coef[d];
    }
    typedef float v4f __attribute__((vector_size(16)));
    const v4f f0 = __builtin_convertvector(p0, v4f), f1 = __builtin_convertvector(p1, v4f);
    const v8 slow_part = __builtin_shufflevector(f0, f1, 0, 1, 2, 3, 4, 5, 6, 7);
    const v8 values = lane_sums(acc + k) + slow_part;
    if (k + 8 <= steps) {
      std::memcpy(out + k, &values, sizeof values);
    } else {
      for (int j = 0; k + j < steps; ++j) out[k + j] = values[j];
    }
  }
}

void make_block_bound(const FrequencyTable& table, BlockBound& out) {
  const std::size_t n = table.pairs();
  const std::size_t n16 = (n + 15) / 16 * 16;
  constexpr int kHalf = kBabySteps / 2;
  // Pairs in order of decreasing frequency, so that the fast ones come first
  // (plain RoPE's order already; a scaled model's need not be). Thread-local
  // buffers: the far screens make a bound at most bases near b*.
  thread_local std::vector<std::size_t> order;
  thread_local std::vector<double> step_c, step_s, err;
  order.resize(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  const auto faster = [&table](std::size_t x, std::size_t y) {
    return table.hi[x] > table.hi[y] || (table.hi[x] == table.hi[y] && x < y);
  };
  if (!std::is_sorted(order.begin(), order.end(), faster)) {
    std::sort(order.begin(), order.end(), faster);
  }
  // The run's rotation R(64 theta), accurate as make_rotation's giant steps
  // are before its rounding to float; the padding turns by nothing.
  step_c.resize(n);
  step_s.resize(n);
  err.resize(n);
  sincos_pairs(static_cast<double>(kBabySteps), table, step_c.data(), step_s.data(), err.data());
  out.pairs = n16;
  out.theta.assign(n16, 0.0);
  out.step_c.assign(n16, 1.0f);
  out.step_s.assign(n16, 0.0f);
  out.arc_c.resize(n16);
  out.arc_s.resize(n16);
  out.fast = 0;
  out.has_offsets = false;
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = order[k];
    out.theta[k] = table.hi[i];
    out.step_c[k] = static_cast<float>(step_c[i]);
    out.step_s[k] = static_cast<float>(step_s[i]);
    // Only frequencies that sincos_of_reduced takes (a few radians; model
    // frequencies are at most about 1) go into the exact part.
    if (k < kBoundFast && kHalf * out.theta[k] >= kBoundFastArc && out.theta[k] < 4.0) {
      out.fast = k + 1;
    }
  }
  constexpr double kPi = kTwoPiHi / 2;
  for (std::size_t i = 0; i < n16; ++i) {
    const double r = std::min(kHalf * out.theta[i], kPi);
    const detail::CosSin arc = detail::rough_sincos(1.0, r);
    out.arc_c[i] = static_cast<float>(arc.c);
    out.arc_s[i] = static_cast<float>(arc.s);
  }
  out.offset =
      table.constant - static_cast<double>(n16 - n) - static_cast<double>(n) * kBoundPairMargin;
}

namespace {

// R(j theta) of the fast pairs for j = 0 .. 32 by rotations in double from
// R(theta) (within ulps for these frequencies), all pairs a step at a time
// (it vectorises), then mirrored for the negative offsets.
void make_offsets(BlockBound& bound) {
  constexpr int kHalf = kBabySteps / 2;
  double c[kBoundFast], s[kBoundFast], one_c[kBoundFast], one_s[kBoundFast];
  const std::size_t fast = bound.fast;
  for (std::size_t i = 0; i < fast; ++i) {
    const detail::CosSin one = detail::sincos_of_reduced(bound.theta[i], 0.0);
    one_c[i] = one.c;
    one_s[i] = one.s;
    c[i] = 1.0;
    s[i] = 0.0;
  }
  bound.offset_c.resize(fast * kBabySteps);
  bound.offset_s.resize(fast * kBabySteps);
  for (int j = 0; j <= kHalf; ++j) {
    for (std::size_t i = 0; i < fast; ++i) {
      float* oc = bound.offset_c.data() + i * kBabySteps + kHalf;
      float* os = bound.offset_s.data() + i * kBabySteps + kHalf;
      if (j < kHalf) {
        oc[j] = static_cast<float>(c[i]);
        os[j] = static_cast<float>(s[i]);
      }
      oc[-j] = static_cast<float>(c[i]);
      os[-j] = static_cast<float>(-s[i]);
    }
    for (std::size_t i = 0; i < fast; ++i) {
      const double t = c[i] * one_c[i] - s[i] * one_s[i];
      s[i] = s[i] * one_c[i] + c[i] * one_s[i];
      c[i] = t;
    }
  }
  bound.has_offsets = true;
}

// A pair's minimum over the arc a +- r (cos a, sin a), in the arc's cosine
// and sine: -1 if the arc reaches pi.
inline v8 arc_minimum(v8 c, v8 s, v8 arc_c, v8 arc_s) {
  const v8 abs_s = s < 0.0f ? -s : s;
  const v8 low = c * arc_c - abs_s * arc_s;
  return c <= -arc_c ? v8{} - 1.0f : low;
}

}  // namespace

double block_lower_bound(BlockBound& bound, std::uint64_t first, BoundRun& run, double wanted) {
  const std::size_t n16 = bound.pairs;
  if (run.next != first || run.chained >= kBoundReseed) {
    const double centre = static_cast<double>(first) + kBabySteps / 2;
    run.c.resize(n16);
    run.s.resize(n16);
    for (std::size_t i = 0; i < n16; ++i) {
      const detail::CosSin cs = detail::rough_sincos(centre, bound.theta[i]);
      run.c[i] = static_cast<float>(cs.c);
      run.s[i] = static_cast<float>(cs.s);
    }
    run.chained = 0;
  }
  float* __restrict c = run.c.data();
  float* __restrict s = run.s.data();
  const float* __restrict ac = bound.arc_c.data();
  const float* __restrict as = bound.arc_s.data();
  const float* __restrict rc = bound.step_c.data();
  const float* __restrict rs = bound.step_s.data();
  // The fast pairs' phases at this block's centre, before the loop turns them.
  float fast_c[kBoundFast], fast_s[kBoundFast];
  for (std::size_t i = 0; i < bound.fast; ++i) {
    fast_c[i] = c[i];
    fast_s[i] = s[i];
  }
  // Two vectors of eight pairs per iteration, each with its own sum (two
  // independent dependency chains).
  const v8 sign = v8{} + (run.down ? -1.0f : 1.0f);
  v8 sums[2] = {v8{}, v8{}};
  for (std::size_t i = 0; i < n16; i += 16) {
    for (std::size_t j = 0; j < 2; ++j) {
      const std::size_t k = i + 8 * j;
      const v8 vc = load<v8>(c + k), vs = load<v8>(s + k);
      sums[j] += arc_minimum(vc, vs, load<v8>(ac + k), load<v8>(as + k));
      // The next block's phases (the padding stays at cos 0 = 1).
      const v8 vrc = load<v8>(rc + k), vrs = load<v8>(rs + k) * sign;
      const v8 next_c = vc * vrc - vs * vrs;
      const v8 next_s = vs * vrc + vc * vrs;
      std::memcpy(c + k, &next_c, sizeof next_c);
      std::memcpy(s + k, &next_s, sizeof next_s);
    }
  }
  ++run.chained;
  if (run.down) {
    run.next =
        first >= static_cast<std::uint64_t>(kBabySteps) ? first - kBabySteps : BoundRun::kNone;
  } else {
    run.next = first + kBabySteps;
  }
  const v8 total = sums[0] + sums[1];
  double arcs = 0.0;
  for (int l = 0; l < 8; ++l) arcs += total[l];
  const double arc_bound = arcs + bound.offset;
  if (arc_bound >= wanted || bound.fast == 0) return arc_bound;
  if (!bound.has_offsets) make_offsets(bound);
  // The fast pairs exactly instead of by their arcs (taken out of the sum):
  // their sum at each distance of the block, from the centre phases, eight
  // distances per vector.
  double fast_part = 0.0;
  for (std::size_t i = 0; i < bound.fast; ++i) {
    const float abs_s = std::fabs(fast_s[i]);
    fast_part += fast_c[i] <= -ac[i] ? -1.0f : fast_c[i] * ac[i] - abs_s * as[i];
  }
  constexpr int kVectors = kBabySteps / 8;
  v8 sum_at[kVectors] = {};
  for (std::size_t i = 0; i < bound.fast; ++i) {
    const v8 pc = v8{} + fast_c[i], ps = v8{} + fast_s[i];
    const float* oc = bound.offset_c.data() + i * kBabySteps;
    const float* os = bound.offset_s.data() + i * kBabySteps;
    for (int v = 0; v < kVectors; ++v) {
      sum_at[v] += pc * load<v8>(oc + 8 * v) - ps * load<v8>(os + 8 * v);
    }
  }
  v8 lowest = sum_at[0];
  for (int v = 1; v < kVectors; ++v) lowest = lowest < sum_at[v] ? lowest : sum_at[v];
  float fast_min = lowest[0];
  for (int l = 1; l < 8; ++l) fast_min = std::min(fast_min, lowest[l]);
  return arc_bound - fast_part + static_cast<double>(fast_min);
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
  double total = 0.0;
  for (std::size_t i = 0; i < table.pairs(); ++i) {
    total += pair_recurrence_error(table, co, i, last_distance, giant_steps, baby_steps);
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
