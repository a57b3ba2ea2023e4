#include "ropebound/solver.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "ropebound/dd.hpp"
#include "ropebound/decay.hpp"
#include "ropebound/recurrence.hpp"
#include "ropebound/walk.hpp"

namespace ropebound {

namespace {

using Clock = std::chrono::steady_clock;

// Polls the monitor from the calling thread at most every kPollInterval.
class Poller {
 public:
  explicit Poller(Monitor* monitor) : monitor_(monitor), last_(Clock::now()) {}
  bool keep_going(std::uint64_t done, std::uint64_t total) {
    if (monitor_ == nullptr) return true;
    const auto now = Clock::now();
    if (now - last_ < kPollInterval) return true;
    last_ = now;
    return monitor_->keep_going(done, total);
  }
  Monitor* monitor() const { return monitor_; }

 private:
  Monitor* monitor_;
  Clock::time_point last_;
};

struct SegmentScan {
  std::int64_t first = -1;
  std::uint64_t unknown = 0;
};

// First certified-negative distance among out[0..count) = B_{first..}.
// With from_top, the last such distance instead.
SegmentScan scan_values(const FrequencyTable& table, const double* values, std::uint64_t first,
                        std::uint64_t count, double error, bool from_top = false) {
  SegmentScan scan;
  for (std::uint64_t step = 0; step < count; ++step) {
    const std::uint64_t k = from_top ? count - 1 - step : step;
    if (values[k] - error >= 0.0) continue;
    const Sign sign = certified_sign(first + k, table, values[k], error);
    if (sign == Sign::kNegative) {
      scan.first = static_cast<std::int64_t>(first + k);
      return scan;
    }
    if (sign == Sign::kUnknown) ++scan.unknown;
  }
  return scan;
}

}  // namespace

Sign certified_sign(std::uint64_t m, const FrequencyTable& table, double estimate,
                    double estimate_error) {
  if (estimate + estimate_error < 0.0) return Sign::kNegative;
  if (estimate - estimate_error >= 0.0) return Sign::kNonNegative;
  const Bounded fast = decay_sum(m, table);
  if (fast.value + fast.error < 0.0) return Sign::kNegative;
  if (fast.value - fast.error >= 0.0) return Sign::kNonNegative;
  const Bounded precise = decay_sum_precise(m, table);
  if (precise.value + precise.error < 0.0) return Sign::kNegative;
  if (precise.value - precise.error >= 0.0) return Sign::kNonNegative;
  return Sign::kUnknown;
}

namespace {

// The first (from_top: the last) m in [start, end) with B_m < 0: super-blocks
// of the rigorous recurrence in parallel waves, ordered from the scan's
// starting end, so the answer does not depend on which thread found what.
// `abandon` (a parallel search's worker: is this pass still needed?) is asked
// after every wave and stops the scan like the monitor does.
FirstNegative scan_for_negative(const FrequencyTable& table, std::uint64_t start, std::uint64_t end,
                                bool parallel, Monitor* monitor, bool from_top,
                                const std::function<bool()>& abandon = {}) {
  FirstNegative result;
  if (end <= start) return result;
  const Rotation rot = make_rotation(table);
  const double error = recurrence_error_bound(table, rot, end - 1, kGiantSteps - 1, kBabySteps - 1);
  const std::uint64_t n_blocks = (end - start + kSuperBlock - 1) / kSuperBlock;
  Poller poller(monitor);
  // Inside a parallel search's worker the pass runs on that thread alone.
  if (in_parallel()) parallel = false;
  const int threads = parallel ? max_threads() : 1;
  const std::uint64_t wave = parallel ? static_cast<std::uint64_t>(4 * threads) : 1;
  std::vector<CurveScratch> scratch(static_cast<std::size_t>(threads));
  std::vector<std::vector<double>> buffers(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    scratch[t].reserve(rot);
    buffers[t].resize(kSuperBlock);
  }
  std::vector<SegmentScan> hits(wave);
  for (std::uint64_t w0 = 0; w0 < n_blocks; w0 += wave) {
    const std::uint64_t w_end = std::min(n_blocks, w0 + wave);
    // k counts blocks from the scan's starting end.
    auto scan_block = [&](std::uint64_t k, int worker) {
      const std::uint64_t b = from_top ? n_blocks - 1 - k : k;
      const std::uint64_t first = start + b * kSuperBlock;
      const std::uint64_t count = std::min<std::uint64_t>(kSuperBlock, end - first);
      double* buf = buffers[worker].data();
      curve_segment(table, rot, first, count, buf, scratch[worker]);
      hits[k - w0] = scan_values(table, buf, first, count, error, from_top);
    };
    if (parallel) {
      const auto n = static_cast<std::int64_t>(w_end - w0);
#pragma omp parallel for schedule(dynamic, 1)
      for (std::int64_t k = 0; k < n; ++k)
        scan_block(w0 + static_cast<std::uint64_t>(k), thread_id());
    } else {
      scan_block(w0, 0);
    }
    for (std::uint64_t k = w0; k < w_end; ++k) {
      const SegmentScan& hit = hits[k - w0];
      result.unknown += hit.unknown;
      if (hit.first >= 0) {
        result.distance = hit.first;
        return result;
      }
    }
    if ((abandon && abandon()) || !poller.keep_going(w_end * kSuperBlock, end - start)) {
      result.stopped = true;
      return result;
    }
  }
  return result;
}

}  // namespace

FirstNegative first_negative(const FrequencyTable& table, std::uint64_t start, std::uint64_t end,
                             bool parallel, Monitor* monitor) {
  return scan_for_negative(table, start, end, parallel, monitor, false);
}

namespace {

constexpr std::uint64_t kBlock = kBabySteps;  // distances per certificate block
constexpr std::uint64_t kGroupBlocks = 64;    // blocks per group certificate

// Everything the search needs at one base. Reused from base to base: the
// vectors keep their storage.
struct BaseState {
  double base = 0.0;
  FrequencyTable table;
  Rotation rot;
  ScreenRotation screen;
  double block_error = 0.0;
  double rate_bound = 0.0;  // sum_i slope_abs_i: |dB_m/du| <= m * rate_bound

