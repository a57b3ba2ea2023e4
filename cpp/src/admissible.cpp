// Admissible windows: from an admissible base, certified steps up to the end
// of its window, and every window of a range by alternating with the search.
//
// The right end of a window is the first base above its left end where some
// B_m turns negative. One pass over all distances at an anchor base gives, by
// the first-order bound |dB_m/du| <= m R, a safe horizon for every distance;
// only the few distances whose horizon is shortest can end the window soon,
// and only those are followed (each by its own PhaseWalk with second-order
// steps) until the horizon of the rest is reached. A step of one distance costs
// one evaluation over the pairs instead of a pass over all distances: at
// L = 2^16, d = 128 a window took ~60 full passes before.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <queue>
#include <stdexcept>
#include <utility>
#include <vector>

#include "search_detail.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace ropebound {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Reports the position reached in [lo, hi] (in thousandths of ln(hi / lo))
// to the caller's monitor, whatever the inner search or pass is counting.
class RangeMonitor final : public Monitor {
 public:
  RangeMonitor(Monitor* outer, double lo, double hi)
      : outer_(outer), log_lo_(std::log(lo)), log_span_(std::log(hi) - std::log(lo)) {}
  void reached(double base) { position_ = base; }
  // Passes are called between chunks of a few microseconds each: forwarded at most every
  // kPollInterval, as every other kernel polls (an unthrottled Python callback made
  // admissible_bases(2^20) 12x slower and redrew the CLI's bar 2 272 times in 0.8 s).
  bool keep_going(std::uint64_t /*done*/, std::uint64_t /*total*/) override {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < kPollInterval) return true;
    last_ = now;
    const double p = position_;
    const double f = log_span_ > 0.0 ? (std::log(p) - log_lo_) / log_span_ : 1.0;
    return outer_->keep_going(
        static_cast<std::uint64_t>(std::clamp(f, 0.0, 1.0) * static_cast<double>(kTotal)), kTotal);
  }

  static constexpr std::uint64_t kTotal = 1000;

 private:
  Monitor* outer_;
  double log_lo_, log_span_;
  std::atomic<double> position_{0.0};
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// Below this many distances the whole call runs on the calling thread: a pass
// is too short to pay for a parallel region's start and join. On this 2-core
// machine under load, admissible_bases(4096, 128, (b*, 2 b*)) took 0.10 s on
// one thread against 2.4 s on two, and 0.88 s against 7.5 s at 2^14.
constexpr std::uint64_t kSerialContext = std::uint64_t{1} << 18;

// Sets the calling thread's OpenMP team size to 1 for its lifetime (when on).
class SerialScope {
 public:
  explicit SerialScope(bool on) {
#ifdef _OPENMP
    if (on) {
      saved_ = omp_get_max_threads();
      omp_set_num_threads(1);
    }
#else
    (void)on;
#endif
  }
  ~SerialScope() {
#ifdef _OPENMP
    if (saved_ > 0) omp_set_num_threads(saved_);
#endif
  }
  SerialScope(const SerialScope&) = delete;
  SerialScope& operator=(const SerialScope&) = delete;

 private:
  int saved_ = 0;
};

// Distances followed individually from each anchor: the rest share one
// horizon. More of them make the horizon (and so the stretch between two full
// passes) longer, at one walk reset and a few evaluations each. Measured at
// L = 2^16, d = 128 over [b*, 2 b*] (s, on one thread): 16: 1.55, 64: 1.30,
// 128: 1.27, 512: 1.54, 1024: 1.78, 4096: 3.2; at 2^20, 128: 1.02, 1024: 1.09.
constexpr std::size_t kTracked = 128;

// Doubles checked one by one where the steps stall, before a new anchor.
constexpr int kUlpChecks = 8;

