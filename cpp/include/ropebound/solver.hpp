// Certified bound solvers: the max context of a base, and the exact minimal
// base of a context length (with the staircase of all smaller contexts).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "ropebound/frequencies.hpp"
#include "ropebound/monitor.hpp"

namespace ropebound {

enum class Sign { kNegative, kNonNegative, kUnknown };

// Sign of B_m from an estimate with a bound, escalating to decay_sum and then
// to decay_sum_precise while |value| is within the bound. Every evaluator is
// rigorous, so any two decisions agree: no search can loop on contradictions.
Sign certified_sign(std::uint64_t m, const FrequencyTable& table, double estimate,
                    double estimate_error);

struct FirstNegative {
  std::int64_t distance = -1;  // smallest m in the range with B_m < 0, -1 if none
  std::uint64_t unknown = 0;   // distances whose sign no evaluator could settle
  bool stopped = false;        // the monitor stopped the scan
};

// Smallest m in [start, end) with B_m < 0. `parallel` spreads blocks of 4096
// distances over OpenMP threads (in waves, so the answer does not depend on the
// thread count); otherwise the scan runs on the calling thread.
FirstNegative first_negative(const FrequencyTable& table, std::uint64_t start, std::uint64_t end,
                             bool parallel, Monitor* monitor);

struct StaircaseStep {
  std::uint64_t context = 0;  // b*(L) = base for previous context < L <= context
  double base = 0.0;
  std::int64_t critical_distance = -1;
};

struct MinBaseResult {
  double base = 0.0;                    // smallest admissible double >= start_base
  std::int64_t critical_distance = -1;  // the m whose interval of negativity ends at base
  bool certified = true;                // false if some sign could not be settled
  bool exhausted = false;               // no admissible base <= kMaxBase
  bool stopped = false;                 // the monitor stopped the search
  std::uint64_t jumps = 0;
  std::uint64_t jump_evaluations = 0;    // decay_derivatives calls while jumping
  std::uint64_t walk_evaluations = 0;    // PhaseWalk evaluations while jumping
  std::uint64_t block_evaluations = 0;   // blocks of 64 distances screened
  std::uint64_t full_passes = 0;         // certified passes over the distances
  std::vector<StaircaseStep> staircase;  // staircase_search only
};

// b*(L) = min { b >= start_base : B_m(b) >= 0 for all m < context }.
//
// Invariant (what makes the result a proof): every double in
// [start_base, current base) has been shown to have some m < context with
// B_m < 0. A jump past a violating m moves the base only across an interval on
// which B_m stays certified negative (Taylor bounds whose derivative bounds
// hold for all larger bases, evaluated exactly at the start of the jump and by
// the PhaseWalk of walk.hpp beyond it); the search ends at a base where a
// rigorous pass finds no m < context negative, and that base is therefore the
// smallest admissible one.
//
// The violator is any negative distance, looked for near the previous one
// first (options.first_hint for the first base; single-precision screening,
// candidates confirmed in double, the longest-looking interval of negativity
// preferred).
// The search crosses the pieces of a piecewise model itself (a jump never
// reaches past its piece's last base: its proof holds for that piece's model)
// and gives up (exhausted = true) once the base passes options.max_base. A b*
// at the first base of a piece after start_base has no critical distance (-1).
//
// The search runs on options.workers threads once the context
// is large enough to pay for it: the base axis is cut into segments searched
// concurrently (see parallel.cpp). The base found is the same for any number
// of workers, and so is the critical distance, which is reported
// canonically: the largest m < context negative at the double just below the
// base.
struct SearchOptions {
  double max_base = kMaxBase;    // give up (exhausted) past this base
  int workers = 0;               // threads for the segments; 0: OpenMP's maximum
  std::int64_t first_hint = -1;  // a distance likely negative at start_base; -1: none known
  // Whether the float screen around the previous violator may grow to the
  // whole context before the rigorous pass, or stops at half of it. The whole
  // suits one search (most bases have a violator somewhere); the staircase's
  // short searches end at a base that needs the rigorous pass anyway, once
  // per step: at L = 2^20 the half screen made the staircase 12% faster.
  bool screen_whole_context = true;
};

MinBaseResult min_base_search(const PiecewiseModel& model, std::uint64_t context, double start_base,
                              Monitor* monitor, const SearchOptions& options = {});

// Every step of L -> b*(L) for L <= context from start_base (staircase.cpp):
// step (f, b, c) says b*(L) = b for every L after the previous step's f up to
// f, c being b's critical distance as min_base_search reports it for the
// smallest of those L; the last step has f = context. The first step is the
// start base itself (its f is its first negative distance; critical -1).
// Built as a chain of warm-started min_base_search calls, each followed by a
// certified scan for the new base's first negative distance; the counts in
// the result are the chain's totals.
MinBaseResult staircase_search(const PiecewiseModel& model, std::uint64_t context,
                               double start_base, Monitor* monitor, double max_base = kMaxBase);

// Every window [a, e] of admissible doubles inside [lo, hi]: left ends by the
// search (started past the previous window), right ends by certified steps
// within one piece (admissible.cpp); windows that run across a continuous piece
// boundary are joined. The doubles just outside a window (inside [lo, hi]) are
// not admissible. stopped = true when the monitor asked to stop.
struct AdmissibleWindows {
  std::vector<std::pair<double, double>> windows;
  bool stopped = false;
};
AdmissibleWindows admissible_windows(const PiecewiseModel& model, std::uint64_t context, double lo,
                                     double hi, Monitor* monitor = nullptr);

}  // namespace ropebound