  // Call after filling `table` with the table at b. The staircase's rigorous
  // block scans use rot, block_error and rate_bound, the local search only
  // the screen.
  void prepare(double b, std::uint64_t context, bool staircase) {
    base = b;
    if (staircase) {
      make_rotation_into(table, false, rot);
      block_error = recurrence_error_bound(table, rot, context - 1, 0, kBabySteps - 1);
      rate_bound = 0.0;
      for (double s : table.slope_abs) rate_bound += s;
    } else {
      make_screen_rotation(table, screen);
    }
  }
};

// Buffers of the local violator search, kept across bases.
struct LocalScratch {
  std::vector<float> values = std::vector<float>(kBabySteps);
  std::vector<std::pair<float, std::uint64_t>> deepest;      // (screened value, m)
  std::vector<std::pair<double, std::uint64_t>> candidates;  // (-rough reach, m)
  ScreenScratch screen;
  // When has_chosen: the walk is anchored at the returned violator and the
  // search's table, and chosen is its evaluation there (walk.at(0)).
  PhaseWalk walk;
  DecayDerivatives chosen;
  bool has_chosen = false;
};

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
// already anchored `walk` at (m, table) and evaluated it at 0 (`start`). The base returned is the
// first double past the proved interval and `next_table` its table. Whether m is still negative
// there is for the next violator search to see.
double jump_past(const FrequencyModel& model, std::uint64_t m, double base,
                 const FrequencyTable& table, FrequencyTable& next_table, PhaseWalk& walk,
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
  const double next =
      std::nextafter(advance_base(base, h), std::numeric_limits<double>::infinity());
  if (next <= kMaxBase) model_table_into(model, next, next_table);
  return next;
}

}  // namespace

namespace {

// Scans one block of at most kBlock distances at the state's base. Returns the
// first certified-negative distance (or -1) and the smallest certified lower
// bound of the others (the block's margin).
struct BlockScan {
  std::int64_t violator = -1;
  double margin = std::numeric_limits<double>::infinity();
};

BlockScan scan_block(const BaseState& state, std::uint64_t first, std::uint64_t count,
                     double* values, CurveScratch& scratch, MinBaseResult& result) {
  BlockScan scan;
  curve_segment(state.table, state.rot, first, count, values, scratch);
  ++result.block_evaluations;
  for (std::uint64_t j = 0; j < count; ++j) {
    const double lower = values[j] - state.block_error;
    if (lower >= 0.0) {
      scan.margin = std::min(scan.margin, lower);
      continue;
    }
    const Sign sign = certified_sign(first + j, state.table, values[j], state.block_error);
    if (sign == Sign::kNegative) {
      scan.violator = static_cast<std::int64_t>(first + j);
      return scan;
    }
    if (sign == Sign::kUnknown) result.certified = false;
    scan.margin = 0.0;
  }
  return scan;
}

// Block certificates for the first-violator search: expire[k] is a base below
// which block k is certified non-negative (bases only grow during a search).
class Certificates {
 public:
  explicit Certificates(std::uint64_t context)
      : context_(context),
        n_blocks_((context + kBlock - 1) / kBlock),
        expire_(n_blocks_, 0.0),
        group_expire_((n_blocks_ + kGroupBlocks - 1) / kGroupBlocks, 0.0),
        values_(kBlock) {}

