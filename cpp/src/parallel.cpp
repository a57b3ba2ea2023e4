// Threads: the waves of a scan's blocks, and the parallel jump search that
// cuts the base axis into segments searched concurrently. The proofs live in
// scan.cpp, violator.cpp and jump.cpp; this file only schedules them.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>

#include "search_detail.hpp"

namespace ropebound::search {

void for_each_block(std::uint64_t n, bool parallel,
                    const std::function<void(std::uint64_t, int)>& body) {
  if (parallel) {
    const auto count = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(dynamic, 1)
    for (std::int64_t k = 0; k < count; ++k) body(static_cast<std::uint64_t>(k), thread_id());
  } else {
    for (std::uint64_t k = 0; k < n; ++k) body(k, 0);
  }
}

namespace {

// Contexts below this run serially: their whole search takes well under a
// millisecond.
constexpr std::uint64_t kParallelContext = 1u << 12;

// The jump search on several threads. The base axis is cut into segments
// [lo, hi), each searched by one worker for its first admissible base (or
// found exhausted); b* is the first admissible base of the lowest segment that
// has one, all segments below it being exhausted. Segments are made by
// splitting a running one: an idle worker takes the upper half (in ln b) of the
// running segment with the most room left, or, when only the unbounded top
// segment runs, a stretch above it at twice its covered width (if that lands
// above b*, its worker finds an admissible base quickly and then splits the
// segment below). The invariant of the serial search holds in every segment,
// so b* does not depend on how the axis was cut; the critical distance is made
// canonical afterwards.
MinBaseResult parallel_search(const PiecewiseModel& model, std::uint64_t context, double start_base,
                              Monitor* monitor, const SearchOptions& options, int workers) {
  const double max_base = options.max_base;
  (void)workers;  // only read by the OpenMP pragma
  struct Segment {
    double lo = 0.0;
    std::int64_t hint = -1;
    int state = 0;  // 0 waiting, 1 running, 2 done
    SearchLink link;
    MinBaseResult result;
  };
  std::mutex mutex;
  std::vector<std::unique_ptr<Segment>> segments;  // by increasing lo
  std::atomic<bool> cancel{false};
  std::exception_ptr error;
  auto add_segment = [&](double lo, double hi, std::int64_t hint) {
    auto seg = std::make_unique<Segment>();
    seg->lo = lo;
    seg->hint = hint;
    seg->link.max_base.store(hi);
    seg->link.position.store(lo);
    seg->link.cancel = &cancel;
    Segment* raw = seg.get();
    auto at =
        std::upper_bound(segments.begin(), segments.end(), lo,
                         [](double x, const std::unique_ptr<Segment>& s) { return x < s->lo; });
    segments.insert(at, std::move(seg));
    return raw;
  };
  // The answer is known once the lowest segments are exhausted up to one that
  // found an admissible base (or all are exhausted, or one was stopped).
  auto settled = [&]() {
    for (const auto& seg : segments) {
      if (seg->state != 2) return false;
      if (seg->result.stopped || !seg->result.exhausted) return true;
    }
    return true;
  };
  // Called with the mutex held: a new segment cut from a running one, or null.
  auto split = [&]() -> Segment* {
    Segment* target = nullptr;
    double best_room = 0.0;
    bool target_open = false;
    for (const auto& seg : segments) {
      if (seg->state != 1) continue;
      const double pos = std::log(seg->link.position.load());
      const double hi = seg->link.max_base.load();
      const bool open = hi >= max_base;  // the top segment: no useful upper end
      const double room = open ? std::numeric_limits<double>::infinity() : std::log(hi) - pos;
      if (room > best_room || (room == best_room && open && !target_open)) {
        best_room = room;
        target = seg.get();
        target_open = open;
      }
    }
    if (target == nullptr) return nullptr;
    const double lo = std::log(target->lo);
    const double pos = std::log(target->link.position.load());
    double cut;
    if (target_open) {
      cut = pos + std::max(pos - lo, 0.25);
      if (!(cut < std::log(max_base))) return nullptr;
    } else {
      if (!(best_room > 1e-3)) return nullptr;  // a few jumps' worth: not worth a restart
      cut = pos + 0.5 * best_room;
    }
    const double at = std::exp(cut);
    const double hi = target->link.max_base.load();
    if (!(at > target->link.position.load() && at < hi)) return nullptr;
    target->link.max_base.store(at);
    // The target's latest violator hints the new segment's first windows
    // (before the target's first jump, block 0: violators of small bases sit
    // at small distances).
    Segment* seg = add_segment(at, hi, std::max<std::int64_t>(target->link.violator.load(), 0));
    seg->state = 1;
    return seg;
  };
  add_segment(start_base, max_base, options.first_hint);

#pragma omp parallel num_threads(workers)
  {
    Monitor* own_monitor = thread_id() == 0 ? monitor : nullptr;
    Poller idle_poller(own_monitor);  // Ctrl-C stays responsive while waiting
    for (;;) {
      Segment* mine = nullptr;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (error != nullptr || cancel.load() || settled()) {
          cancel.store(true);
          break;
        }
        for (const auto& seg : segments) {
          if (seg->state == 0) {
            mine = seg.get();
            mine->state = 1;
            break;
          }
        }
        if (mine == nullptr) mine = split();
      }
      if (mine == nullptr) {
        std::this_thread::sleep_for(std::chrono::microseconds(50));
        std::int64_t latest = 0;
        {
          std::lock_guard<std::mutex> lock(mutex);
          for (const auto& seg : segments) latest = std::max(latest, seg->link.violator.load());
        }
        if (!idle_poller.keep_going(static_cast<std::uint64_t>(latest), context))
          cancel.store(true);
        continue;
      }
      MinBaseResult r;
      try {
        r = search(model, context, mine->lo, own_monitor, mine->link, mine->hint,
                   options.screen_whole_context);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        error = std::current_exception();
        cancel.store(true);
        break;
      }
      std::lock_guard<std::mutex> lock(mutex);
      mine->result = r;
      mine->state = 2;
      if (r.stopped && !cancel.load()) cancel.store(true);  // the monitor asked to stop
      if (!r.stopped && !r.exhausted) {
        // Segments above an admissible base no longer matter.
        for (const auto& seg : segments) {
          if (seg->lo > r.base) seg->link.max_base.store(seg->lo);
        }
      }
    }
  }
  if (error != nullptr) std::rethrow_exception(error);
  MinBaseResult out;
  for (const auto& seg : segments) {
    out.jumps += seg->result.jumps;
    out.jump_evaluations += seg->result.jump_evaluations;
    out.walk_evaluations += seg->result.walk_evaluations;
    out.block_evaluations += seg->result.block_evaluations;
    out.full_passes += seg->result.full_passes;
  }
  for (const auto& seg : segments) {
    const MinBaseResult& r = seg->result;
    if (seg->state != 2 || r.stopped) {
      out.stopped = true;
      return out;
    }
    out.certified = out.certified && r.certified;
    if (!r.exhausted) {
      out.base = r.base;
      out.critical_distance = r.critical_distance;
      return out;
    }
    out.base = r.base;
  }
  out.exhausted = true;
  return out;
}

}  // namespace

}  // namespace ropebound::search

