// The jump search on one thread: from a base below b*, jump past certified
// intervals of negativity until a base with no negative distance, crossing
// the pieces of a piecewise model as it goes.
#include <algorithm>
#include <cmath>
#include <limits>

#include "search_detail.hpp"

namespace ropebound::search {

namespace {

// Largest double b' with b' <= b e^h, h >= 0 (or b itself when that is b):
// b' - b is exact (Sterbenz), so only the step b (e^h - 1) needs a safe lower
// bound (libm's expm1 within one ulp, three roundings, 8u of slack). Losing 8u
// of the step rather than of the base keeps ulp-sized steps near a root.
double advance_base(double b, double h) {
  constexpr double u = kUnitRoundoff;
  const double step = b * std::expm1(h) * (1.0 - 8.0 * u);
  double next = b + step;
  while (next - b > step) next = std::nextafter(next, 0.0);
  return next;
}

// A base > `base` such that B_m < 0 on every double in [base, result), for a
// violator m at `base` (`table` is the table there): one exact evaluation
// there and the longer of two certified intervals of negativity, the Taylor
// step g(u+h) <= g(u) + g'(u) h + M h^2 / 2 (M bounds |g''| for all larger u)
// and the PhaseWalk from `base`, whose cheap evaluations carry it to within
// stop_fraction of m's root (walk.hpp). With `anchored`, the caller has
// already anchored `walk` at (m, table) and evaluated it at 0 (`start`). The
// base returned is the first double past the proved interval; whether m is
// still negative there is for the next violator search to see.
double jump_past(std::uint64_t m, double base, const FrequencyTable& table, PhaseWalk& walk,
                 bool anchored, const DecayDerivatives& start, double stop_fraction,
                 MinBaseResult& stats) {
  DecayDerivatives d = start;
  if (!anchored) {
    walk.reset(m, table);
    d = walk.at(0.0);
    ++stats.jump_evaluations;
  }
  double upper = d.value.value + d.value.error;
  if (upper >= 0.0) {
    // m was certified negative here by a finer evaluator.
    const Bounded precise = decay_sum_precise(m, table);
    upper = std::min(upper, precise.value + precise.error);
  }
  double h = 0.0;
  if (upper < 0.0) {
    // Positive root of curvature/2 h^2 + slope_upper h + upper = 0.
    h = first_root(upper, d.slope + d.slope_error, 0.5 * d.curvature_bound);
    h = std::min(h, 1.0) * (1.0 - 1e-9);
    h = std::max(h, walk.negative_reach(d, stop_fraction, stats.walk_evaluations));
  }
  // Every double up to base e^h is negative: continue from the next one.
  return std::nextafter(advance_base(base, h), std::numeric_limits<double>::infinity());
}

}  // namespace

// Invariant across pieces: a jump's proof holds for its piece's model only, so
// a jump ends at most one double past the piece's last base; the next piece
// starts afresh (its own tables, certificates and critical distance) while the
// violator hint and the scratch buffers carry over: violators of neighbouring
// bases sit at neighbouring distances whatever the piece.
MinBaseResult search(const PiecewiseModel& model, std::uint64_t context, double start_base,
                     Monitor* monitor, SearchLink& link, std::int64_t first_hint,
                     bool screen_whole_context) {
  MinBaseResult result;
  Poller poller(monitor);
  std::int64_t hint = first_hint;
  double b = start_base;
  std::size_t piece = model.piece_from(b);
  if (piece < model.pieces.size()) b = std::max(b, model.pieces[piece].lo);
  BaseState state;
  LocalScratch local;
  // A pass is moot once the search is cancelled or an admissible base below
  // this segment cut it off.
  const std::function<bool()> abandon = [&link, &b]() {
    return (link.cancel != nullptr && link.cancel->load(std::memory_order_relaxed)) ||
           b > link.max_base.load(std::memory_order_relaxed);
  };

  for (;;) {
    if (link.cancel != nullptr && link.cancel->load(std::memory_order_relaxed)) {
      result.stopped = true;
      return result;
    }
    if (piece < model.pieces.size() && b > model.pieces[piece].last) {
      // Past this piece: the next one begins with nothing proved about it.
      piece = model.piece_from(b);
      if (piece < model.pieces.size()) b = std::max(b, model.pieces[piece].lo);
      result.critical_distance = -1;
    }
    if (piece == model.pieces.size() || b > link.max_base.load(std::memory_order_relaxed) ||
        b > kMaxBase) {
      result.exhausted = true;
      result.base = b;
      return result;
    }
    const PiecewiseModel::Piece& current = model.pieces[piece];
    model_table_into(current.model, b, state.table);
    make_screen_rotation(state.table, state.screen);
    const std::int64_t violator =
        local_violator(state, context, hint, screen_whole_context, abandon, poller, local, result);
    if (violator == kStopped && abandon()) continue;  // cancelled or cut off: see above
    if (violator == kStopped) {
      result.stopped = true;
      return result;
    }
    if (violator < 0) {
      result.base = b;
      return result;
    }
    const auto v = static_cast<std::uint64_t>(violator);
    const double stop_fraction = local.to_root ? 0.0 : kLocalStopFraction;
    b = jump_past(v, b, state.table, local.walk, local.has_chosen, local.chosen, stop_fraction,
                  result);
    b = std::min(b, std::nextafter(current.last, std::numeric_limits<double>::infinity()));
    result.critical_distance = violator;
    hint = violator;
    ++result.jumps;
    link.position.store(b, std::memory_order_relaxed);
    link.violator.store(violator, std::memory_order_relaxed);
    if (!poller.keep_going(v, context)) {
      result.stopped = true;
      return result;
    }
  }
}

}  // namespace ropebound::search