  // Smallest m < context with B_m(state.base) < 0, or -1.
  std::int64_t first_violator(const BaseState& state, MinBaseResult& result) {
    CurveScratch scratch;
    scratch.reserve(state.rot);
    const double b = state.base;
    for (std::uint64_t g = 0; g < group_expire_.size(); ++g) {
      if (b < group_expire_[g]) continue;
      const std::uint64_t k_end = std::min(n_blocks_, (g + 1) * kGroupBlocks);
      double group_min = std::numeric_limits<double>::infinity();
      for (std::uint64_t k = g * kGroupBlocks; k < k_end; ++k) {
        if (b >= expire_[k]) {
          const std::uint64_t first = k * kBlock;
          const std::uint64_t count = std::min(kBlock, context_ - first);
          const BlockScan scan = scan_block(state, first, count, values_.data(), scratch, result);
          if (scan.violator >= 0) {
            expire_[k] = 0.0;
            group_expire_[g] = 0.0;
            return scan.violator;
          }
          // |B_m(u') - B_m(u)| <= m * rate_bound * (u' - u) for u' >= u.
          const double rate = static_cast<double>(first + count - 1) * state.rate_bound;
          if (scan.margin <= 0.0) {
            expire_[k] = b;
          } else if (rate <= 0.0) {
            expire_[k] = std::numeric_limits<double>::infinity();
          } else {
            expire_[k] = b * std::exp(scan.margin / rate) * (1.0 - 1e-12);
          }
        }
        group_min = std::min(group_min, expire_[k]);
      }
      group_expire_[g] = group_min;
    }
    return -1;
  }

