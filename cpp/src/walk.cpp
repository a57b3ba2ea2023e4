#include "ropebound/walk.hpp"

#include <algorithm>
#include <cmath>
#ifdef WALK_TRACE
#include <cstdio>
#endif

#include "ropebound/dd.hpp"
#include "ropebound/sincos.hpp"

namespace ropebound {

namespace {

constexpr double kU = kUnitRoundoff;
// Largest drift argument a * t: e^(-x) - 1 = -x P(x) with P's Taylor series cut
// after x^11 leaves x^12 / 13! < 2^-93 relative for x <= 1/8.
constexpr double kMaxDriftArgument = 0.125;
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

// One term per pair of the drift and its derivative bounds (see at()); the
// first term assigns, later ones add.
template <bool kFirst>
void add_drift_terms(const double* __restrict phi, const double* __restrict a, double t,
                     std::size_t n, double* __restrict drift, double* __restrict drift_abs,
                     double* __restrict rate, double* __restrict rate_abs,
                     double* __restrict curvature) {
  for (std::size_t i = 0; i < n; ++i) {
    // Each drift term m v (e^(-a t) - 1): v within 2u, m v within 3u, the
    // argument a t within 2u (so E within 3u + 2u + u), the product within u
    // more: 10u relative; 24u is charged in phase_sincos.
    const double e_minus_1 = expm1_neg(a[i] * t);
    const double d = phi[i] * e_minus_1;
    // |d psi/dt| and |d^2 psi/dt^2| terms: m v a e^(-a t), times a.
    const double r = phi[i] * a[i] * (1.0 + e_minus_1);
    if (kFirst) {
      drift[i] = d;
      drift_abs[i] = std::fabs(d);
      rate[i] = r;
      rate_abs[i] = std::fabs(r);
      curvature[i] = std::fabs(r) * a[i];
    } else {
      drift[i] += d;
      drift_abs[i] += std::fabs(d);
      rate[i] += r;
      rate_abs[i] += std::fabs(r);
      curvature[i] += std::fabs(r) * a[i];
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
    const double phase_err =
        rho_err[i] + 24.0 * kU * drift_abs[i] + kU * (std::fabs(tail) + std::fabs(psi));
    const detail::ReducedPhase x = detail::reduce_phase_kernel(1.0, psi, 0.0, 0.0);
    const detail::CosSin cs = detail::sincos_of_reduced(x.hi, x.lo);
    c[i] = cs.c;
    s[i] = cs.s;
    err[i] = phase_err + x.err + detail::kKernelErr;
  }
}

// Rigorous upper bound on g over [P.t, Q.t] from both ends: the cubic Hermite
// interpolant lies below the largest control point of its Bernstein form, the
// computed data move it by at most max(error) + (8/27) h max(slope_error), and
// g differs from the interpolant of its exact data by at most g'''' h^4 / 384.
bool hermite_negative(const WalkPoint& a, const WalkPoint& b, double h) {
  const double p1 = a.value + h * a.slope / 3.0;
  const double p2 = b.value - h * b.slope / 3.0;
  const double top = std::max(std::max(a.value, b.value), std::max(p1, p2));
  const double data = std::max(a.error, b.error) + 0.3 * h * std::max(a.slope_error, b.slope_error);
  const double h2 = h * h;
  const double interpolation = a.fourth * h2 * h2 / 384.0;
  const double rounding =
      4.0 * kU *
      (std::fabs(a.value) + std::fabs(b.value) + h * (std::fabs(a.slope) + std::fabs(b.slope)));
  return top + (data + interpolation + rounding) * (1.0 + 1e-9) < 0.0;
}

}  // namespace

void PhaseWalk::reset(std::uint64_t m, const FrequencyTable& table) {
  pairs_ = table.pairs();
  terms_ = table.terms_per_pair;
  constant_ = table.constant;
  max_rate_ = 0.0;
  fourth_at_start_ = 0.0;
  const double md = static_cast<double>(m);
  rho_hi_.resize(pairs_);
  rho_lo_.resize(pairs_);
  rho_err_.resize(pairs_);
  for (std::size_t i = 0; i < pairs_; ++i) {
    const detail::ReducedPhase r =
        detail::reduce_phase_kernel(md, table.hi[i], table.lo[i], table.rel_err[i]);
    rho_hi_[i] = r.hi;
    rho_lo_[i] = r.lo;
    rho_err_[i] = r.err;
  }
  phi_.resize(terms_ * pairs_);
  rate_.resize(terms_ * pairs_);
  for (auto& v : scratch_) v.resize(pairs_);
  for (std::size_t k = 0; k < terms_ * pairs_; ++k) {
    phi_[k] = md * table.term_value[k];
    rate_[k] = table.term_rate[k];
    max_rate_ = std::max(max_rate_, rate_[k]);
  }
  max_t_ = max_rate_ > 0.0 ? kMaxDriftArgument / max_rate_ * (1.0 - 1e-12) : 0.0;
  // The fourth-derivative bound of at() at t = 0: w_i = m sum_k |v_ik| a_ik.
  for (std::size_t i = 0; i < pairs_; ++i) {
    double w = 0.0;
    for (std::size_t k = 0; k < terms_; ++k) {
      w += std::fabs(phi_[k * pairs_ + i]) * rate_[k * pairs_ + i];
    }
    w *= 1.0 + 1e-12;
    const double w2 = w + 2.0 * max_rate_;
    fourth_at_start_ += w * w2 * w2 * w2;
  }
  fourth_at_start_ *= 1.0 + 1e-9;
}

WalkPoint PhaseWalk::at(double t) const {
  const std::size_t n_pairs = pairs_;
  double* __restrict dr = scratch_[0].data();
  double* __restrict da = scratch_[1].data();
  double* __restrict ra = scratch_[2].data();
  double* __restrict rb = scratch_[3].data();
  double* __restrict cu = scratch_[4].data();
  double* __restrict cc = scratch_[5].data();
  double* __restrict ss = scratch_[6].data();
  double* __restrict ee = scratch_[7].data();
  for (std::size_t k = 0; k < terms_; ++k) {
    const double* phi = phi_.data() + k * n_pairs;
    const double* a = rate_.data() + k * n_pairs;
    if (k == 0) {
      add_drift_terms<true>(phi, a, t, n_pairs, dr, da, ra, rb, cu);
    } else {
      add_drift_terms<false>(phi, a, t, n_pairs, dr, da, ra, rb, cu);
    }
  }
  phase_sincos(rho_hi_.data(), rho_lo_.data(), rho_err_.data(), dr, da, n_pairs, cc, ss, ee);
  // Neumaier summation of the values as in decay_sum; slope and bounds plainly.
  double sum = constant_, comp = 0.0, term_errors = 0.0, abs_sum = constant_;
  double slope = 0.0, slope_error = 0.0, rate_total = 0.0, curvature = 0.0, fourth = 0.0;
  for (std::size_t i = 0; i < n_pairs; ++i) {
    const dd tsum = two_sum(sum, cc[i]);
    sum = tsum.hi;
    comp += tsum.lo;
    abs_sum += std::fabs(cc[i]);
    term_errors += ee[i];
    // g' = sum_i sin(psi_i) * (m sum_k v_ik a_ik e^(-a_ik t)).
    slope += ss[i] * ra[i];
    slope_error += rb[i] * (ee[i] + 10.0 * kU);
    rate_total += rb[i];
    // |d^2 cos psi| <= psi'^2 + |psi''|; |d^4 cos psi| <= w (w + 2A)^3 with
    // w >= |psi'| and |psi^(k)| <= w A^(k-1) (A the largest rate). Both bounds
    // decrease in t, so they hold for every later t.
    curvature += rb[i] * rb[i] + cu[i];
    const double w2 = rb[i] + 2.0 * max_rate_;
    fourth += rb[i] * w2 * w2 * w2;
  }
  const double n = static_cast<double>(pairs_ + 1);
  WalkPoint p;
  p.t = t;
  p.value = sum + comp;
  p.error = (term_errors + kU * std::fabs(p.value) + 4.0 * n * kU * kU * abs_sum) *
            (1.0 + 4.0 * n * kU);
  p.slope = slope;
  p.slope_error = (slope_error + n * kU * rate_total) * (1.0 + 1e-9);
  p.curvature = curvature * (1.0 + 1e-9);
  p.fourth = fourth * (1.0 + 1e-9);
  return p;
}

double PhaseWalk::negative_reach(const DecayDerivatives& start,
                                 std::uint64_t& evaluations) const {
  if (!(start.value.value + start.value.error < 0.0) || !(max_t_ > 0.0)) return 0.0;
  WalkPoint p;
  p.value = start.value.value;
  p.error = start.value.error;
  p.slope = start.slope;
  p.slope_error = start.slope_error;
  p.curvature = start.curvature_bound;
  p.fourth = fourth_at_start_;  // the exact start has no fourth-derivative bound
  double h_try = 0.0;
  for (int iter = 0; iter < 256; ++iter) {
    const double upper = p.value + p.error;  // < 0 here
    const double slope_upper = p.slope + p.slope_error;
    // Taylor step from the left end alone: root of curvature/2 h^2 + slope h + upper.
    double h_taylor;
    if (p.curvature > 0.0) {
      h_taylor = 2.0 * (-upper) /
                 (slope_upper + std::sqrt(slope_upper * slope_upper - 2.0 * p.curvature * upper));
    } else {
      h_taylor = slope_upper > 0.0 ? -upper / slope_upper : max_t_;
    }
    h_taylor *= 1.0 - 1e-9;
    if (h_try == 0.0) h_try = std::sqrt(std::sqrt(96.0 * -upper / p.fourth));
    double h = std::max(h_taylor, h_try);
    // Past Newton's estimate of the root the far end is likely non-negative.
    if (p.slope > 0.0) h = std::max(h_taylor, std::min(h, 0.9 * -p.value / p.slope));
    h = std::min(h, max_t_ - p.t);
    double t_next = p.t + h;
    if (t_next - p.t > h) t_next = std::nextafter(t_next, 0.0);  // never past a certified end
    h = t_next - p.t;
    // Below ~ulp(b)/b/8 a step cannot move the base: leave the rest to exact
    // evaluations at the next double.
    if (!(h > kMinStep)) break;
    const WalkPoint q = at(t_next);
    ++evaluations;
#ifdef WALK_TRACE
    std::printf("    t %.6e h %.3e (taylor %.3e) -> value %.3e +- %.1e slope %.3e %s\n", p.t, h,
                h_taylor, q.value, q.error, q.slope,
                (h <= h_taylor || hermite_negative(p, q, h)) ? "ok" : "FAIL");
#endif
    if (h <= h_taylor || hermite_negative(p, q, h)) {
      p = q;
      if (!(q.value + q.error < 0.0)) break;
      h_try = 2.0 * h;
    } else {
      h_try = std::max(h_taylor, 0.25 * h);
    }
  }
  return p.t;
}

}  // namespace ropebound