// Largest h such that lower + slope h - curvature h^2 / 2 >= 0 on [0, h] (the
// Taylor lower bound from one certified evaluation, the curvature bound valid
// for every larger base); 0 when the value is not certified positive. At an
// anchor every B_m is known non-negative (lower >= 0): a distance just past
// its root, whose value is within the evaluation's error of 0, still steps
// on by its slope.
double safe_step(const DecayDerivatives& d, bool known_non_negative) {
  double lower = d.value.value - d.value.error;
  if (known_non_negative) lower = std::max(lower, 0.0);
  const double slope = d.slope - d.slope_error;
  const double curvature = d.curvature_bound;
  if (lower > 0.0) return first_root(-lower, -slope, 0.5 * curvature) * (1.0 - 1e-9);
  if (lower < 0.0 || !(slope > 0.0)) return 0.0;
  return curvature > 0.0 ? 2.0 * slope / curvature * (1.0 - 1e-9) : kInf;
}

// Whether ln(c / base) <= t is proved, for base <= c <= 2 base (c - base is
// then exact): the quotient rounded up, log1p's error (< 2 ulps) charged.
bool log_ratio_at_most(double c, double base, double t) {
  if (!(c <= 2.0 * base)) return false;
  const double q = std::nextafter((c - base) / base, kInf);
  return std::log1p(q) * (1.0 + 8.0 * kUnitRoundoff) <= t;
}

// The largest double <= base e^t, to within an ulp or two: a safe estimate
// (room for exp's and the product's roundings), then the doubles above it
// whose log ratio is proved <= t.
double base_at(double base, double t) {
  if (t <= 0.0) return base;
  double c = std::max(base, std::nextafter(base * std::exp(t) * (1.0 - 4.0 * kUnitRoundoff), 0.0));
  for (int k = 0; k < 16; ++k) {
    const double next = std::nextafter(c, kInf);
    if (!log_ratio_at_most(next, base, t)) break;
    c = next;
  }
  return c;
}

// One pass at an admissible anchor: the horizon H > 0 in u = ln b up to which
// every distance outside `tracked` stays non-negative by the first-order
// bound, and the distances whose first-order step is shorter than H (at most
// `limit`). Returns false when the monitor stopped the pass; throws if the
// anchor is not admissible (it always is: an end of a certified stretch).
bool anchor_pass(const FrequencyTable& table, std::uint64_t context, std::size_t limit,
                 Monitor* monitor, std::vector<std::pair<double, std::uint64_t>>& tracked,
                 double& horizon) {
  // Chunks of a few super-blocks per thread: the heap's top at a chunk's
  // start decides which of its blocks are skipped, so chunks are short.
  const int threads = max_threads();
  const std::uint64_t chunk =
      kSuperBlock * static_cast<std::uint64_t>(threads > 1 ? 4 * threads : 1);
  std::vector<double> values(std::min(context, chunk));
  const Rotation rot = make_rotation(table);
  const ArcCertificate certificate = make_arc_certificate(table, rot, context - 1);
  const double error = certificate.recurrence_error;
  std::vector<CurveScratch> scratch(static_cast<std::size_t>(threads));
  for (CurveScratch& s : scratch) s.reserve(rot);
  double rate = 0.0;
  for (double s : table.slope_abs) rate += s;
  // A max-heap of the limit + 1 shortest first-order steps: its top is the
  // horizon, the rest are followed. The steps shrink roughly like 1/m, so the
  // distances go in from the top down: the heap fills with short steps first
  // and most later distances are turned away by one comparison (from the
  // bottom up, nearly every distance replaced the top: 10% of the run time at
  // L = 2^16). Once the heap is full, a block whose certified lower bound is at
  // least top * m_last * rate (every step of the block at least the top's) is
  // not evaluated.
  tracked.clear();
  for (std::uint64_t end = context; end > 0;) {
    const std::uint64_t count = std::min(chunk, end);
    const std::uint64_t first = end - count;
    end = first;
    // The heap's top only falls: its value now serves the whole chunk.
    const bool full = tracked.size() > limit && rate > 0.0;
    const double wanted = full ? tracked.front().first * rate * (1.0 + 1e-9) : kInf;
    const std::uint64_t n_blocks = (count + kSuperBlock - 1) / kSuperBlock;
    search::for_each_block(n_blocks, n_blocks > 1, [&](std::uint64_t b, int worker) {
      const std::uint64_t offset = b * kSuperBlock;
      const std::uint64_t length = std::min(kSuperBlock, count - offset);
      CurveScratch& own = scratch[static_cast<std::size_t>(worker)];
      if (full) {
        certified_segment(table, rot, first + offset, length, values.data() + offset, own,
                          certificate, wanted);
      } else {
        curve_segment(table, rot, first + offset, length, values.data() + offset, own);
      }
    });
    if (monitor != nullptr && !monitor->keep_going(context - end, context)) return false;
    for (std::uint64_t k = count; k-- > 0;) {
      const std::uint64_t m = first + k;
      double lower = values[k] - error;
      if (lower < 0.0) {
        if (certified_sign(m, table, values[k], error) != Sign::kNonNegative) {
          throw std::logic_error("internal: the anchor of a window's steps is not admissible");
        }
        lower = 0.0;
      }
      if (m == 0 || rate <= 0.0) continue;
      const double h = lower / (static_cast<double>(m) * rate) * (1.0 - 1e-9);
      if (tracked.size() <= limit) {
        tracked.emplace_back(h, m);
        std::push_heap(tracked.begin(), tracked.end());
      } else if (h < tracked.front().first) {
        std::pop_heap(tracked.begin(), tracked.end());
        tracked.back() = {h, m};
        std::push_heap(tracked.begin(), tracked.end());
      }
    }
  }
  if (tracked.size() <= limit) {
    horizon = kInf;  // every distance is followed
  } else {
    std::pop_heap(tracked.begin(), tracked.end());
    horizon = tracked.back().first;
    tracked.pop_back();
  }
  return true;
}

