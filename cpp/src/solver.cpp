#include "ropebound/solver.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "ropebound/dd.hpp"
#include "ropebound/decay.hpp"
#include "ropebound/recurrence.hpp"

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

 private:
  Monitor* monitor_;
  Clock::time_point last_;
};

struct SegmentScan {
  std::int64_t first = -1;
  std::uint64_t unknown = 0;
};

// First certified-negative distance among out[0..count) = B_{first..}.
SegmentScan scan_values(const FrequencyTable& table, const double* values, std::uint64_t first,
                        std::uint64_t count, double error) {
  SegmentScan scan;
  for (std::uint64_t k = 0; k < count; ++k) {
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

FirstNegative first_negative(const FrequencyTable& table, std::uint64_t start, std::uint64_t end,
                             bool parallel, Monitor* monitor) {
  FirstNegative result;
  if (end <= start) return result;
  const Rotation rot = make_rotation(table);
  const double error =
      recurrence_error_bound(table, rot, end - 1, kGiantSteps - 1, kBabySteps - 1);
  const std::uint64_t n_blocks = (end - start + kSuperBlock - 1) / kSuperBlock;
  Poller poller(monitor);
  const int threads = parallel ? max_threads() : 1;
  // A wave of blocks is scanned in parallel; the smallest hit of the earliest
  // wave with a hit is the answer whatever thread found what.
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
    auto scan_block = [&](std::uint64_t b, int worker) {
      const std::uint64_t first = start + b * kSuperBlock;
      const std::uint64_t count = std::min<std::uint64_t>(kSuperBlock, end - first);
      double* buf = buffers[worker].data();
      curve_segment(table, rot, first, count, buf, scratch[worker]);
      hits[b - w0] = scan_values(table, buf, first, count, error);
    };
    if (parallel) {
      const auto n = static_cast<std::int64_t>(w_end - w0);
#pragma omp parallel for schedule(dynamic, 1)
      for (std::int64_t k = 0; k < n; ++k) scan_block(w0 + static_cast<std::uint64_t>(k), thread_id());
    } else {
      scan_block(w0, 0);
    }
    for (std::uint64_t b = w0; b < w_end; ++b) {
      const SegmentScan& hit = hits[b - w0];
      result.unknown += hit.unknown;
      if (hit.first >= 0) {
        result.distance = hit.first;
        return result;
      }
    }
    if (!poller.keep_going(w_end * kSuperBlock, end - start)) {
      result.stopped = true;
      return result;
    }
  }
  return result;
}

namespace {

constexpr std::uint64_t kBlock = kBabySteps;  // distances per certificate block
constexpr std::uint64_t kGroupBlocks = 64;    // blocks per group certificate

// Everything the search needs at one base.
struct BaseState {
  double base = 0.0;
  FrequencyTable table;
  Rotation rot;
  double block_error = 0.0;
  double rate_bound = 0.0;  // sum_i slope_abs_i: |dB_m/du| <= m * rate_bound

  BaseState(const FrequencyModel& model, double b, std::uint64_t context)
      : base(b), table(model_table(model, b)), rot(make_rotation(table, false)) {
    block_error = recurrence_error_bound(table, rot, context - 1, 0, kBabySteps - 1);
    for (double s : table.slope_abs) rate_bound += s;
  }
};

// Smallest base > state.base such that B_m < 0 on every double in
// [state.base, result): the end of m's interval of negativity, approached by
// steps certified by g(u+h) <= g(u) + g'(u) h + M h^2 / 2 with M a bound on
// |g''| for all larger u. Returns a base where B_m is not certified negative.
double jump_past(const FrequencyModel& model, std::uint64_t m, const BaseState& state,
                 MinBaseResult& stats) {
  constexpr double u = kUnitRoundoff;
  double b = state.base;
  FrequencyTable table = state.table;
  for (;;) {
    const DecayDerivatives d = decay_derivatives(m, table);
    ++stats.jump_evaluations;
    double upper = d.value.value + d.value.error;
    if (upper >= 0.0) {
      const Bounded precise = decay_sum_precise(m, table);
      upper = precise.value + precise.error;
      if (upper >= 0.0) return b;
    }
    const double slope_upper = d.slope + d.slope_error;
    const double curvature = d.curvature_bound;
    double h;
    if (curvature > 0.0) {
      // Positive root of curvature/2 h^2 + slope_upper h + upper = 0, in the
      // form that does not cancel.
      h = 2.0 * (-upper) /
          (slope_upper + std::sqrt(slope_upper * slope_upper - 2.0 * curvature * upper));
    } else {
      h = slope_upper > 0.0 ? -upper / slope_upper : 1.0;
    }
    h = std::min(h, 1.0) * (1.0 - 1e-9);
    // Round the new base down: fl(b * fl(exp(h))) <= b e^h (1 + u)^2 (libm within
    // one ulp), so (1 - 4u) and one step down keep it below b e^h.
    double next = std::nextafter(b * std::exp(h) * (1.0 - 4.0 * u), 0.0);
    if (!(next > b)) next = std::nextafter(b, std::numeric_limits<double>::infinity());
    b = next;
    if (b > kMaxBase) return b;
    table = model_table(model, b);
  }
}

}  // namespace

MinBaseResult min_base_search(const FrequencyModel& model, std::uint64_t context,
                              double start_base, Monitor* monitor) {
  MinBaseResult result;
  const std::uint64_t n_blocks = (context + kBlock - 1) / kBlock;
  const std::uint64_t n_groups = (n_blocks + kGroupBlocks - 1) / kGroupBlocks;
  // expire[k]: block k is certified non-negative for every base below it.
  std::vector<double> expire(n_blocks, 0.0), group_expire(n_groups, 0.0);
  std::vector<double> values(kBlock);
  Poller poller(monitor);
  std::uint64_t largest_first = 0;  // largest first violator seen so far
  double b = start_base;

  for (;;) {
    if (b > kMaxBase) {
      result.exhausted = true;
      return result;
    }
    const BaseState state(model, b, context);
    CurveScratch scratch;
    scratch.reserve(state.rot);

    // First violator at b: skip blocks whose certificates still hold.
    std::int64_t violator = -1;
    for (std::uint64_t g = 0; g < n_groups && violator < 0; ++g) {
      if (b < group_expire[g]) continue;
      const std::uint64_t k_end = std::min(n_blocks, (g + 1) * kGroupBlocks);
      double group_min = std::numeric_limits<double>::infinity();
      for (std::uint64_t k = g * kGroupBlocks; k < k_end; ++k) {
        if (b >= expire[k]) {
          const std::uint64_t first = k * kBlock;
          const std::uint64_t count = std::min(kBlock, context - first);
          curve_segment(state.table, state.rot, first, count, values.data(), scratch);
          ++result.block_evaluations;
          double margin = std::numeric_limits<double>::infinity();
          for (std::uint64_t j = 0; j < count; ++j) {
            const double lower = values[j] - state.block_error;
            if (lower >= 0.0) {
              margin = std::min(margin, lower);
              continue;
            }
            const Sign sign = certified_sign(first + j, state.table, values[j], state.block_error);
            if (sign == Sign::kNegative) {
              violator = static_cast<std::int64_t>(first + j);
              break;
            }
            if (sign == Sign::kUnknown) result.certified = false;
            margin = 0.0;
          }
          if (violator >= 0) {
            expire[k] = 0.0;
            group_min = 0.0;
            break;
          }
          // |B_m(u') - B_m(u)| <= m * rate_bound * (u' - u) for u' >= u.
          const double rate = static_cast<double>(first + count - 1) * state.rate_bound;
          expire[k] = margin > 0.0 && rate > 0.0
                          ? b * std::exp(margin / rate) * (1.0 - 1e-12)
                          : (margin > 0.0 ? std::numeric_limits<double>::infinity() : b);
        }
        group_min = std::min(group_min, expire[k]);
      }
      group_expire[g] = group_min;
    }

    if (violator < 0) {
      result.base = b;
      if (context > largest_first || result.staircase.empty()) {
        result.staircase.push_back({context, b, result.critical_distance});
      }
      return result;
    }
    const auto f = static_cast<std::uint64_t>(violator);
    if (f > largest_first) {
      result.staircase.push_back({f, b, result.critical_distance});
      largest_first = f;
    }
    b = jump_past(model, f, state, result);
    result.critical_distance = violator;
    ++result.jumps;
    if (!poller.keep_going(largest_first, context)) {
      result.stopped = true;
      return result;
    }
  }
}

}  // namespace ropebound
