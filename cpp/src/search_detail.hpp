// Internals of the minimal-base search, shared by its files: scan.cpp (the
// certified scan), violator.cpp (where the next violator is), jump.cpp (the
// serial jump search over a piecewise model), parallel.cpp (threads: the
// scheduling of scans and searches), staircase.cpp (the chain of searches)
// and admissible.cpp (admissible windows).
// Not installed, not part of the API.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "ropebound/decay.hpp"
#include "ropebound/recurrence.hpp"
#include "ropebound/solver.hpp"
#include "ropebound/walk.hpp"

namespace ropebound::search {

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

// Runs body(k, worker) for k in [0, n): on every OpenMP thread when `parallel`
// (worker = thread id), else in order on the caller (worker = 0). The only
// place a scan meets threads (parallel.cpp).
void for_each_block(std::uint64_t n, bool parallel,
                    const std::function<void(std::uint64_t, int)>& body);

// The first (from_top: the last) m in [start, end) with B_m < 0 (scan.cpp).
// `abandon` (a parallel search's worker: is this pass still needed?) is asked
// after every wave and stops the scan like the monitor does.
FirstNegative scan_for_negative(const FrequencyTable& table, std::uint64_t start, std::uint64_t end,
                                bool parallel, Monitor* monitor, bool from_top,
                                const std::function<bool()>& abandon = {});

constexpr std::uint64_t kBlock = kBabySteps;  // distances per screened block

// Everything the search needs at one base. Reused from base to base: the
// vectors keep their storage.
struct BaseState {
  FrequencyTable table;
  ScreenRotation screen;
};

// Buffers of the local violator search, kept across bases.
struct LocalScratch {
  std::vector<float> values = std::vector<float>(kBabySteps);
  std::vector<std::pair<float, std::uint64_t>> deepest;      // (screened value, m)
  std::vector<std::pair<double, std::uint64_t>> candidates;  // (-rough reach, m)
  ScreenScratch screen;
  // Blocks whose screened minimum came out low (below kLowBlock) at some
  // recent base, where the search looks first when the previous violator's
  // neighbourhood runs dry: direct-mapped by block number (a block takes its
  // slot from whatever older block had it), cleared when screened high.
  struct LowBlock {
    std::uint64_t block = kNoBlock;
    float lowest = 0.0f;
  };
  static constexpr std::uint64_t kNoBlock = ~std::uint64_t{0};
  std::vector<LowBlock> low_blocks;
  std::vector<std::pair<float, std::uint64_t>> lowest_first;  // (lowest, block)
  // The far windows' block bound at the current base (made when first
  // needed) and its two runs of blocks, up and down from the centre.
  BlockBound bound;
  bool has_bound = false;
  BoundRun up, down{true};
  // When has_chosen: the walk is anchored at the returned violator and the
  // search's table, and chosen is its evaluation there (walk.at(0)).
  PhaseWalk walk;
  DecayDerivatives chosen;
  bool has_chosen = false;
  // The returned violator is the previous one, still negative where its walk
  // stopped: its jump walks to the root (stop fraction 0).
  bool to_root = false;
};

// Returned by the violator searches when the monitor asked to stop.
constexpr std::int64_t kStopped = -2;

// Some m < context with B_m(state.base) < 0, -1 when there is none, kStopped
// (violator.cpp).
std::int64_t local_violator(const BaseState& state, std::uint64_t context, std::int64_t hint,
                            bool screen_whole_context, const std::function<bool()>& abandon,
                            Poller& poller, LocalScratch& local, MinBaseResult& result);

// What one search shares with the other workers of a parallel search.
struct SearchLink {
  std::atomic<double> max_base{kMaxBase};  // lowered when another worker takes the top
  std::atomic<double> position{0.0};       // the current base
  std::atomic<std::int64_t> violator{-1};  // the latest violator (a hint for a split)
  const std::atomic<bool>* cancel = nullptr;
};

// The serial jump search over a piecewise model from start_base until an
// admissible base or link.max_base (jump.cpp).
MinBaseResult search(const PiecewiseModel& model, std::uint64_t context, double start_base,
                     Monitor* monitor, SearchLink& link, std::int64_t first_hint,
                     bool screen_whole_context);

}  // namespace ropebound::search
