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
  table.term_value.resize(terms * n);  // every slot written below
  table.term_rate.resize(terms * n);
  double* __restrict hi = table.hi.data();
  double* __restrict lo = table.lo.data();
  double* __restrict rel_err = table.rel_err.data();
  double* __restrict slope = table.slope.data();
  double* __restrict slope_abs = table.slope_abs.data();
  double* __restrict curvature_abs = table.curvature_abs.data();
  double* __restrict curvature = table.curvature.data();
  double* __restrict term_value = table.term_value.data();
  double* __restrict term_rate = table.term_rate.data();
  // The powers' halves (and a general model's first terms) gathered apart
  // first, so that the arithmetic vectorises (ivdep below: GCC would
  // otherwise test every pair of these arrays for overlap).
  thread_local std::vector<double> scratch;
  scratch.resize((model.plain ? 2 : 7) * n);
  double* __restrict power_hi = scratch.data();
  double* __restrict power_lo = power_hi + n;
  if (model.plain) {
    // Plain RoPE: theta_i = t^i exactly as computed, no combination step.
    for (std::size_t i = 0; i < n; ++i) {
      power_hi[i] = power[i].hi;
      power_lo[i] = power[i].lo;
    }
#pragma GCC ivdep
    for (std::size_t i = 0; i < n; ++i) {
      const dd theta{power_hi[i], power_lo[i]};
      // Through int: AVX2 has no size_t -> double conversion (n < 2^31).
      const double a = static_cast<double>(static_cast<int>(i)) * inv_q;
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
  // General models, term-major: every pair's first term in one pass (for
  // llama3 and YaRN most pairs have no other), then the few second terms.
  // Per pair the operations and their order are those of a sum from zero
  // (a first term lands on zero exactly), so the table is the same.
  const FrequencyModel::Term* __restrict term_of = model.terms.data();
  const std::size_t* __restrict first = model.first.data();
  for (std::size_t i = 0; i < n; ++i) {
    if (first[i] == first[i + 1]) {
      throw std::invalid_argument("the frequency model gives a non-positive frequency");
    }
  }
  double* __restrict coefficient = power_lo + n;
  double* __restrict exponent = coefficient + n;
  double* __restrict extra_terms = exponent + n;
  double* __restrict magnitude = extra_terms + n;
  double* __restrict abs_err = magnitude + n;
  for (std::size_t i = 0; i < n; ++i) {
    const FrequencyModel::Term t = term_of[first[i]];
    power_hi[i] = power[t.p].hi;
    power_lo[i] = power[t.p].lo;
    coefficient[i] = t.c;
    exponent[i] = t.p;
    extra_terms[i] = static_cast<double>(first[i + 1] - first[i] - 1);
  }
#pragma GCC ivdep
  for (std::size_t i = 0; i < n; ++i) {
    const dd term = dd_mul_d({power_hi[i], power_lo[i]}, coefficient[i]);
    const double size = std::fabs(term.hi);
    const double a = exponent[i] * inv_q;  // d/du of b^(-a) is -a b^(-a)
    hi[i] = term.hi;
    lo[i] = term.lo;
    term_value[i] = term.hi;
    term_rate[i] = a;
    magnitude[i] = size;
    // t^0 * c is exact; other terms carry the power's error and the product's.
    abs_err[i] =
        exponent[i] > 0.0 ? size * (exponent[i] * (kRootRelErr + 8.0 * kU2) + 8.0 * kU2) : 0.0;
    slope[i] = a * term.hi;
    slope_abs[i] = a * size;
    curvature_abs[i] = a * a * size;
    curvature[i] = a * a * term.hi;
  }
  for (std::size_t k = 1; k < terms; ++k) {
    double* __restrict value_k = term_value + k * n;
    double* __restrict rate_k = term_rate + k * n;
    for (std::size_t i = 0; i < n; ++i) {
      if (first[i] + k >= first[i + 1]) {
        value_k[i] = 0.0;  // unused slot
        rate_k[i] = 0.0;
        continue;
      }
      const FrequencyModel::Term t = term_of[first[i] + k];
      const dd term = dd_mul_d(power[t.p], t.c);
      const double size = std::fabs(term.hi);
      const double a = t.p * inv_q;
      const dd theta = dd_add({hi[i], lo[i]}, term);
      hi[i] = theta.hi;
      lo[i] = theta.lo;
      value_k[i] = term.hi;
      rate_k[i] = a;
      magnitude[i] += size;
      if (t.p > 0) abs_err[i] += size * (power_rel_err(t.p) + 8.0 * kU2);
      slope[i] += a * term.hi;
      slope_abs[i] += a * size;
      curvature_abs[i] += a * a * size;
      curvature[i] += a * a * term.hi;
    }
  }
  int non_positive = 0;  // an int, not a bool: GCC vectorises this reduction
#pragma GCC ivdep
  for (std::size_t i = 0; i < n; ++i) {
    non_positive |= hi[i] > 0.0 ? 0 : 1;
    // dd additions after the first term (which lands on zero exactly): relative
    // error <= 3u^2 of the running magnitude each.
    rel_err[i] = (abs_err[i] + 4.0 * kU2 * magnitude[i] * extra_terms[i]) / hi[i] * (1.0 + 1e-12);
    // Derivative sums of a few terms, each within a few u of exact (term.hi
    // versus the double-double term): a relative slack of 1e-12 covers them.
    slope_abs[i] *= 1.0 + 1e-12;
    curvature_abs[i] *= 1.0 + 1e-12;
  }
  if (non_positive != 0)
    throw std::invalid_argument("the frequency model gives a non-positive frequency");
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
