// Where the next violator is: any negative distance near the previous one,
// screened in single precision and confirmed in double.
#include <algorithm>
#include <cmath>
#include <limits>

#include "search_detail.hpp"

namespace ropebound::search {

namespace {

// Candidates of one screened block that get rough derivatives and a rank.
constexpr std::size_t kRanked = 8;

// The memory of low blocks (LocalScratch::low_blocks). Once the windows
// around the previous violator run dry, the next violator is usually in a
// block that screened low some dozens of jumps earlier: at L = 2^22, ranking
// every block by its lowest screened value at a base 10 jumps back puts a
// block negative now first (median of 30 bases), and at a base 100 jumps back
// 6th, where the windows screened 200 blocks (median) to find one. Tried after
// the second window, the kLowChecked lowest remembered blocks cut
// min_base(2^24) on one thread from 13.4 M to 7.6 M screened blocks and from
// 810 k to 588 k jumps (a violator low enough to be remembered stays negative
// over a longer stretch of bases), 5.5 s to 3.5 s; 2^26: 150 M to 101 M
// blocks, 49.5 s to 33.3 s. A slot table rather than a sorted list: a block's
// slot is found in one step, and the search sorts only when it runs dry.
constexpr std::size_t kLowSlots = 4096;  // a power of 2
constexpr float kLowBlock = 2.0f;
constexpr std::size_t kLowChecked = 32;

void note_block(LocalScratch& local, std::uint64_t block, float lowest) {
  if (local.low_blocks.empty()) local.low_blocks.resize(kLowSlots);
  // Fibonacci hashing: neighbouring blocks land in different slots.
  const auto slot =
      static_cast<std::size_t>((block * 0x9E3779B97F4A7C15ull) >> 40) & (kLowSlots - 1);
  LocalScratch::LowBlock& entry = local.low_blocks[slot];
  if (lowest < kLowBlock) {
    entry = {block, lowest};
  } else if (entry.block == block) {
    entry.block = LocalScratch::kNoBlock;
  }
}

// Screens one block of the local search (see screen_block) and returns the
// best certified violator among up to kRanked: each screened candidate is
// confirmed by a rigorous evaluation (PhaseWalk::at(0), which anchors the
// jump's walk as well) and ranked by its estimated reach, the first root of
// g + g' h + g'' h^2 / 2 (any violator is a valid jump, a longer one saves
// jumps: about a quarter of them against Newton's -g/g'). `skip` (the violator just
// jumped past, at or near its root) is left to the caller. With a run (and
// local.bound made at this base), a block whose block_lower_bound is above
// the screen's tolerance is settled by it.
std::int64_t screen_scan(const BaseState& state, std::uint64_t first, std::uint64_t count,
                         std::uint64_t skip, LocalScratch& local, MinBaseResult& result,
                         BoundRun* run = nullptr) {
  if (run != nullptr) {
    const double bound = block_lower_bound(local.bound, first, *run, kScreenTolerance);
    if (bound >= kScreenTolerance) {
      // No candidate. A block bounded below 2 may still be low: its slot is
      // left as it was (skipping those too, rather than screening them for
      // their lowest value, saved 6% at 2^26 and changed the jumps by 0.6%).
      ++result.block_evaluations;
      if (bound >= kLowBlock) note_block(local, first / kBlock, kLowBlock);
      return -1;
    }
  }
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
  // Most blocks hold no candidate, and most are not even low: vectorised
  // tests first (a running minimum does not vectorise, for NaN's sake).
  int low = 0;
  for (std::uint64_t j = 0; j < count; ++j) low |= values[j] < kLowBlock ? 1 : 0;
  float lowest = kLowBlock;
  if (low != 0) {
    for (std::uint64_t j = 0; j < count; ++j) lowest = std::min(lowest, values[j]);
  }
  note_block(local, first / kBlock, lowest);
  if (!(lowest < kScreenTolerance)) return -1;
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

}  // namespace

// Some m < context with B_m(state.base) < 0, or -1 when there is none: windows
// of blocks growing around the previous violator (violators cluster where B
// first dips below zero), screened in single precision, every candidate
// confirmed in double. Only a rigorous parallel pass over all distances can
// answer -1 (certify the base): it serves the first call (no previous
// violator) and whatever the windows, up to the context's size, did not find.
std::int64_t local_violator(const BaseState& state, std::uint64_t context, std::int64_t hint,
                            bool screen_whole_context, const std::function<bool()>& abandon,
                            Poller& poller, LocalScratch& local, MinBaseResult& result) {
  local.has_chosen = false;
  local.to_root = false;
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
    int window = 0;
    local.has_bound = false;
    local.up.next = local.down.next = BoundRun::kNone;
    for (std::uint64_t behind = 4, ahead = 12; done_lo > 0 || done_hi < n_blocks;
         behind *= 8, ahead *= 8) {
      const std::uint64_t lo = center > behind ? center - behind : 0;
      const std::uint64_t hi = std::min(n_blocks, center + ahead);
      if (!screen_whole_context && 2 * (hi - lo) > n_blocks) break;
      const std::uint64_t reach = std::max(center - lo, hi - center);
      for (std::uint64_t step = 0; step <= 2 * reach; ++step) {
        // centre, +1, -1, +2, -2, ...
        const std::uint64_t off = (step + 1) / 2;
        if (step % 2 == 0 ? center + off >= hi : off > center || center - off < lo) continue;
        const std::uint64_t k = step % 2 == 0 ? center + off : center - off;
        if (k >= done_lo && k < done_hi) continue;
        const std::uint64_t first = k * kBlock;
        // Where the windows run long (near b*) most blocks lie far above
        // zero: past the first window, a cheap lower bound settles those.
        // (In the first, where most searches end after a block or two, making
        // the bound at every base cost more than it saved: 2^20 0.091 s ->
        // 0.102 s, 2^24 3.04 s -> 3.25 s on one thread.)
        BoundRun* run = nullptr;
        if (window > 0) {
          if (!local.has_bound) make_block_bound(state.table, local.bound);
          local.has_bound = true;
          run = k > center ? &local.up : &local.down;
        }
        const std::int64_t found = screen_scan(state, first, std::min(kBlock, context - first),
                                               previous, local, result, run);
        if (found >= 0) return found;
        // A window over a huge context takes seconds: keep Ctrl-C responsive.
        if ((step & 1023) == 1023 && !poller.keep_going(first, context)) return kStopped;
      }
      if (done_lo == done_hi) {
        // The first window is clean: the previous violator may still be
        // negative (its walk stops short of its root). Then no violator near
        // it is left to take over the rest of its interval: the jump goes on
        // to its root (at L = 2^20 this cut the re-jumps by 43-44%: plain
        // 1063 -> 595, llama3 3659 -> 2081, each one a base that screened the
        // whole window).
        local.has_chosen = false;
        const Sign sign =
            certified_sign(previous, state.table, 0.0, std::numeric_limits<double>::infinity());
        if (sign == Sign::kNegative) {
          local.to_root = true;
          return hint;
        }
      }
      if (window == 1) {
        // The second window is clean too: the lowest remembered blocks outside
        // it, lowest first. (After the first window this cost more blocks
        // than it saved up to L = 2^20, where the second window usually finds
        // one.)
        auto& order = local.lowest_first;
        order.clear();
        for (const LocalScratch::LowBlock& entry : local.low_blocks) {
          if (entry.block != LocalScratch::kNoBlock && (entry.block < lo || entry.block >= hi) &&
              entry.block < n_blocks) {
            order.push_back({entry.lowest, entry.block});
          }
        }
        const std::size_t checked = std::min(order.size(), kLowChecked);
        std::partial_sort(order.begin(), order.begin() + checked, order.end());
        order.resize(checked);
        for (const auto& [lowest, k] : order) {
          const std::uint64_t first = k * kBlock;
          const std::int64_t found =
              screen_scan(state, first, std::min(kBlock, context - first), previous, local, result);
          if (found >= 0) return found;
        }
      }
      ++window;
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

}  // namespace ropebound::search
