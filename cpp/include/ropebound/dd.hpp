// Double-double arithmetic: a value is hi + lo with |lo| <= ulp(hi)/2.
//
// Why: the phase m*theta_i must keep ~1e-16 rad of absolute accuracy for m up to
// 2^53, i.e. ~106 bits of relative accuracy in theta_i. Every error-free
// transformation below relies on IEEE round-to-nearest and on the compiler not
// contracting or reassociating (the core is built with -ffp-contract=off, and
// two_prod uses an explicit fused multiply-add).
#pragma once

#include <cmath>

#include "ropebound/constants.hpp"

namespace ropebound {

struct dd {
  double hi = 0.0;
  double lo = 0.0;
};

// s + e == a + b exactly (Knuth).
inline dd two_sum(double a, double b) {
  const double s = a + b;
  const double bb = s - a;
  const double e = (a - (s - bb)) + (b - bb);
  return {s, e};
}

// s + e == a + b exactly, requires |a| >= |b| or a == 0 (Dekker).
inline dd fast_two_sum(double a, double b) {
  const double s = a + b;
  const double e = b - (s - a);
  return {s, e};
}

// p + e == a * b exactly (no overflow/underflow assumed).
inline dd two_prod(double a, double b) {
  const double p = a * b;
  const double e = std::fma(a, b, -p);
  return {p, e};
}

// Accurate double-double addition (relative error <= 3u^2, QD's "ieee_add").
inline dd dd_add(dd a, dd b) {
  dd s = two_sum(a.hi, b.hi);
  const dd t = two_sum(a.lo, b.lo);
  s.lo += t.hi;
  s = fast_two_sum(s.hi, s.lo);
  s.lo += t.lo;
  return fast_two_sum(s.hi, s.lo);
}

inline dd dd_neg(dd a) { return {-a.hi, -a.lo}; }
inline dd dd_sub(dd a, dd b) { return dd_add(a, dd_neg(b)); }

// Double-double product (relative error <= 8u^2 with two_prod by fma).
inline dd dd_mul(dd a, dd b) {
  dd p = two_prod(a.hi, b.hi);
  p.lo += a.hi * b.lo + a.lo * b.hi;
  return fast_two_sum(p.hi, p.lo);
}

inline dd dd_mul_d(dd a, double b) {
  dd p = two_prod(a.hi, b);
  p.lo += a.lo * b;
  return fast_two_sum(p.hi, p.lo);
}

// a / b for doubles, as a double-double (relative error <= 4u^2): one
// correction step of the quotient with an exact remainder.
inline dd dd_div_d(dd a, double b) {
  const double q1 = a.hi / b;
  const dd p = two_prod(q1, b);
  const dd r = dd_sub(a, p);
  const double q2 = (r.hi + r.lo) / b;
  return fast_two_sum(q1, q2);
}

}  // namespace ropebound
