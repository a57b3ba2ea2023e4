#include "ropebound/frequencies.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

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
// Each iteration squares the relative error; three from a double-precision
// start reach the arithmetic floor. At the floor, t^n carries a relative error
// of at most ~2n * 7u^2 (binary powering with dd_mul), which maps to ~14u^2 in
// t; the stated bound kRootRelErr leaves a margin of more than 2x over that.
constexpr double kRootRelErr = 32.0 * kU2;

dd nth_root_of_inverse(double base, int n) {
  dd t{std::pow(base, -1.0 / n), 0.0};
  const dd inverse = dd_div_d({1.0, 0.0}, base);
  for (int iter = 0; iter < 3; ++iter) {
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

FrequencyTable rope_frequencies(double base, int dim, int rotary_dim) {
  check_dims(dim, rotary_dim);
  if (!(base > 1.0) || !(base <= kMaxBase)) {
    throw std::invalid_argument("base must be a finite number in (1, 1e250]");
  }
  const int n = rotary_dim / 2;
  FrequencyTable table;
  table.hi.resize(n);
  table.lo.resize(n);
  table.rel_err.resize(n);
  table.constant = (dim - rotary_dim) / 2;
  table.hi[0] = 1.0;  // theta_0 = base^0 is exact.
  table.lo[0] = 0.0;
  table.rel_err[0] = 0.0;
  if (n == 1) return table;
  const dd step = nth_root_of_inverse(base, n);  // theta_1 = base^(-2/r)
  dd theta = step;
  for (int i = 1; i < n; ++i) {
    table.hi[i] = theta.hi;
    table.lo[i] = theta.lo;
    // theta_i = theta_1^i by i-1 products, each with relative error <= 7u^2:
    // |rel err| <= i * kRootRelErr + (i - 1) * 7u^2 <= i * (kRootRelErr + 8u^2).
    table.rel_err[i] = i * (kRootRelErr + 8.0 * kU2);
    theta = dd_mul(theta, step);
  }
  return table;
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