namespace ropebound {

MinBaseResult min_base_search(const PiecewiseModel& model, std::uint64_t context, double start_base,
                              Monitor* monitor, const SearchOptions& options) {
  const int n_workers = options.workers > 0 ? options.workers : max_threads();
  MinBaseResult r;
  if (n_workers > 1 && context >= search::kParallelContext) {
    r = search::parallel_search(model, context, start_base, monitor, options, n_workers);
  } else {
    search::SearchLink link;
    link.max_base.store(options.max_base);
    r = search::search(model, context, start_base, monitor, link, options.first_hint,
                       options.screen_whole_context);
  }
  if (r.stopped || r.exhausted || !(r.base > start_base)) return r;
  const PiecewiseModel::Piece& piece = model.pieces[model.piece_from(r.base)];
  if (r.base == piece.lo) {
    // The first base of a piece (a discontinuity of the frequencies): no
    // distance's interval of negativity ends here.
    r.critical_distance = -1;
    return r;
  }
  // The canonical critical distance, whatever path the search took: the
  // largest m negative at the double just below b* (found from the top
  // down, it costs a fraction of a pass: critical distances sit near the end).
  const double below = std::nextafter(r.base, 0.0);
  const FirstNegative last =
      search::scan_for_negative(model_table(piece.model, below), 0, context, true, nullptr, true);
  if (last.distance >= 0) r.critical_distance = last.distance;
  return r;
}

}  // namespace ropebound