 private:
  std::uint64_t context_, n_blocks_;
  std::vector<double> expire_, group_expire_, values_;
};

// Candidates of one screened block that get rough derivatives and a rank.
constexpr std::size_t kRanked = 8;

// Screens one block of the local search (see screen_block) and returns the
// best certified violator among up to kRanked: each screened candidate is
// confirmed by a rigorous evaluation (PhaseWalk::at(0), which anchors the
// jump's walk as well) and ranked by its estimated reach, the first root of
// g + g' h + g'' h^2 / 2 (any violator is a valid jump, a longer one saves
// jumps: about a quarter of them against Newton's -g/g'). `skip` (the violator just
// jumped past, at or near its root) is left to the caller.
std::int64_t screen_scan(const BaseState& state, std::uint64_t first, std::uint64_t count,
                         std::uint64_t skip, LocalScratch& local, MinBaseResult& result) {
  float* values = local.values.data();
  screen_block(state.table, state.screen, first, count, values, local.screen);
  ++result.block_evaluations;
  // Candidates ranked by rough derivatives; the best is then confirmed with
  // the rigorous evaluation (the next one if the screen misled).
  auto& ranked = local.candidates;
  ranked.clear();
  // Rough derivatives only for the deepest screened values: at L = 2^16,
  // d = 128 the eight deepest give as few jumps as the first sixteen did
  // (2533 against 2519) with 2.5% fewer instructions in all.
  auto& deep = local.deepest;
  deep.clear();
  // Most blocks hold no candidate: a vectorised test first.
  int any = 0;
  for (std::uint64_t j = 0; j < count; ++j) any |= values[j] < kScreenTolerance ? 1 : 0;
  if (any == 0) return -1;
  for (std::uint64_t j = 0; j < count; ++j) {
    const float v = values[j];
    if (v >= kScreenTolerance || first + j == skip) continue;
    deep.push_back({v, first + j});
  }
  if (deep.size() > kRanked) {
    std::partial_sort(deep.begin(), deep.begin() + kRanked, deep.end());
    deep.resize(kRanked);
  }
  if (deep.size() == 1) {
    ranked.push_back({0.0, deep.front().second});  // nothing to rank
  } else {
    for (const auto& [v, m] : deep) {
      const RoughDerivatives r = rough_derivatives(m, state.table);
      if (!(r.value < kScreenTolerance)) continue;
      ranked.push_back({-first_root(r.value, r.slope, 0.5 * r.second), m});
    }
  }
  std::sort(ranked.begin(), ranked.end());
  for (const auto& [neg_reach, m] : ranked) {
    // The walk's evaluation at 0 is decay_derivatives' and anchors the jump.
    local.walk.reset(m, state.table);
    const DecayDerivatives d = local.walk.at(0.0);
    if (d.value.value + d.value.error < 0.0) {
      local.chosen = d;
      local.has_chosen = true;
      return static_cast<std::int64_t>(m);
    }
    if (d.value.value - d.value.error < 0.0) {
      // Too close to 0 for the double evaluation: settle it (rare).
      const Sign sign =
          certified_sign(m, state.table, 0.0, std::numeric_limits<double>::infinity());
      if (sign == Sign::kNegative) {
        local.has_chosen = false;
        return static_cast<std::int64_t>(m);
      }
    }
  }
  return -1;
}

// Some m < context with B_m(state.base) < 0, or -1 when there is none: windows
// of blocks growing around the previous violator (violators cluster where B
// first dips below zero), screened in single precision, every candidate
// confirmed in double. Only a rigorous parallel pass over all distances can
// answer -1 (certify the base): it serves the first call (no previous
// violator) and whatever the windows, up to the context's size, did not find.
// Returned by local_violator when the monitor asked to stop.
constexpr std::int64_t kStopped = -2;

std::int64_t local_violator(const BaseState& state, std::uint64_t context, std::int64_t hint,
                            const std::function<bool()>& abandon, Poller& poller,
                            LocalScratch& local, MinBaseResult& result) {
  local.has_chosen = false;
  const std::uint64_t n_blocks = (context + kBlock - 1) / kBlock;
  if (hint >= 0) {
    // Windows [center - behind, center + ahead) growing 8x at a time, each
    // screened outwards from the centre (the next violator is usually in the
    // previous one's block or a neighbour) and skipping what earlier windows
    // did, up to the whole context: a float screen of every block costs about
    // a quarter of the rigorous pass, which is left for bases the screen
    // finds clean.
    const auto previous = static_cast<std::uint64_t>(hint);
    const std::uint64_t center = previous / kBlock;
    std::uint64_t done_lo = center, done_hi = center;
    for (std::uint64_t behind = 4, ahead = 12; done_lo > 0 || done_hi < n_blocks;
         behind *= 8, ahead *= 8) {
      const std::uint64_t lo = center > behind ? center - behind : 0;
      const std::uint64_t hi = std::min(n_blocks, center + ahead);
      const std::uint64_t reach = std::max(center - lo, hi - center);
      for (std::uint64_t step = 0; step <= 2 * reach; ++step) {
        // centre, +1, -1, +2, -2, ...
        const std::uint64_t off = (step + 1) / 2;
        if (step % 2 == 0 ? center + off >= hi : off > center || center - off < lo) continue;
        const std::uint64_t k = step % 2 == 0 ? center + off : center - off;
        if (k >= done_lo && k < done_hi) continue;
        const std::uint64_t first = k * kBlock;
        const std::int64_t found =
            screen_scan(state, first, std::min(kBlock, context - first), previous, local, result);
        if (found >= 0) return found;
        // A window over a huge context takes seconds: keep Ctrl-C responsive.
        if ((step & 1023) == 1023 && !poller.keep_going(first, context)) return kStopped;
      }
      if (done_lo == done_hi) {
        // The first window is clean: the previous violator may still be
        // negative (its walk stops short of its root).
        local.has_chosen = false;
        const Sign sign =
            certified_sign(previous, state.table, 0.0, std::numeric_limits<double>::infinity());
        if (sign == Sign::kNegative) return hint;
      }
      done_lo = lo;
      done_hi = hi;
    }
  }
  // The rigorous answer: a parallel pass over every distance (the screen
  // proves nothing about the blocks it passed).
  local.has_chosen = false;
  ++result.full_passes;
  const FirstNegative full =
      scan_for_negative(state.table, 0, context, true, poller.monitor(), false, abandon);
  if (full.stopped) return kStopped;
  if (full.unknown > 0) result.certified = false;
  return full.distance;
}

}  // namespace

namespace {

// What one search shares with the other workers of a parallel search.
struct SearchLink {
  std::atomic<double> max_base{kMaxBase};  // lowered when another worker takes the top
  std::atomic<double> position{0.0};       // the current base
  std::atomic<std::int64_t> violator{-1};  // the latest violator (a hint for a split)
  const std::atomic<bool>* cancel = nullptr;
};

// The jump search from start_base until an admissible base or link.max_base.
MinBaseResult search(const FrequencyModel& model, std::uint64_t context, double start_base,
                     bool staircase, Monitor* monitor, SearchLink& link, std::int64_t first_hint) {
  MinBaseResult result;
  Certificates certificates(staircase ? context : 0);
  Poller poller(monitor);
  std::uint64_t largest_first = 0;  // largest first violator seen (staircase mode)
  std::int64_t hint = first_hint;
  double b = start_base;
  BaseState state;
  FrequencyTable jump_table;  // the table at b when have_table (left by jump_past)
  bool have_table = false;
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
    if (b > link.max_base.load(std::memory_order_relaxed) || b > kMaxBase) {
      result.exhausted = true;
      result.base = b;
      return result;
    }
    if (have_table) {
      std::swap(state.table, jump_table);
    } else {
      model_table_into(model, b, state.table);
    }
    state.prepare(b, context, staircase);
    const std::int64_t violator =
        staircase ? certificates.first_violator(state, result)
                  : local_violator(state, context, hint, abandon, poller, local, result);
    if (violator == kStopped && abandon()) continue;  // cancelled or cut off: see above
    if (violator == kStopped) {
      result.stopped = true;
      return result;
    }
    if (violator < 0) {
      result.base = b;
      if (staircase) result.staircase.push_back({context, b, result.critical_distance});
      return result;
    }
    const auto v = static_cast<std::uint64_t>(violator);
    if (staircase && v > largest_first) {
      result.staircase.push_back({v, b, result.critical_distance});
      largest_first = v;
    }
    const bool anchored = !staircase && local.has_chosen;
    b = jump_past(model, v, b, state.table, jump_table, local.walk, anchored, local.chosen,
                  staircase ? 0.0 : kLocalStopFraction, result);
    have_table = b <= kMaxBase;
    result.critical_distance = violator;
    hint = violator;
    ++result.jumps;
    link.position.store(b, std::memory_order_relaxed);
    link.violator.store(violator, std::memory_order_relaxed);
    if (!poller.keep_going(staircase ? largest_first : v, context)) {
      result.stopped = true;
      return result;
    }
  }
}

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
MinBaseResult parallel_search(const FrequencyModel& model, std::uint64_t context, double start_base,
                              Monitor* monitor, double max_base, int workers) {
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
  add_segment(start_base, max_base, -1);

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
        r = search(model, context, mine->lo, false, own_monitor, mine->link, mine->hint);
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

MinBaseResult min_base_search(const FrequencyModel& model, std::uint64_t context, double start_base,
                              bool staircase, Monitor* monitor, double max_base, int workers) {
  const int n_workers = workers > 0 ? workers : max_threads();
  MinBaseResult r;
  if (!staircase && n_workers > 1 && context >= kParallelContext) {
    r = parallel_search(model, context, start_base, monitor, max_base, n_workers);
  } else {
    SearchLink link;
    link.max_base.store(max_base);
    r = search(model, context, start_base, staircase, monitor, link, -1);
  }
  if (!staircase && !r.stopped && !r.exhausted && r.base > start_base) {
    // The canonical critical distance, whatever path the search took: the
    // largest m negative at the double just below b* (found from the top
    // down, it costs a fraction of a pass: critical distances sit near the end).
    const double below = std::nextafter(r.base, 0.0);
    const FirstNegative last =
        scan_for_negative(model_table(model, below), 0, context, true, nullptr, true);
    if (last.distance >= 0) r.critical_distance = last.distance;
  }
  return r;
}

}  // namespace ropebound

namespace ropebound {

AdmissibleStep admissible_step(const FrequencyTable& table, std::uint64_t context,
                               Monitor* monitor) {
  AdmissibleStep out;
  // The curve in chunks: memory stays bounded for any context, and each
  // chunk's parallel pass polls the monitor.
  constexpr std::uint64_t kChunk = std::uint64_t{1} << 20;
  std::vector<double> values(std::min(context, kChunk));
  const double error = decay_curve_error_bound(table, context - 1);
  double rate = 0.0;
  for (double s : table.slope_abs) rate += s;
  // First-order steps: |dB_m/du| <= m * rate for every larger base.
  double best = std::numeric_limits<double>::infinity(), second = best;
  std::uint64_t critical = 0;
  for (std::uint64_t first = 0; first < context; first += kChunk) {
    const std::uint64_t count = std::min(kChunk, context - first);
    if (!decay_curve(table, first, count, values.data(), monitor)) {
      out.stopped = true;
      return out;
    }
    for (std::uint64_t k = 0; k < count; ++k) {
      const std::uint64_t m = first + k;
      double lower = values[k] - error;
      if (lower < 0.0) {
        const Sign sign = certified_sign(m, table, values[k], error);
        if (sign != Sign::kNonNegative) {
          out.admissible = false;
          return out;
        }
        lower = 0.0;
      }
      if (m == 0 || rate <= 0.0) continue;
      const double h = lower / (static_cast<double>(m) * rate);
      if (h < best) {
        second = best;
        best = h;
        critical = m;
      } else if (h < second) {
        second = h;
      }
    }
  }
  out.admissible = true;
  if (!std::isfinite(best)) {
    out.step = 1.0;
    return out;
  }
  // The distance closest to failing gets the second-order bound
  // B(u+h) >= B - |g'| h - M h^2 / 2 with its actual slope.
  const DecayDerivatives d = decay_derivatives(critical, table);
  const double lower = d.value.value - d.value.error;
  double h_critical = best;
  if (lower > 0.0) {
    const double slope = d.slope - d.slope_error;  // lower bound on g'
    const double curvature = d.curvature_bound;
    const double quad =
        curvature > 0.0 ? (slope + std::sqrt(slope * slope + 2.0 * curvature * lower)) / curvature
                        : (slope < 0.0 ? lower / -slope : 1.0);
    h_critical = std::max(best, quad);
  }
  out.step = std::min({h_critical, second, 1.0}) * (1.0 - 1e-9);
  return out;
}

}  // namespace ropebound
