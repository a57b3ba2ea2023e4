// The staircase L -> b*(L) as a chain of warm-started minimal-base searches:
// with f_k the first negative distance at b_k, b_{k+1} = b*(f_k + 1) is
// searched from b_k (f_k is the violator there, the search's first hint), and
// f_{k+1} is found by a certified scan at b_{k+1} from f_k + 1 on. Each step
// costs one search over a context that only grows, so the whole staircase
// costs a few searches at its top context rather than a first-violator scan
// per jump.
#include <algorithm>

#include "search_detail.hpp"

namespace ropebound {

namespace {

// The outer loop's position stands for the progress of every inner search.
class StepMonitor final : public Monitor {
 public:
  StepMonitor(Monitor* outer, std::uint64_t total) : outer_(outer), total_(total) {}
  bool keep_going(std::uint64_t, std::uint64_t) override {
    return outer_ == nullptr || outer_->keep_going(position, total_);
  }
  std::uint64_t position = 0;

 private:
  Monitor* outer_;
  std::uint64_t total_;
};

void add_counts(MinBaseResult& into, const MinBaseResult& r) {
  into.jumps += r.jumps;
  into.jump_evaluations += r.jump_evaluations;
  into.walk_evaluations += r.walk_evaluations;
  into.block_evaluations += r.block_evaluations;
  into.full_passes += r.full_passes;
  into.certified = into.certified && r.certified;
}

}  // namespace

// Why each step is b*(L) for L in (f_k, f_{k+1}]: every base below b_{k+1}
// has a negative distance <= f_k (below b_k by induction, in [b_k, b_{k+1})
// by the search), and b_{k+1} has none below f_{k+1}. The start base is the
// first step, with no critical distance.
MinBaseResult staircase_search(const PiecewiseModel& model, std::uint64_t context,
                               double start_base, Monitor* monitor, double max_base) {
  MinBaseResult result;
  StepMonitor steps(monitor, context);
  search::Poller poller(&steps);
  double b = start_base;
  std::int64_t critical = -1;
  std::uint64_t from = 0;  // distances below `from` are known non-negative at b
  for (;;) {
    const std::size_t piece = model.piece_from(b);
    // (A start below the first piece moves up to it; searches end inside one.)
    if (piece < model.pieces.size()) b = std::max(b, model.pieces[piece].lo);
    if (piece == model.pieces.size() || b > max_base) {
      result.exhausted = true;
      result.base = b;
      return result;
    }
    const FirstNegative first = search::scan_for_negative(model_table(model.pieces[piece].model, b),
                                                          from, context, true, &steps, false);
    ++result.full_passes;
    if (first.stopped) {
      result.stopped = true;
      return result;
    }
    if (first.unknown > 0) result.certified = false;
    if (first.distance < 0) {
      result.staircase.push_back({context, b, critical});
      result.base = b;
      result.critical_distance = critical;
      return result;
    }
    const auto f = static_cast<std::uint64_t>(first.distance);
    result.staircase.push_back({f, b, critical});
    steps.position = f;
    if (!poller.keep_going(f, context)) {
      result.stopped = true;
      return result;
    }
    // One worker: a step's search spans only [b_k, b_{k+1}], too short for
    // the parallel search's segments to pay (at L = 2^20 they doubled the
    // jumps); its certified passes still run on every thread.
    SearchOptions options;
    options.max_base = max_base;
    options.workers = 1;
    options.first_hint = first.distance;
    options.screen_whole_context = false;
    const MinBaseResult next = min_base_search(model, f + 1, b, &steps, options);
    add_counts(result, next);
    if (next.stopped || next.exhausted) {
      result.stopped = next.stopped;
      result.exhausted = next.exhausted;
      result.base = next.base;
      return result;
    }
    b = next.base;
    critical = next.critical_distance;
    from = f + 1;
  }
}

}  // namespace ropebound
