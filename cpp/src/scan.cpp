// The certified scan: the first (or last) distance with B_m < 0 at one base,
// by the rigorous recurrence, every sign near zero settled by certified_sign.
#include <algorithm>
#include <vector>

#include "search_detail.hpp"

namespace ropebound {

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

namespace search {

namespace {

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

// Super-blocks of the rigorous recurrence in waves (spread over threads by
// for_each_block), ordered from the scan's starting end, so the answer does
// not depend on which thread found what.
FirstNegative scan_for_negative(const FrequencyTable& table, std::uint64_t start, std::uint64_t end,
                                bool parallel, Monitor* monitor, bool from_top,
                                const std::function<bool()>& abandon) {
  FirstNegative result;
  if (end <= start) return result;
  const Rotation rot = make_rotation(table);
  const ArcCertificate certificate = make_arc_certificate(table, rot, end - 1);
  const double error = certificate.recurrence_error;
  const std::uint64_t n_blocks = (end - start + kSuperBlock - 1) / kSuperBlock;
  Poller poller(monitor);
  // Inside a parallel search's worker the pass runs on that thread alone.
  if (in_parallel()) parallel = false;
  const int threads = parallel ? max_threads() : 1;
  // Waves grow from one super-block to 4 per thread: a scan that stops early
  // (a first negative just past `start`, a critical distance just below
  // `end`) pays for one super-block, not a full wave. With full waves only,
  // such short scans made up a quarter of staircase(2^20)'s passes.
  const std::uint64_t wave = parallel ? static_cast<std::uint64_t>(4 * threads) : 1;
  std::vector<CurveScratch> scratch(static_cast<std::size_t>(threads));
  std::vector<std::vector<double>> buffers(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    scratch[t].reserve(rot);
    buffers[t].resize(kSuperBlock);
  }
  std::vector<SegmentScan> hits(wave);
  std::uint64_t size = 1;
  for (std::uint64_t w0 = 0; w0 < n_blocks; w0 += size, size = std::min(wave, 2 * size)) {
    const std::uint64_t w_end = std::min(n_blocks, w0 + size);
    // k counts blocks from the scan's starting end.
    auto scan_block = [&](std::uint64_t k, int worker) {
      const std::uint64_t b = from_top ? n_blocks - 1 - k : k;
      const std::uint64_t first = start + b * kSuperBlock;
      const std::uint64_t count = std::min<std::uint64_t>(kSuperBlock, end - first);
      double* buf = buffers[worker].data();
      certified_segment(table, rot, first, count, buf, scratch[worker], certificate);
      hits[k - w0] = scan_values(table, buf, first, count, error, from_top);
    };
    for_each_block(w_end - w0, parallel && w_end - w0 > 1,
                   [&](std::uint64_t k, int worker) { scan_block(w0 + k, worker); });
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

}  // namespace search

FirstNegative first_negative(const FrequencyTable& table, std::uint64_t start, std::uint64_t end,
                             bool parallel, Monitor* monitor) {
  return search::scan_for_negative(table, start, end, parallel, monitor, false);
}

}  // namespace ropebound
