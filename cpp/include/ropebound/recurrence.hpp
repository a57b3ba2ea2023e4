// Building blocks of decay_curve, shared with the bound solvers: rotation
// coefficients, one segment of the recurrence, and its error bound.
#pragma once

#include <cstdint>
#include <vector>

#include "ropebound/decay.hpp"

namespace ropebound {

struct Rotation {
  std::size_t padded = 0;  // pairs rounded up to the register group (16)
  // Baby-step R(theta_i) and giant-step R(kBabySteps * theta_i) per pair; zero
  // in the padding so that padded pairs stay the zero vector and add nothing.
  std::vector<double> baby_c, baby_s, giant_c, giant_s;
  double baby_error = 0.0;   // max per-component error of (baby_c, baby_s)
  double giant_error = 0.0;  // max per-component error of (giant_c, giant_s)
};

// Without giant steps (with_giant = false) only segments of at most kBabySteps
// distances may be evaluated.
Rotation make_rotation(const FrequencyTable& table, bool with_giant = true);

// Per-thread buffers for curve_segment.
struct CurveScratch {
  std::vector<double> seed_c, seed_s, seed_err;
  std::vector<double> group_arcs;  // certified_segment's arc sums per group
  void reserve(const Rotation& co);
};

// A rigorous lower bound on B_m over each block of the certified scan, from
// the seeds the recurrence has at the block's first distance anyway: pair i's
// cosine over the block lies on the arc [a, a + 63 theta] from the seed's
// phase a, whose minimum is -1 if the arc reaches pi and else the smaller of
// its ends' cosines, cos a and cos a cos w - sin a sin w (w = 63 theta). With
// every seed within `slack` of exact (per component), the arc test widened by
// it and each end's cosine within sqrt2 slack + 2 (error of w's cosine and
// sine) + 8u, the computed sum less `error` is below every B_m of the block.
// (The widened test itself rounds: where that hides an arc reaching pi by an
// ulp, the end's cosine is within about u of -1, which the 8u per pair
// covers.) Where that is not enough, certified_segment takes the pairs
// exactly a group of 16 at a time (the fastest first, for plain RoPE), the
// rest still by their arcs, until the bound (less recurrence_error as well)
// proves the block non-negative; such a block holds no negative distance and
// the scan skips the rest of its baby steps. At b*(2^16), d = 128, the arcs
// alone settle a third of the blocks. It needs theta >= 0 and constant >= 0
// (every table has them) and distances up to last_distance (checked).
struct ArcCertificate {
  std::vector<double> arc_c, arc_s;  // cos, sin of 63 theta (padding: 1, 0)
  std::vector<double> full;          // 1 where 63 theta reaches pi: the arc holds -1
  double slack = 0.0;
  double error = 0.0;
  double recurrence_error = 0.0;    // recurrence_error_bound of the values up to last_distance
  std::uint64_t last_distance = 0;  // the seeds' error holds up to here
};
// For the seeds of curve_segment at distances up to last_distance.
ArcCertificate make_arc_certificate(const FrequencyTable& table, const Rotation& co,
                                    std::uint64_t last_distance);
// The arc bound for the block whose seeds (curve_segment's, padded) are c, s.
double arc_lower_bound(const double* seed_c, const double* seed_s, std::size_t padded,
                       double constant, const ArcCertificate& cert);

// out[k] = B_{first+k} for k < count <= kSuperBlock: exact seeds at `first`,
// giant steps every kBabySteps distances, baby steps in between.
void curve_segment(const FrequencyTable& table, const Rotation& co, std::uint64_t first,
                   std::uint64_t count, double* out, CurveScratch& scratch);
// The same for the certified scan, except that a block the certificate
// proves to hold B_m >= wanted_per_distance * m_last for every m (m_last its
// last distance; 0: non-negative) is not evaluated: its values are +infinity.
void certified_segment(const FrequencyTable& table, const Rotation& co, std::uint64_t first,
                       std::uint64_t count, double* out, CurveScratch& scratch,
                       const ArcCertificate& certificate, double wanted_per_distance = 0.0);

// Single-precision screening of one block: B_{first+k}, k < count <= kBabySteps.
// Pairs fast enough to matter within a block go by float baby steps from seeds
// at `first`, eight pairs per vector; the slow ones (phase moving by at most 1
// from the block's centre to either end) are summed once per block as a
// Taylor polynomial in the offset from the centre. No rigorous bound: values
// within kScreenTolerance of 0 (or below it) must be confirmed in double
// precision, and a block screened clean proves nothing.
inline constexpr double kScreenTolerance = 4e-3;
struct ScreenRotation {
  std::size_t padded = 0;  // fast pairs rounded up to a register group
  std::size_t n_fast = 0, n_slow = 0;
  // Per fast pair, zero in the padding: R(theta), R(32 theta) and theta.
  std::vector<float> baby_c, baby_s, half_c, half_s;
  std::vector<double> fast_theta;
  std::vector<double> slow_theta;   // rounded up to a multiple of 4 with zeros
  std::vector<double> slow_powers;  // theta^d / d! of the slow pairs (see decay_curve.cpp)
};
void make_screen_rotation(const FrequencyTable& table, ScreenRotation& out);
struct ScreenScratch {
  std::vector<float> c, s;
  std::vector<double> slow_c, slow_s;
};
void screen_block(const FrequencyTable& table, const ScreenRotation& co, std::uint64_t first,
                  std::uint64_t count, float* out, ScreenScratch& scratch);

// A lower bound on B_m for every m of a block [first, first + kBabySteps),
// for the far screens near b* at large contexts, where most blocks lie far
// above zero (at L = 2^26 three in four blocks of the outer windows are above
// 2). Each pair's cosine over the block is at least its minimum over the arc
// of phases the block spans, a +- r around the phase a at the block's centre
// (r = 32 theta): -1 if the arc reaches pi, else cos a cos r - |sin a| sin r;
// the bound is the sum of those. It needs only the phases at the centre,
// which consecutive blocks get by one rotation R(+-64 theta) from the
// previous block's (a BoundRun), so a block costs a few products per pair
// rather than a sincos. The phases are carried in single precision (eight
// pairs per vector, twice as many as double) and seeded afresh every
// kBoundReseed blocks, so their drift stays below kBoundPairMargin per pair,
// which the bound subtracts.
//
// Where that sum is below what the caller wants, the fast pairs (r >=
// kBoundFastArc, at most kBoundFast of them) are taken exactly instead: the
// minimum over the block of their sum, from the centre phases and a table of
// R(j theta), j = -32 .. 31, made once per base when first needed. Their arcs are where the
// first sum is loose (a pair that turns once per block gives -1 although the
// fast pairs never reach -1 together): at L = 2^26, of the blocks near b*
// whose first bound is below 0, the second settles nine in ten (their
// screened minima lie between 3 and 8).
//
// Like the screen, it has no rigorous bound: it only decides where to look.
inline constexpr int kBoundReseed = 32;
// Per pair: the rough seed (~4e-7) and its rounding to float, then per chained
// rotation the float step's coefficients (2^-24 each) and its arithmetic
// (~2 ulps), and the bound's own products: < 1.5e-5 after 32 rotations.
inline constexpr double kBoundPairMargin = 2e-5;
inline constexpr double kBoundFastArc = 1.0;
inline constexpr std::size_t kBoundFast = 16;
struct BlockBound {
  std::size_t pairs = 0;              // rounded up to 16; padding: theta = 0
  std::size_t fast = 0;               // the first `fast` pairs are the fast ones
  std::vector<double> theta;          // every pair's frequency (for the seeds)
  std::vector<float> arc_c, arc_s;    // cos, sin of min(r, pi)
  std::vector<float> step_c, step_s;  // R(64 theta)
  // Fast pair i: cos and sin of (j - 32) theta_i at [i * kBabySteps + j],
  // made when the sharper bound is first wanted at this base.
  bool has_offsets = false;
  std::vector<float> offset_c, offset_s;
  double offset = 0.0;  // the constant term, less the padding's 1 each and the margin
};
void make_block_bound(const FrequencyTable& table, BlockBound& out);
// The phases at a block's centre for a run of consecutive blocks, upwards or
// downwards; `next` is the first distance of the block they belong to.
struct BoundRun {
  static constexpr std::uint64_t kNone = ~std::uint64_t{0};
  explicit BoundRun(bool downwards = false) : down(downwards) {}
  std::uint64_t next = kNone;
  bool down;
  int chained = 0;  // rotations since the last seed
  std::vector<float> c, s;
};
// The arc bound, or the sharper one with the fast pairs taken exactly when
// the arc bound is below `wanted`.
double block_lower_bound(BlockBound& bound, std::uint64_t first, BoundRun& run, double wanted);

// Bound on |computed - exact| for values produced at most `giant_steps` giant
// and `baby_steps` baby steps after an exact seed at a distance <= last_distance.
double recurrence_error_bound(const FrequencyTable& table, const Rotation& co,
                              std::uint64_t last_distance, int giant_steps, int baby_steps);

}  // namespace ropebound
