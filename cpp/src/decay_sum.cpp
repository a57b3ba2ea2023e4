#include <cmath>

#include "ropebound/dd.hpp"
#include "ropebound/decay.hpp"

namespace ropebound {

namespace {

constexpr double kU = kUnitRoundoff;
constexpr double kInvTwoPi = 0x1.45f306dc9c883p-3;

struct Reduced {
  dd phase;      // ~ m*theta - 2*pi*k, |phase| <= pi + tiny
  double error;  // |m*theta_exact - 2*pi*k - (phase.hi + phase.lo)| <= error
};

// Reduces m * theta_i modulo 2*pi. All products are split exactly (two_prod),
// the large cancellation p - k*2pi_hi is an exact two_sum, so the only errors
// are the table's own (m * theta * rel_err), the dd additions (< 2^-95 for
// partial sums below 8), the rounding of k * 2pi_lo and the 2^-160 truncation
// of 2*pi.
Reduced reduce_phase(double m, double theta_hi, double theta_lo, double theta_rel_err) {
  const dd p = two_prod(m, theta_hi);
  const dd p_tail = two_prod(m, theta_lo);
  const double k = std::nearbyint(p.hi * kInvTwoPi);
  const dd q = two_prod(k, kTwoPiHi);
  const dd q_mid = two_prod(k, kTwoPiMid);
  const double q_lo = k * kTwoPiLo;

  dd r = two_sum(p.hi, -q.hi);
  r = dd_add(r, two_sum(p.lo, -q.lo));
  r = dd_add(r, dd_neg(q_mid));
  r = dd_add(r, p_tail);
  r = dd_add(r, {-q_lo, 0.0});

  const double table_error = p.hi * theta_rel_err;
  const double error =
      (table_error + kU * std::fabs(q_lo) + std::fabs(k) * 0x1p-158 + 0x1p-95) * (1.0 + 8.0 * kU);
  return {r, error};
}

}  // namespace

SinCos exact_sincos(double m, const FrequencyTable& table, std::size_t pair) {
  const Reduced r = reduce_phase(m, table.hi[pair], table.lo[pair], table.rel_err[pair]);
  const double c = std::cos(r.phase.hi);
  const double s = std::sin(r.phase.hi);
  const double tail = r.phase.lo;
  // cos(h + t) = cos h - t sin h - (t^2/2) cos(xi); likewise for sin.
  SinCos out;
  out.c = std::fma(-s, tail, c);
  out.s = std::fma(c, tail, s);
  out.error = (kLibmErr * (1.0 + std::fabs(tail)) + 0.5 * tail * tail + kU + r.error) *
              (1.0 + 8.0 * kU);
  return out;
}

Bounded decay_sum(std::uint64_t m, const FrequencyTable& table) {
  const double md = static_cast<double>(m);
  // Neumaier summation: sum + comp carries the running total to ~u^2.
  double sum = table.constant;
  double comp = 0.0;
  double abs_sum = table.constant;
  double term_errors = 0.0;
  for (std::size_t i = 0; i < table.pairs(); ++i) {
    const SinCos sc = exact_sincos(md, table, i);
    const dd t = two_sum(sum, sc.c);
    sum = t.hi;
    comp += t.lo;
    abs_sum += std::fabs(sc.c);
    term_errors += sc.error;
  }
  Bounded out;
  out.value = sum + comp;
  // Compensated summation: |error| <= u|S| + 2n u^2 sum|t_i| (Higham, Thm 4.8
  // gives 2u^2 n; we double it); plus the per-term bounds; the final factor
  // absorbs the rounding of this bound's own arithmetic.
  const double n = static_cast<double>(table.pairs() + 1);
  out.error = (term_errors + kU * std::fabs(out.value) + 4.0 * n * kU * kU * abs_sum) *
              (1.0 + 4.0 * n * kU);
  return out;
}

}  // namespace ropebound