// The largest double e >= a with every base in [a, e] admissible under one
// piece's model, or a value >= top once the steps pass it (NaN: stopped);
// with a distance negative at the next double when one is known (else -1,
// always so when the steps reach top): the search for the next window starts
// from it.
struct WindowEnd {
  double end;
  std::int64_t violator = -1;
};

WindowEnd window_end(const FrequencyModel& model, std::uint64_t context, double a, double top,
                     RangeMonitor* monitor) {
  constexpr std::size_t kNoWalk = std::numeric_limits<std::size_t>::max();
  FrequencyTable table;
  std::vector<std::pair<double, std::uint64_t>> tracked;
  std::vector<PhaseWalk> walks;
  // (reach, m, walk): every base in [x, x e^reach] is proved admissible for
  // distance m, by the anchor's first-order bound until the distance is the
  // closest to its end (kNoWalk), then by its walk's second-order steps. Few
  // distances ever need a walk. The smallest reach first.
  struct Reach {
    double reach;
    std::uint64_t m;
    std::size_t walk;
    bool operator>(const Reach& o) const { return reach > o.reach; }
  };
  std::priority_queue<Reach, std::vector<Reach>, std::greater<>> reaches;
  search::Poller poller(monitor);
  double x = a;  // the anchor: an admissible double
  for (;;) {
    if (monitor != nullptr) monitor->reached(x);
    model_table_into(model, x, table);
    double horizon = 0.0;
    if (!anchor_pass(table, context, kTracked, monitor, tracked, horizon)) return {kNaN};
    reaches = {};
    for (const auto& [h, m] : tracked) reaches.push({h, m, kNoWalk});
    std::size_t used = 0;
    // Beyond max_t the walks' drift series do not hold; 1 keeps the anchors
    // of a window with nothing to follow (tiny contexts) moving.
    horizon = std::min({horizon, PhaseWalk(1, table).max_t(), 1.0});
    double t = 0.0;  // everything is proved on [x, x e^t]
    std::int64_t stalled = -1;
    while (!reaches.empty() && reaches.top().reach < horizon) {
      Reach r = reaches.top();
      reaches.pop();
      t = r.reach;
      if (r.walk == kNoWalk) {
        if (used == walks.size()) walks.emplace_back();
        walks[used].reset(r.m, table);
        r.walk = used++;
      }
      // B_m >= 0 at t is proved (the closed end of its reach).
      const double h = safe_step(walks[r.walk].at(t), true);
      // One ulp down: t + h rounded up could pass the proved reach.
      const double next = std::nextafter(t + h, 0.0);
      if (base_at(x, next) <= base_at(x, t)) {
        stalled = static_cast<std::int64_t>(r.m);  // cannot move the base: near its root
        break;
      }
      reaches.push({next, r.m, r.walk});
      if (!poller.keep_going(0, 0)) return {kNaN};
    }
    if (stalled < 0) t = horizon;
    const double end = base_at(x, t);
    if (end >= top) return {end};
    if (stalled < 0 && end > x) {
      x = end;
      continue;
    }
    // Steps below one ulp: the next doubles decide. The stalled distance
    // certified negative at the next double settles it at the cost of one
    // evaluation; otherwise a rigorous pass per double, then a new anchor.
    const double next = std::nextafter(end, kInf);
    if (stalled >= 0) {
      const DecayDerivatives d =
          decay_derivatives(static_cast<std::uint64_t>(stalled), model_table(model, next));
      if (d.value.value + d.value.error < 0.0) return {end, stalled};
    }
    double last = end;
    for (int k = 0; k < kUlpChecks; ++k) {
      const double candidate = std::nextafter(last, kInf);
      const FirstNegative f =
          first_negative(model_table(model, candidate), 0, context, true, monitor);
      if (f.stopped) return {kNaN};
      if (f.distance >= 0) return {last, f.distance};
      last = candidate;
      if (last >= top) return {last};
    }
    x = last;
  }
}

}  // namespace

