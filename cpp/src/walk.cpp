#include "ropebound/walk.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ropebound/dd.hpp"
#include "ropebound/sincos.hpp"

namespace ropebound {

namespace {

// Largest drift argument a * t: e^(-x) - 1 = -x P(x) with P's Taylor series cut
// after x^11 leaves x^12 / 13! < 2^-93 relative for x <= 1/8.
constexpr double kMaxDriftArgument = 0.125;
// Below ~ulp(b)/b/8 a step cannot move the base.
constexpr double kMinStep = 0x1p-56;

// P(x) = sum_j (-x)^j / (j+1)!, j <= 11, by Horner with fused multiply-adds.
// Alternating terms decreasing at least 8x (x <= 1/8): relative error <= 3u.
inline double expm1_neg(double x) {
  double p = -1.0 / 479001600.0;  // (-1)^11 / 12!
  p = std::fma(p, x, 1.0 / 39916800.0);
  p = std::fma(p, x, -1.0 / 3628800.0);
  p = std::fma(p, x, 1.0 / 362880.0);
  p = std::fma(p, x, -1.0 / 40320.0);
  p = std::fma(p, x, 1.0 / 5040.0);
  p = std::fma(p, x, -1.0 / 720.0);
  p = std::fma(p, x, 1.0 / 120.0);
  p = std::fma(p, x, -1.0 / 24.0);
  p = std::fma(p, x, 1.0 / 6.0);
  p = std::fma(p, x, -1.0 / 2.0);
  p = std::fma(p, x, 1.0);
  return -x * p;
}

// One term per pair of the drift and of the phase derivatives; the first term
// assigns, later ones add. rate = -psi' = m v a e^(-a t), second = psi''.
// At t = 0 (kAtZero) the drift vanishes exactly: no series to evaluate.
template <bool kFirst, bool kAtZero>
void add_drift_terms(const double* __restrict phi, const double* __restrict a, double t,
                     std::size_t n, double* __restrict drift, double* __restrict drift_abs,
                     double* __restrict rate, double* __restrict rate_abs,
                     double* __restrict second, double* __restrict second_abs) {
  for (std::size_t i = 0; i < n; ++i) {
    // Each drift term m v (e^(-a t) - 1): v within 2u, m v within 3u, the
    // argument a t within 2u (so E within 3u + 2u + u), the product within u
    // more: 10u relative; 24u is charged in phase_sincos.
    const double e_minus_1 = kAtZero ? 0.0 : expm1_neg(a[i] * t);
    const double d = phi[i] * e_minus_1;
    const double r = phi[i] * a[i] * (1.0 + e_minus_1);
    if (kFirst) {
      drift[i] = d;
      drift_abs[i] = std::fabs(d);
      rate[i] = r;
      rate_abs[i] = std::fabs(r);
      second[i] = r * a[i];
      second_abs[i] = std::fabs(r) * a[i];
    } else {
      drift[i] += d;
      drift_abs[i] += std::fabs(d);
      rate[i] += r;
      rate_abs[i] += std::fabs(r);
      second[i] += r * a[i];
      second_abs[i] += std::fabs(r) * a[i];
    }
  }
}

// cos and sin of psi_i = rho_i + drift_i, with a bound on each.
void phase_sincos(const double* __restrict rho_hi, const double* __restrict rho_lo,
                  const double* __restrict rho_err, const double* __restrict drift,
                  const double* __restrict drift_abs, std::size_t n, double* __restrict c,
                  double* __restrict s, double* __restrict err) {
  for (std::size_t i = 0; i < n; ++i) {
    const double tail = rho_lo[i] + drift[i];
    const double psi = rho_hi[i] + tail;
    const double phase_err = rho_err[i] + 24.0 * kUnitRoundoff * drift_abs[i] +
                             kUnitRoundoff * (std::fabs(tail) + std::fabs(psi));
    const detail::ReducedPhase x = detail::reduce_phase_kernel(1.0, psi, 0.0, 0.0);
    const detail::CosSin cs = detail::sincos_of_reduced(x.hi, x.lo);
    c[i] = cs.c;
    s[i] = cs.s;
    err[i] = phase_err + x.err + detail::kKernelErr;
  }
}

// The exactly reduced phases m theta_i - 2 pi k_i of a table (a vectorised loop).
void reduce_phases(double m, const double* __restrict hi, const double* __restrict lo,
                   const double* __restrict rel, std::size_t n, double* __restrict rho_hi,
                   double* __restrict rho_lo, double* __restrict rho_err) {
  for (std::size_t i = 0; i < n; ++i) {
    const detail::ReducedPhase r = detail::reduce_phase_kernel(m, hi[i], lo[i], rel[i]);
    rho_hi[i] = r.hi;
    rho_lo[i] = r.lo;
    rho_err[i] = r.err;
  }
}

// Largest h <= limit found such that the cubic Taylor bound
//   P(x) = upper + slope x + second x^2 / 2 + third x^3 / 6  >=  g(t + x)
// is negative for every x in [0, h]: Newton's method from the right on P's
// first root (from the quadratic part's root, or `limit`), then a check that
// P's Bernstein control points on [0, h] are all negative (P lies in their
// convex hull), shrinking h until it holds. 0 if none found.
double cubic_step(double upper, double slope, double second, double third, double limit) {
  const double a = 0.5 * second, d = third / 6.0;
  auto poly = [&](double x) { return upper + x * (slope + x * (a + x * d)); };
  double h = std::min(limit, first_root(upper, slope, a));
  for (int iter = 0; iter < 4 && poly(h) > 0.0; ++iter) {
    const double derivative = slope + h * (2.0 * a + 3.0 * h * d);
    if (!(derivative > 0.0)) break;
    h -= poly(h) / derivative;
  }
  h *= 1.0 - 1e-6;
  for (int attempt = 0; attempt < 8 && h > 0.0; ++attempt, h *= attempt < 4 ? 0.99 : 0.5) {
    const double p1 = slope * h, p2 = a * h * h, p3 = d * h * h * h;
    const double c1 = upper + p1 / 3.0;
    const double c2 = upper + 2.0 * p1 / 3.0 + p2 / 3.0;
    const double c3 = upper + p1 + p2 + p3;
    const double slack =
        8.0 * kUnitRoundoff * (std::fabs(upper) + std::fabs(p1) + std::fabs(p2) + p3);
    if (std::max(std::max(c1, c2), c3) + slack < 0.0) return h;
  }
  return 0.0;
}

}  // namespace

double first_root(double c, double b, double a) {
  const double disc = b * b - 4.0 * a * c;
  if (b > 0.0 && disc >= 0.0) return 2.0 * -c / (b + std::sqrt(disc));
  // b <= 0 (still falling): b + sqrt(disc) would cancel (with |4ac| << b^2 it rounds
  // to 0 or to a tiny, wrong denominator and the root comes out far too late), while
  // -b + sqrt(disc) adds two non-negative numbers.
  if (a > 0.0) return (-b + std::sqrt(disc)) / (2.0 * a);
  return std::numeric_limits<double>::infinity();
}

void PhaseWalk::reset(std::uint64_t m, const FrequencyTable& table) {
  pairs_ = table.pairs();
  terms_ = table.terms_per_pair;
  constant_ = table.constant;
  const double md = static_cast<double>(m);
  rho_hi_.resize(pairs_);
  rho_lo_.resize(pairs_);
  rho_err_.resize(pairs_);
  reduce_phases(md, table.hi.data(), table.lo.data(), table.rel_err.data(), pairs_, rho_hi_.data(),
                rho_lo_.data(), rho_err_.data());
  phi_.resize(terms_ * pairs_);
  rate_.resize(terms_ * pairs_);
  for (auto& v : scratch_) v.resize(pairs_);
  max_rate_ = table.max_rate;
  for (std::size_t k = 0; k < terms_ * pairs_; ++k) {
    phi_[k] = md * table.term_value[k];
    rate_[k] = table.term_rate[k];
  }
  max_t_ = max_rate_ > 0.0 ? kMaxDriftArgument / max_rate_ * (1.0 - 1e-12) : 0.0;
}

DecayDerivatives PhaseWalk::at(double t) const {
  const std::size_t n_pairs = pairs_;
  double* __restrict dr = scratch_[0].data();
  double* __restrict da = scratch_[1].data();
  double* __restrict ra = scratch_[2].data();
  double* __restrict rb = scratch_[3].data();
  double* __restrict sc = scratch_[4].data();
  double* __restrict sa = scratch_[5].data();
  double* __restrict cc = scratch_[6].data();
  double* __restrict ss = scratch_[7].data();
  double* __restrict ee = scratch_[8].data();
  for (std::size_t k = 0; k < terms_; ++k) {
    const double* phi = phi_.data() + k * n_pairs;
    const double* a = rate_.data() + k * n_pairs;
    if (t == 0.0) {
      if (k == 0) {
        add_drift_terms<true, true>(phi, a, t, n_pairs, dr, da, ra, rb, sc, sa);
      } else {
        add_drift_terms<false, true>(phi, a, t, n_pairs, dr, da, ra, rb, sc, sa);
      }
    } else if (k == 0) {
      add_drift_terms<true, false>(phi, a, t, n_pairs, dr, da, ra, rb, sc, sa);
    } else {
      add_drift_terms<false, false>(phi, a, t, n_pairs, dr, da, ra, rb, sc, sa);
    }
  }
  phase_sincos(rho_hi_.data(), rho_lo_.data(), rho_err_.data(), dr, da, n_pairs, cc, ss, ee);
  // Four lanes (they vectorise): values summed with exact two_sum errors kept
  // apart (Ogita-Rump-Oishi Sum2), derivatives and bounds plainly.
  constexpr int kLanes = 4;
  double sum[kLanes] = {}, comp[kLanes] = {}, abs_sum[kLanes] = {}, term_errors[kLanes] = {};
  double slope[kLanes] = {}, slope_error[kLanes] = {}, rate_total[kLanes] = {};
  double curvature[kLanes] = {}, second[kLanes] = {}, second_error[kLanes] = {};
  double third[kLanes] = {};
  const double two_a = 2.0 * max_rate_;
  auto accumulate = [&](std::size_t i, int l) {
    const dd tsum = two_sum(sum[l], cc[i]);
    sum[l] = tsum.hi;
    comp[l] += tsum.lo;
    abs_sum[l] += std::fabs(cc[i]);
    term_errors[l] += ee[i];
    // g' = -sum_i sin(psi_i) psi_i' = sum_i sin(psi_i) rate_i.
    slope[l] += ss[i] * ra[i];
    slope_error[l] += rb[i] * (ee[i] + 10.0 * kUnitRoundoff);
    rate_total[l] += rb[i];
    // g'' = -sum_i (cos psi_i psi_i'^2 + sin psi_i psi_i''). Bounds for every
    // later t (they decrease in t): |d^2 cos psi| <= psi'^2 + |psi''| and
    // |d^3 cos psi| <= w (w + 2A)^2, w >= |psi'|, |psi^(k)| <= w A^(k-1) with A
    // the largest rate.
    const double m2 = rb[i] * rb[i] + sa[i];
    curvature[l] += m2;
    second[l] -= cc[i] * ra[i] * ra[i] + ss[i] * sc[i];
    second_error[l] += (ee[i] + 20.0 * kUnitRoundoff) * m2;
    const double w2 = rb[i] + two_a;
    third[l] += rb[i] * w2 * w2;
  };
  std::size_t i = 0;
  for (; i + kLanes <= n_pairs; i += kLanes) {
    for (int l = 0; l < kLanes; ++l) accumulate(i + l, l);
  }
  for (; i < n_pairs; ++i) accumulate(i, 0);
  double total = constant_, total_comp = 0.0, total_abs = constant_, total_term_errors = 0.0;
  DecayDerivatives p;
  double slope_error_sum = 0.0, rate_sum = 0.0;
  for (int l = 0; l < kLanes; ++l) {
    const dd tsum = two_sum(total, sum[l]);
    total = tsum.hi;
    total_comp += tsum.lo + comp[l];
    total_abs += abs_sum[l];
    total_term_errors += term_errors[l];
    p.slope += slope[l];
    slope_error_sum += slope_error[l];
    rate_sum += rate_total[l];
    p.curvature_bound += curvature[l];
    p.second += second[l];
    p.second_error += second_error[l];
    p.third_bound += third[l];
  }
  // K = pairs + 2 * lanes two_sum errors, each below u * total_abs: their
  // floating-point sum is within (K u)^2 * total_abs of exact.
  const double n = static_cast<double>(n_pairs + 2 * kLanes);
  p.value.value = total + total_comp;
  p.value.error = (total_term_errors + kUnitRoundoff * std::fabs(p.value.value) +
                   n * n * kUnitRoundoff * kUnitRoundoff * total_abs) *
                  (1.0 + 4.0 * n * kUnitRoundoff);
  p.slope_error = (slope_error_sum + n * kUnitRoundoff * rate_sum) * (1.0 + 1e-9);
  p.second_error = (p.second_error + n * kUnitRoundoff * p.curvature_bound) * (1.0 + 1e-9);
  p.curvature_bound *= 1.0 + 1e-9;
  p.third_bound *= 1.0 + 1e-9;
  return p;
}

double PhaseWalk::negative_reach(const DecayDerivatives& start, double stop_fraction,
                                 std::uint64_t& evaluations) const {
  if (!(start.value.value + start.value.error < 0.0) || !(max_t_ > 0.0)) return 0.0;
  DecayDerivatives p = start;
  double t = 0.0;
  for (int iter = 0; iter < 64; ++iter) {
    const double upper = p.value.value + p.value.error;  // < 0 here
    const double slope_upper = p.slope + p.slope_error;
    // Two certified steps from p alone, the longer one taken. Quadratic:
    // g(t + x) <= upper + slope x + curvature x^2 / 2, the bound that limits
    // far from the root. Cubic: the computed second derivative plus the third
    // derivative bound, which near the root converges almost like Newton's
    // method with the true curvature.
    const double quadratic =
        std::min(first_root(upper, slope_upper, 0.5 * p.curvature_bound), max_t_);
    const double cubic =
        cubic_step(upper, slope_upper, p.second + p.second_error, p.third_bound, max_t_);
    double h = std::min(std::max(quadratic, cubic) * (1.0 - 1e-9), max_t_ - t);
    double t_next = t + h;
    if (t_next - t > h) t_next = std::nextafter(t_next, 0.0);  // never past a certified end
    h = t_next - t;
    if (!(h > kMinStep)) break;  // the rest is for exact evaluations at the next double
    // g's root as estimated from p's value, slope and second derivative.
    const double root = t + first_root(p.value.value, p.slope, 0.5 * p.second);
    if (root - t_next < stop_fraction * t_next) {
      // [t, t_next] is proved by the step from p alone: take it and stop.
      t = t_next;
      break;
    }
    p = at(t_next);
    t = t_next;
    ++evaluations;
    if (!(p.value.value + p.value.error < 0.0)) break;
  }
  return t;
}

}  // namespace ropebound
