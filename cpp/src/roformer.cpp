#include "ropebound/roformer.hpp"

#include <algorithm>
#include <cmath>

#include "ropebound/dd.hpp"

namespace ropebound {

namespace {
constexpr std::uint64_t kBlock = 256;  // distances per parallel work item
}  // namespace

Bounded roformer_relative_bound(std::uint64_t m, const FrequencyTable& table) {
  const double md = static_cast<double>(m);
  // Running partial sum S_n = (re, im) and a bound e_s on |S_n - (re, im)|.
  double re = 0.0, im = 0.0, e_s = 0.0;
  // total = sum_n |S_n|; err_terms bounds sum_n | |S_n| - |S^_n| | plus the
  // rounding of each |S^_n| (hypot: <= 1 ulp, so 2u|S^_n| covers it).
  double total = 0.0, err_terms = 0.0;
  const std::size_t n_rot = table.pairs();
  for (std::size_t l = 0; l < n_rot; ++l) {
    const SinCos sc = exact_sincos(md, table, l);
    re += sc.c;
    im += sc.s;
    // Each component carries the exact_sincos error plus one rounding
    // (<= u * |component| <= u * |S^|), so the complex error grows by at most
    // sqrt(2) * (sc.error + u * |S^_n|) <= 1.5 * (...).
    const double mag = std::hypot(re, im);
    e_s += 1.5 * (sc.error + kUnitRoundoff * mag);
    total += mag;
    err_terms += e_s + 2.0 * kUnitRoundoff * mag;
  }
  // Unrotated pairs (theta = 0): S_n = S_{r/2} + k for the k-th of them. The
  // count is an exact small integer, so only the roundings are new.
  const auto n_const = static_cast<std::uint64_t>(table.constant);
  for (std::uint64_t k = 1; k <= n_const; ++k) {
    const double re_k = re + static_cast<double>(k);
    const double mag = std::hypot(re_k, im);
    total += mag;
    err_terms += e_s + 3.0 * kUnitRoundoff * mag;
  }
  const double pairs = static_cast<double>(n_rot) + table.constant;
  Bounded out;
  out.value = pairs > 0.0 ? total / pairs : 0.0;
  // Recursive summation of N non-negative terms: error <= (N-1) u * sum
  // (Higham, Eq. 4.4, first order; the factor 2 covers the higher orders for
  // N u < 0.01). Division adds one rounding.
  const double n_terms = std::max(pairs, 1.0);
  const double sum_err = 2.0 * n_terms * kUnitRoundoff * total;
  out.error = pairs > 0.0 ? ((err_terms + sum_err) / pairs + kUnitRoundoff * out.value) *
                                (1.0 + 4.0 * kUnitRoundoff)
                          : 0.0;
  return out;
}

bool roformer_curve(const FrequencyTable& table, std::uint64_t start, std::uint64_t length,
                    double* out, double* err, Monitor* monitor) {
  const auto n_blocks = static_cast<std::int64_t>((length + kBlock - 1) / kBlock);
  return parallel_for(n_blocks, monitor, [&](std::int64_t block, int) {
    const std::uint64_t lo = static_cast<std::uint64_t>(block) * kBlock;
    const std::uint64_t hi = std::min(length, lo + kBlock);
    for (std::uint64_t k = lo; k < hi; ++k) {
      const Bounded b = roformer_relative_bound(start + k, table);
      out[k] = b.value;
      err[k] = b.error;
    }
  });
}

}  // namespace ropebound
