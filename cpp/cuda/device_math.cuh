// Numerics shared by the CUDA kernels and by their host emulation.
//
// Every function here is __host__ __device__ so that the exact code a kernel
// runs can also run on the CPU (tests on machines without a GPU). The
// double-double error-free transformations need IEEE round-to-nearest with no
// contraction: on the device every operation is an explicit intrinsic
// (__dadd_rn, __dmul_rn, __fma_rn), which nvcc never fuses or reassociates,
// whatever -fmad says; on the host the file is compiled with
// -ffp-contract=off. The phase reduction follows the CPU's libm-based
// exact_sincos as of commit e462b4c; the CPU has since moved to its own sincos
// kernel (sincos.hpp), so the two agree only within their bounds, and
// kernels.cu's curve_error_bound bounds this file's arithmetic with its own
// formula (sincos_error_upper), not the CPU's. The double-double operations
// mirror cpp/include/ropebound/dd.hpp.
#pragma once

#include <cmath>
#include <cstdint>

#include "ropebound/constants.hpp"

#ifdef __CUDACC__
#define RB_HD __host__ __device__ __forceinline__
#else
#define RB_HD inline
#endif

namespace ropebound::cuda_detail {

// --- launch geometry --------------------------------------------------------
// One CUDA block covers one super-block of kSuperBlock = 4096 consecutive
// distances (the CPU's exact-seed spacing); each of its kThreadsPerBlock
// threads covers kThreadSpan consecutive distances. A thread reaches its first
// distance from the exact super-block seed by one "jump" rotation R(J*theta),
// J = kThreadSpan * threadIdx.x, then takes kThreadSpan - 1 baby steps.
inline constexpr int kThreadSpan = 32;
inline constexpr int kSuperBlockSize = 4096;
inline constexpr int kThreadsPerBlock = kSuperBlockSize / kThreadSpan;  // also the jump count
// Pairs whose rotations a thread keeps in registers at once; their 16 cosines
// are added as a balanced tree (depth 4), exactly like the CPU's 4x4 groups.
inline constexpr int kGroupPairs = 16;

// The unit roundoff, the 2pi split, 1/(2pi) and kLibmErr (CUDA documents 2 ulp for double
// sin/cos/sincos) come from constants.hpp, shared with the host core.

// --- explicit IEEE operations -------------------------------------------------
RB_HD double add(double a, double b) {
#ifdef __CUDA_ARCH__
  return __dadd_rn(a, b);
#else
  return a + b;
#endif
}
RB_HD double sub(double a, double b) {
#ifdef __CUDA_ARCH__
  return __dsub_rn(a, b);
#else
  return a - b;
#endif
}
RB_HD double mul(double a, double b) {
#ifdef __CUDA_ARCH__
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}
RB_HD double fma_rn(double a, double b, double c) {
#ifdef __CUDA_ARCH__
  return __fma_rn(a, b, c);
#else
  return std::fma(a, b, c);
#endif
}
RB_HD double round_even(double x) {
#ifdef __CUDA_ARCH__
  return rint(x);
#else
  return std::nearbyint(x);
#endif
}
RB_HD void sin_cos(double x, double* s, double* c) {
#ifdef __CUDA_ARCH__
  sincos(x, s, c);
#else
  *s = std::sin(x);
  *c = std::cos(x);
#endif
}

// --- double-double ------------------------------------------------------------
struct DD {
  double hi;
  double lo;
};

RB_HD DD two_sum(double a, double b) {
  const double s = add(a, b);
  const double bb = sub(s, a);
  return {s, add(sub(a, sub(s, bb)), sub(b, bb))};
}
RB_HD DD fast_two_sum(double a, double b) {
  const double s = add(a, b);
  return {s, sub(b, sub(s, a))};
}
RB_HD DD two_prod(double a, double b) {
  const double p = mul(a, b);
  return {p, fma_rn(a, b, -p)};
}
RB_HD DD dd_add(DD a, DD b) {
  DD s = two_sum(a.hi, b.hi);
  const DD t = two_sum(a.lo, b.lo);
  s.lo = add(s.lo, t.hi);
  s = fast_two_sum(s.hi, s.lo);
  s.lo = add(s.lo, t.lo);
  return fast_two_sum(s.hi, s.lo);
}
RB_HD DD dd_neg(DD a) { return {-a.hi, -a.lo}; }

// cos and sin of m*theta for one pair: reduction of m*theta modulo 2*pi in
// double-double, then sincos of the head and a first-order correction for the
// tail. The error is not computed on the device: the host bounds it for every
// m up to the last distance (kernels.cu, sincos_error_upper).
RB_HD void exact_sincos(double m, double theta_hi, double theta_lo, double* c_out, double* s_out) {
  const DD p = two_prod(m, theta_hi);
  const DD p_tail = two_prod(m, theta_lo);
  const double k = round_even(mul(p.hi, kInvTwoPi));
  const DD q = two_prod(k, kTwoPiHi);
  const DD q_mid = two_prod(k, kTwoPiMid);
  const double q_lo = mul(k, kTwoPiLo);
  DD r = two_sum(p.hi, -q.hi);
  r = dd_add(r, two_sum(p.lo, -q.lo));
  r = dd_add(r, dd_neg(q_mid));
  r = dd_add(r, p_tail);
  r = dd_add(r, DD{-q_lo, 0.0});
  double s, c;
  sin_cos(r.hi, &s, &c);
  // cos(h + t) = cos h - t sin h + O(t^2); likewise for sin.
  *c_out = fma_rn(-s, r.lo, c);
  *s_out = fma_rn(c, r.lo, s);
}

// (c, s) <- R(theta) (c, s) with rotation coefficients (rc, rs): one product
// and one fused multiply-add per component, the form the CPU's error bound
// covers (each component within 2u(1+eta)||v|| of the exact rotation).
RB_HD void rotate(double& c, double& s, double rc, double rs) {
  const double nc = fma_rn(c, rc, mul(-s, rs));
  const double ns = fma_rn(s, rc, mul(c, rs));
  c = nc;
  s = ns;
}

}  // namespace ropebound::cuda_detail
