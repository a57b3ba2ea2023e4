// B_m along the base axis from one exact evaluation: the certified walk that
// carries the jump search across a violator's interval of negativity.
//
// With u = ln b, every frequency of a model table is a sum of exponentials,
// theta_i(u + t) = sum_k v_ik e^(-a_ik t), so the phase of distance m is
//   psi_i(t) = m theta_i(u) + sum_k m v_ik (e^(-a_ik t) - 1),
// the exactly reduced phase at t = 0 plus a drift computed in plain double
// arithmetic with a rigorous bound. Each evaluation is then one vectorised
// sincos over the pairs: no double-double table per base, no 2*pi reduction of
// m * theta.
#pragma once

#include <cstdint>
#include <vector>

#include "ropebound/decay.hpp"
#include "ropebound/frequencies.hpp"

namespace ropebound {

// The local search's stop fraction: near the root the certified steps shrink
// only quadratically and each costs a full evaluation, while the interval of
// the violator the search finds next usually covers the rest anyway. At
// L = 2^16, d = 128 stopping within 1% of the root cut the walk's evaluations
// by 65% and the search's instructions by 9%, for 3% more jumps (0.001 to
// 0.03 measure the same). A violator found again at the next base, with no
// other one near it, is walked to its root instead (violator.cpp).
inline constexpr double kLocalStopFraction = 0.01;

// Smallest positive root of c + b h + a h^2 with c < 0, or +infinity when the
// polynomial stays negative for every h > 0 (in the form that does not cancel).
double first_root(double c, double b, double a);

class PhaseWalk {
 public:
  // The table must come from a FrequencyModel (terms_per_pair > 0).
  PhaseWalk(std::uint64_t m, const FrequencyTable& table) { reset(m, table); }
  PhaseWalk() = default;
  // Re-anchors at distance m and the table's base, reusing the storage.
  void reset(std::uint64_t m, const FrequencyTable& table);

  // Largest t accepted by at(): every drift argument a_ik t stays <= 1/8.
  double max_t() const { return max_t_; }

  // g(t) = B_m(b e^t) with the same derivatives and bounds as
  // decay_derivatives gives at t = 0 (curvature and third-derivative bounds
  // hold for every later t).
  DecayDerivatives at(double t) const;

  // A T >= 0 such that g < 0 on all of [0, T], proved step by step by Taylor
  // bounds from each point reached (see walk.cpp). `start` is the exact
  // evaluation at t = 0 (decay_derivatives); 0 when it is not certified
  // negative. The walk stops, without evaluating, once the root estimated
  // from its last evaluation (value, slope, second derivative) lies within
  // stop_fraction of the distance covered (0: on to the root, within ulps).
  // `evaluations` counts calls of at().
  double negative_reach(const DecayDerivatives& start, double stop_fraction,
                        std::uint64_t& evaluations) const;

 private:
  std::size_t pairs_ = 0, terms_ = 0;
  double constant_ = 0.0;
  double max_t_ = 0.0, max_rate_ = 0.0;            // max_rate_: the table's largest term rate
  std::vector<double> rho_hi_, rho_lo_, rho_err_;  // exactly reduced phases at t = 0
  std::vector<double> phi_, rate_;                 // m v_ik and a_ik, [k * pairs + i]
  mutable std::vector<double> scratch_[9];         // at()'s per-pair work arrays
};

}  // namespace ropebound
