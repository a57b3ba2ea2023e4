#include "ropebound/frequencies.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "ropebound/dd.hpp"

namespace ropebound {

namespace {

constexpr double kU2 = kUnitRoundoff * kUnitRoundoff;

dd dd_pow(dd x, int n) {
  dd result{1.0, 0.0};
  while (n > 0) {
    if (n & 1) result = dd_mul(result, x);
    n >>= 1;
    if (n > 0) x = dd_mul(x, x);
  }
  return result;
}

// t = base^(-1/n) to double-double accuracy by Newton's method on t^n = 1/base.
// Each iteration squares the relative error; two from a double-precision
// start reach the arithmetic floor. At the floor, t^n carries a relative error
// of at most ~2n * 7u^2 (binary powering with dd_mul), which maps to ~14u^2 in
// t; the stated bound kRootRelErr leaves a margin of more than 2x over that.
constexpr double kRootRelErr = 32.0 * kU2;

dd nth_root_of_inverse(double base, int n) {
  dd t{std::pow(base, -1.0 / n), 0.0};
  const dd inverse = dd_div_d({1.0, 0.0}, base);
  // Two iterations: from a double start (rel. error e < 1e-15) one gives
  // ~(n/2) e^2 < 1e-27, the second reaches the arithmetic floor.
  for (int iter = 0; iter < 2; ++iter) {
    const dd power = dd_pow(t, n);
    const dd residual = dd_sub(power, inverse);
    const double correction = (residual.hi + residual.lo) / (n * power.hi);
    t = dd_sub(t, dd_mul_d(t, correction));
  }
  return t;
}

void check_dims(int dim, int rotary_dim) {
  if (dim < 2 || dim % 2 != 0 || dim > kMaxDim) {
    throw std::invalid_argument("dim must be an even integer in [2, " + std::to_string(kMaxDim) +
                                "], got " + std::to_string(dim));
  }
  if (rotary_dim < 2 || rotary_dim % 2 != 0 || rotary_dim > dim) {
    throw std::invalid_argument("rotary_dim must be an even integer in [2, dim=" +
                                std::to_string(dim) + "], got " + std::to_string(rotary_dim));
  }
}

}  // namespace

double FrequencyTable::max_theta() const {
  double best = 0.0;
  for (double h : hi) best = std::max(best, h);
  return best;
}

double model_theta_bound(const FrequencyModel& model, double base) {
  double best = 0.0;
  for (std::size_t i = 0; i < model.pairs(); ++i) {
    double sum = 0.0;
    for (std::size_t k = model.first[i]; k < model.first[i + 1]; ++k) {
      const FrequencyModel::Term& term = model.terms[k];
      sum += std::fabs(term.c) * std::pow(base, -static_cast<double>(term.p) / model.q);
    }
    best = std::max(best, sum);
  }
  return best * (1.0 + 1e-12);
}

FrequencyModel FrequencyModel::rope(int dim, int rotary_dim) {
  check_dims(dim, rotary_dim);
  FrequencyModel model;
  model.q = rotary_dim / 2;
  model.constant = (dim - rotary_dim) / 2;
  for (int i = 0; i < rotary_dim / 2; ++i) model.add_pair({{1.0, i}});
  model.plain = true;
  return model;
}

void model_table_into(const FrequencyModel& model, double base, FrequencyTable& table) {
  if (!(base > 1.0) || !(base <= kMaxBase)) {
    throw std::invalid_argument("base must be a finite number in (1, 1e250]");
  }
  int max_p = 0;
  std::size_t terms = 0;  // most terms of any pair
  if (model.plain) {
    terms = model.pairs() == 0 ? 0 : 1;
    max_p = static_cast<int>(model.pairs()) - 1;
  } else {
    for (std::size_t i = 0; i < model.pairs(); ++i) {
      terms = std::max(terms, model.first[i + 1] - model.first[i]);
    }
    for (const auto& t : model.terms) max_p = std::max(max_p, t.p);
  }
  // powers[k] = t^k with t = base^(-1/q): t^1..t^7 by a chain, then
  // t^k = t^(k-8) * t^8 (eight independent chains, for instruction-level
  // parallelism). Either way t^k takes at most k products of relative error
  // <= 7u^2 each: |rel err of t^k| <= k * (kRootRelErr + 8u^2).
  thread_local std::vector<dd> powers;
  powers.resize(static_cast<std::size_t>(max_p) + 1);
  powers[0] = {1.0, 0.0};
  if (max_p >= 1) {
    powers[1] = model.q == 1 ? dd_div_d({1.0, 0.0}, base) : nth_root_of_inverse(base, model.q);
  }
  dd* __restrict power = powers.data();
  for (int k = 2; k <= std::min(max_p, 8); ++k) power[k] = dd_mul(power[k - 1], power[1]);
  if (max_p > 8) {
    const dd eighth = power[8];
    for (int k = 9; k <= max_p; ++k) power[k] = dd_mul(power[k - 8], eighth);
  }
  auto power_rel_err = [](int k) { return k * (kRootRelErr + 8.0 * kU2); };

  const std::size_t n = model.pairs();
  table.hi.resize(n);
  table.lo.resize(n);
  table.rel_err.resize(n);
  table.slope.resize(n);
  table.slope_abs.resize(n);
  table.curvature_abs.resize(n);
  table.curvature.resize(n);
  table.constant = model.constant;
  const double inv_q = 1.0 / model.q;
  table.terms_per_pair = terms;
  table.max_rate = max_p * inv_q;
  if (model.plain) {
    // Plain RoPE: theta_i = t^i exactly as computed, no combination step.
    table.term_value.resize(n);  // one term per pair: every slot written below
    table.term_rate.resize(n);
    double* __restrict hi = table.hi.data();
    double* __restrict lo = table.lo.data();
    double* __restrict rel_err = table.rel_err.data();
    double* __restrict slope = table.slope.data();
    double* __restrict slope_abs = table.slope_abs.data();
    double* __restrict curvature_abs = table.curvature_abs.data();
    double* __restrict curvature = table.curvature.data();
    double* __restrict term_value = table.term_value.data();
    double* __restrict term_rate = table.term_rate.data();
    for (std::size_t i = 0; i < n; ++i) {
      const dd theta = power[i];
      const double a = static_cast<double>(i) * inv_q;
      hi[i] = theta.hi;
      lo[i] = theta.lo;
      rel_err[i] = power_rel_err(static_cast<int>(i)) * (1.0 + 1e-12);
      slope[i] = a * theta.hi;
      slope_abs[i] = a * theta.hi * (1.0 + 1e-12);
      curvature_abs[i] = a * a * theta.hi * (1.0 + 1e-12);
      curvature[i] = a * a * theta.hi;
      term_value[i] = theta.hi;
      term_rate[i] = a;
    }
    return;
  }
  table.term_value.assign(terms * n, 0.0);
  table.term_rate.assign(terms * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    dd theta{0.0, 0.0};
    double abs_err = 0.0, magnitude = 0.0, slope = 0.0, slope_abs = 0.0, curvature = 0.0;
    double curvature_signed = 0.0;
    const std::size_t count = model.first[i + 1] - model.first[i];
    for (std::size_t k = 0; k < count; ++k) {
      const FrequencyModel::Term& t = model.terms[model.first[i] + k];
      const dd term = dd_mul_d(powers[t.p], t.c);
      table.term_value[k * n + i] = term.hi;
      table.term_rate[k * n + i] = t.p * inv_q;
      theta = dd_add(theta, term);
      const double size = std::fabs(term.hi);
      magnitude += size;
      // t^0 * c is exact; other terms carry the power's error and the product's.
      if (t.p > 0) abs_err += size * (power_rel_err(t.p) + 8.0 * kU2);
      const double a = t.p * inv_q;  // d/du of b^(-a) is -a b^(-a)
      slope += a * term.hi;
      slope_abs += a * size;
      curvature += a * a * size;
      curvature_signed += a * a * term.hi;
    }
    if (!(theta.hi > 0.0)) {
      throw std::invalid_argument("the frequency model gives a non-positive frequency");
    }
    // dd additions after the first term (which lands on zero exactly): relative
    // error <= 3u^2 of the running magnitude each.
    abs_err += 4.0 * kU2 * magnitude * static_cast<double>(count - 1);
    table.hi[i] = theta.hi;
    table.lo[i] = theta.lo;
    table.rel_err[i] = abs_err / theta.hi * (1.0 + 1e-12);
    // Derivative sums of a few terms, each within a few u of exact (term.hi
    // versus the double-double term): a relative slack of 1e-12 covers them.
    table.slope[i] = slope;
    table.slope_abs[i] = slope_abs * (1.0 + 1e-12);
    table.curvature_abs[i] = curvature * (1.0 + 1e-12);
    table.curvature[i] = curvature_signed;
  }
}

FrequencyTable model_table(const FrequencyModel& model, double base) {
  FrequencyTable table;
  model_table_into(model, base, table);
  return table;
}

PiecewiseModel PiecewiseModel::single(FrequencyModel model) {
  PiecewiseModel out;
  out.pieces.push_back({std::move(model), 1.0, kMaxBase});
  return out;
}

std::size_t PiecewiseModel::piece_from(double base) const {
  std::size_t k = 0;
  while (k < pieces.size() && pieces[k].last < base) ++k;
  return k;
}

double PiecewiseModel::theta_bound(double base) const {
  double best = 0.0;
  for (std::size_t k = piece_from(base); k < pieces.size(); ++k) {
    best = std::max(best, model_theta_bound(pieces[k].model, std::max(base, pieces[k].lo)));
  }
  return best;
}

FrequencyTable PiecewiseModel::table(double base) const {
  const std::size_t k = piece_from(base);
  if (k == pieces.size() || base < pieces[k].lo) {
    throw std::invalid_argument("base outside every piece of the frequency model");
  }
  return model_table(pieces[k].model, base);
}

FrequencyTable rope_frequencies(double base, int dim, int rotary_dim) {
  return model_table(FrequencyModel::rope(dim, rotary_dim), base);
}

FrequencyTable explicit_frequencies(const double* theta, std::size_t n) {
  FrequencyTable table;
  for (std::size_t i = 0; i < n; ++i) {
    const double t = theta[i];
    if (!std::isfinite(t) || t < 0.0) {
      throw std::invalid_argument("frequencies must be finite and >= 0");
    }
    if (t == 0.0) {
      table.constant += 1.0;
    } else {
      table.hi.push_back(t);
      table.lo.push_back(0.0);
      table.rel_err.push_back(0.0);
    }
  }
  return table;
}

}  // namespace ropebound