AdmissibleWindows admissible_windows(const PiecewiseModel& model, std::uint64_t context, double lo,
                                     double hi, Monitor* monitor) {
  AdmissibleWindows out;
  auto& windows = out.windows;
  const SerialScope serial(context < kSerialContext);
  RangeMonitor range(monitor, lo, hi);
  RangeMonitor* inner = monitor != nullptr ? &range : nullptr;
  double b = lo;
  std::int64_t violator = -1;  // negative at b, when known: the search's first hint
  while (b <= hi) {
    range.reached(b);
    SearchOptions options;
    options.max_base = hi;
    options.first_hint = violator;
    const MinBaseResult r = min_base_search(model, context, b, inner, options);
    if (r.stopped) {
      out.stopped = true;
      return out;
    }
    if (r.exhausted || r.base > hi) break;
    const double a = r.base;
    range.reached(a);
    // Steps are certified for one piece's model: a window is followed up to
    // its piece's last base, and continues (joined below) in the next piece.
    const PiecewiseModel::Piece& piece = model.pieces[model.piece_from(a)];
    const double top = std::min(hi, piece.last);
    const WindowEnd w = window_end(piece.model, context, a, top, inner);
    const double end = w.end;
    if (std::isnan(end)) {
      out.stopped = true;
      return out;
    }
    const double e = std::min(end, top);
    if (!windows.empty() && a == std::nextafter(windows.back().second, kInf)) {
      windows.back().second = e;  // across a continuous piece boundary
    } else {
      windows.emplace_back(a, e);
    }
    if (e >= hi) break;
    b = std::nextafter(e, kInf);
    violator = w.violator;
  }
  if (monitor != nullptr && !monitor->keep_going(RangeMonitor::kTotal, RangeMonitor::kTotal)) {
    out.stopped = true;
  }
  return out;
}

}  // namespace ropebound
