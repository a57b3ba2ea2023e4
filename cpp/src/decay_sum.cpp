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

// sin and cos of a double-double phase |r| <= 4 to ~1e-30: Taylor series of r/8
// (|r/8| <= 0.5, 15 terms leave < 1e-35), then three double-angle steps, each
// at most doubling the absolute error (|cos|, |sin| <= 1).
void dd_sincos(dd r, dd& c_out, dd& s_out) {
  const dd x = {r.hi * 0.125, r.lo * 0.125};
  const dd x2 = dd_mul(x, x);
  // cos x = sum (-1)^k x^2k/(2k)!, sin x = x sum (-1)^k x^2k/(2k+1)!, by Horner.
  dd c{1.0, 0.0}, s{1.0, 0.0};
  for (int k = 15; k >= 1; --k) {
    c = dd_sub({1.0, 0.0}, dd_div_d(dd_mul(x2, c), (2.0 * k) * (2.0 * k - 1.0)));
    s = dd_sub({1.0, 0.0}, dd_div_d(dd_mul(x2, s), (2.0 * k + 1.0) * (2.0 * k)));
  }
  s = dd_mul(s, x);
  for (int step = 0; step < 3; ++step) {
    const dd s2 = dd_mul(dd_mul(s, c), {2.0, 0.0});
    const dd c2 = dd_sub(dd_mul(dd_mul(c, c), {2.0, 0.0}), {1.0, 0.0});
    s = s2;
    c = c2;
  }
  c_out = c;
  s_out = s;
}

// Error of the dd_sincos path per term: truncation < 1e-35, ~40 dd operations of
// relative error <= 8u^2 on values <= 2, amplified at most 8x by the doublings.
constexpr double kPreciseSinCosErr = 0x1p-94;

}  // namespace

double sincos_error_bound(double m, const FrequencyTable& table, std::size_t pair) {
  const double p = m * table.hi[pair];
  const double k = std::fabs(p) * kInvTwoPi + 1.0;
  const double reduce =
      (p * table.rel_err[pair] * (1.0 + 4.0 * kU) + kU * k * 0x1p-106 + k * 0x1p-158 + 0x1p-95) *
      (1.0 + 8.0 * kU);
  const double tail = 0x1p-51;  // |lo| of a reduced phase |hi| <= 4
  return (kLibmErr * (1.0 + tail) + 0.5 * tail * tail + kU + reduce) * (1.0 + 8.0 * kU);
}

Bounded decay_sum_precise(std::uint64_t m, const FrequencyTable& table) {
  const double md = static_cast<double>(m);
  dd sum{table.constant, 0.0};
  double error = 0.0;
  for (std::size_t i = 0; i < table.pairs(); ++i) {
    const Reduced r = reduce_phase(md, table.hi[i], table.lo[i], table.rel_err[i]);
    dd c, s;
    dd_sincos(r.phase, c, s);
    sum = dd_add(sum, c);
    error += r.error + kPreciseSinCosErr;
  }
  Bounded out;
  out.value = sum.hi + sum.lo;
  // dd additions: <= 3u^2 of partial sums bounded by pairs + constant each.
  const double n = static_cast<double>(table.pairs()) + 1.0;
  out.error = (error + kU * std::fabs(out.value) + 4.0 * n * kU * kU * (n + table.constant)) *
              (1.0 + 4.0 * n * kU);
  return out;
}

DecayDerivatives decay_derivatives(std::uint64_t m, const FrequencyTable& table) {
  const double md = static_cast<double>(m);
  double sum = table.constant, comp = 0.0, term_errors = 0.0;
  double slope = 0.0, slope_error = 0.0, curvature = 0.0;
  for (std::size_t i = 0; i < table.pairs(); ++i) {
    const SinCos sc = exact_sincos(md, table, i);
    const dd t = two_sum(sum, sc.c);
    sum = t.hi;
    comp += t.lo;
    term_errors += sc.error;
    // d/du cos(m theta_i(u)) = sin(m theta_i) * m * (-d theta_i/du).
    const double rate = md * table.slope[i];
    const double rate_abs = md * table.slope_abs[i];
    slope += sc.s * rate;
    slope_error += rate_abs * (sc.error + 1e-12);
    // d^2/du^2 cos(x(u)) = -cos(x) x'^2 - sin(x) x''.
    curvature += rate_abs * rate_abs + md * table.curvature_abs[i];
  }
  DecayDerivatives out;
  out.value.value = sum + comp;
  const double n = static_cast<double>(table.pairs() + 1);
  out.value.error = (term_errors + kU * std::fabs(out.value.value) +
                     4.0 * n * kU * kU * (n + table.constant)) * (1.0 + 4.0 * n * kU);
  out.slope = slope;
  out.slope_error = (slope_error + 4.0 * n * kU * std::fabs(slope)) * (1.0 + 1e-9);
  out.curvature_bound = curvature * (1.0 + 1e-9);
  return out;
}

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
