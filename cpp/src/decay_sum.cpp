#include <algorithm>
#include <cmath>
#include <vector>

#include "ropebound/dd.hpp"
#include "ropebound/decay.hpp"
#include "ropebound/sincos.hpp"

namespace ropebound {

namespace {

struct Reduced {
  dd phase;      // ~ m*theta - 2*pi*k, |phase| < 5.5 (fl(m*theta) <= kMaxPhase)
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
      (table_error + kUnitRoundoff * std::fabs(q_lo) + std::fabs(k) * 0x1p-158 + 0x1p-95) *
      (1.0 + 8.0 * kUnitRoundoff);
  return {r, error};
}

// (-1)^k / n! as double-double, n = 0..27 (each within 2^-104 relative).
struct InverseFactorials {
  dd value[28];
  InverseFactorials() {
    value[0] = {1.0, 0.0};
    for (int n = 1; n < 28; ++n) value[n] = dd_div_d(value[n - 1], static_cast<double>(n));
  }
};
const InverseFactorials& inverse_factorials() {
  static const InverseFactorials table;  // thread-safe one-time initialisation
  return table;
}

// sin and cos of a double-double phase |r| <= 5.5 to ~1e-30: Taylor series of r/8
// (|r/8| <= 0.69; 13 terms of each leave < 2e-31), Horner in x^2 with
// double-double coefficients, then three double-angle steps, each at most
// doubling the absolute error (|cos|, |sin| <= 1).
void dd_sincos(dd r, dd& c_out, dd& s_out) {
  const dd* f = inverse_factorials().value;
  const dd x = {r.hi * 0.125, r.lo * 0.125};
  const dd x2 = dd_mul(x, x);
  dd c = (13 % 2 == 0) ? f[26] : dd_neg(f[26]);
  dd s = (13 % 2 == 0) ? f[27] : dd_neg(f[27]);
  for (int k = 12; k >= 0; --k) {
    const dd fc = (k % 2 == 0) ? f[2 * k] : dd_neg(f[2 * k]);
    const dd fs = (k % 2 == 0) ? f[2 * k + 1] : dd_neg(f[2 * k + 1]);
    c = dd_add(dd_mul(c, x2), fc);
    s = dd_add(dd_mul(s, x2), fs);
  }
  s = dd_mul(s, x);
  for (int step = 0; step < 3; ++step) {
    const dd s2 = dd_mul(s, c);
    const dd c2 = dd_sub(dd_mul(c, c), dd_mul(s, s));
    s = {2.0 * s2.hi, 2.0 * s2.lo};
    c = c2;
  }
  c_out = c;
  s_out = s;
}

// Error of the dd_sincos path per term: truncation < 2e-30 after the doublings, ~60 dd operations
// of relative error <= 8u^2 on values <= 2, amplified at most 8x by the doublings.
constexpr double kPreciseSinCosErr = 0x1p-94;

}  // namespace

dd precise_cos_of_double(double phase, double& error) {
  const Reduced r = reduce_phase(1.0, phase, 0.0, 0.0);
  dd c, s;
  dd_sincos(r.phase, c, s);
  error = r.error + kPreciseSinCosErr;
  return c;
}

double sincos_error_bound(double m, const FrequencyTable& table, std::size_t pair) {
  // Worst case of sincos_kernel's err over every distance <= m: with P = m hi,
  // |p2| <= uP, |q2| <= u(P + 5.5), |t1| <= 1.01 uP, |qm1| + |qm2| + |ql| <= 2.46e-16 K
  // for K = P/(2 pi) + 1 (P <= kMaxPhase: the remainder is below 5.5).
  const double p = m * table.hi[pair];
  const double k = p * kInvTwoPi + 1.0;
  const double magnitudes = 3.1 * kUnitRoundoff * p + 5.5 * kUnitRoundoff + 2.46e-16 * k;
  return (p * table.rel_err[pair] + 6.0 * kUnitRoundoff * magnitudes + k * 0x1p-158 +
          detail::kKernelErr) *
         (1.0 + 1e-9);
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
  out.error = (error + kUnitRoundoff * std::fabs(out.value) +
               4.0 * n * kUnitRoundoff * kUnitRoundoff * (n + table.constant)) *
              (1.0 + 4.0 * n * kUnitRoundoff);
  return out;
}

DecayDerivatives decay_derivatives(std::uint64_t m, const FrequencyTable& table) {
  const double md = static_cast<double>(m);
  const std::size_t n_pairs = table.pairs();
  thread_local std::vector<double> c, s, err;
  c.resize(n_pairs);
  s.resize(n_pairs);
  err.resize(n_pairs);
  sincos_pairs(md, table, c.data(), s.data(), err.data());
  double sum = table.constant, comp = 0.0, term_errors = 0.0;
  double slope = 0.0, slope_error = 0.0, curvature = 0.0;
  double second = 0.0, second_error = 0.0, third = 0.0;
  const double two_a = 2.0 * table.max_rate;
  for (std::size_t i = 0; i < n_pairs; ++i) {
    const dd t = two_sum(sum, c[i]);
    sum = t.hi;
    comp += t.lo;
    term_errors += err[i];
    // d/du cos(m theta_i(u)) = sin(m theta_i) * m * (-d theta_i/du).
    const double rate = md * table.slope[i];
    const double rate_abs = md * table.slope_abs[i];
    slope += s[i] * rate;
    slope_error += rate_abs * (err[i] + 1e-12);
    // d^2/du^2 cos(x(u)) = -cos(x) x'^2 - sin(x) x''.
    const double psi2_abs = md * table.curvature_abs[i];
    curvature += rate_abs * rate_abs + psi2_abs;
    // g'' term: -cos(x) x'^2 - sin(x) x'' with x' = -rate, x'' = m theta_i''.
    second -= c[i] * rate * rate + s[i] * (md * table.curvature[i]);
    second_error += (err[i] + 1e-11) * (rate_abs * rate_abs + psi2_abs);
    // |d^3 cos x| <= w^3 + 3 w |x''| + |x'''| <= w (w + 2A)^2, w = |x'| bound,
    // |x^(k)| <= w A^(k-1): decreasing in u like the curvature bound.
    third += rate_abs * (rate_abs + two_a) * (rate_abs + two_a);
  }
  DecayDerivatives out;
  out.value.value = sum + comp;
  const double n = static_cast<double>(n_pairs + 1);
  out.value.error = (term_errors + kUnitRoundoff * std::fabs(out.value.value) +
                     n * (n + 4.0) * kUnitRoundoff * kUnitRoundoff * (n + table.constant)) *
                    (1.0 + 4.0 * n * kUnitRoundoff);
  out.slope = slope;
  out.slope_error = (slope_error + 4.0 * n * kUnitRoundoff * std::fabs(slope)) * (1.0 + 1e-9);
  out.curvature_bound = curvature * (1.0 + 1e-9);
  out.second = second;
  out.second_error = (second_error + 4.0 * n * kUnitRoundoff * curvature) * (1.0 + 1e-9);
  out.third_bound = third * (1.0 + 1e-9);
  return out;
}

namespace {

// One pair's terms of rough_derivatives (see detail::rough_sincos).
void rough_pairs(double m, const double* __restrict hi, const double* __restrict slope,
                 const double* __restrict curvature, std::size_t n, double* __restrict value,
                 double* __restrict first, double* __restrict second) {
  for (std::size_t i = 0; i < n; ++i) {
    const detail::CosSin cs = detail::rough_sincos(m, hi[i]);
    const double rate = m * slope[i];
    value[i] = cs.c;
    first[i] = cs.s * rate;
    second[i] = -(cs.c * rate * rate + cs.s * m * curvature[i]);
  }
}

}  // namespace

RoughDerivatives rough_derivatives(std::uint64_t m, const FrequencyTable& table) {
  const std::size_t n = table.pairs();
  thread_local std::vector<double> value, first, second;
  value.resize(n);
  first.resize(n);
  second.resize(n);
  rough_pairs(static_cast<double>(m), table.hi.data(), table.slope.data(), table.curvature.data(),
              n, value.data(), first.data(), second.data());
  RoughDerivatives out;
  out.value = table.constant;
  for (std::size_t i = 0; i < n; ++i) {
    out.value += value[i];
    out.slope += first[i];
    out.second += second[i];
  }
  return out;
}

double sincos_pairs(double m, const FrequencyTable& table, double* __restrict c,
                    double* __restrict s, double* __restrict err) {
  const std::size_t n = table.pairs();
  const double* __restrict hi = table.hi.data();
  const double* __restrict lo = table.lo.data();
  const double* __restrict rel = table.rel_err.data();
  for (std::size_t i = 0; i < n; ++i) {
    const detail::SinCosTerm t = detail::sincos_kernel(m, hi[i], lo[i], rel[i]);
    c[i] = t.c;
    s[i] = t.s;
    err[i] = t.err;
  }
  double worst = 0.0;
  for (std::size_t i = 0; i < n; ++i) worst = std::max(worst, err[i]);
  return worst;
}

SinCos exact_sincos(double m, const FrequencyTable& table, std::size_t pair) {
  const detail::SinCosTerm t =
      detail::sincos_kernel(m, table.hi[pair], table.lo[pair], table.rel_err[pair]);
  return {t.c, t.s, t.err};
}

Bounded decay_sum(std::uint64_t m, const FrequencyTable& table) {
  const std::size_t n_pairs = table.pairs();
  thread_local std::vector<double> c, s, err;
  c.resize(n_pairs);
  s.resize(n_pairs);
  err.resize(n_pairs);
  sincos_pairs(static_cast<double>(m), table, c.data(), s.data(), err.data());
  // Neumaier summation: sum + comp carries the running total to ~u^2.
  double sum = table.constant;
  double comp = 0.0;
  double abs_sum = table.constant;
  double term_errors = 0.0;
  for (std::size_t i = 0; i < n_pairs; ++i) {
    const dd t = two_sum(sum, c[i]);
    sum = t.hi;
    comp += t.lo;
    abs_sum += std::fabs(c[i]);
    term_errors += err[i];
  }
  Bounded out;
  out.value = sum + comp;
  // Compensated summation (Ogita, Rump and Oishi's Sum2): |error| <= u|S| +
  // gamma_{n-1}^2 sum|t_i|, gamma_k = ku/(1-ku), charged as n(n+4)u^2; plus the
  // per-term bounds; the final factor absorbs the rounding of this bound's own
  // arithmetic.
  const double n = static_cast<double>(n_pairs + 1);
  out.error = (term_errors + kUnitRoundoff * std::fabs(out.value) +
               n * (n + 4.0) * kUnitRoundoff * kUnitRoundoff * abs_sum) *
              (1.0 + 4.0 * n * kUnitRoundoff);
  return out;
}

}  // namespace ropebound
