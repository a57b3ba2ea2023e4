// Admissible windows: from an admissible base, certified steps up to the end
// of its window, and every window of a range by alternating with the search.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "search_detail.hpp"

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

namespace {

// The largest double e >= a with every base in [a, e] admissible under one
// piece's model, or a value >= top once the steps pass it (NaN: stopped).
double window_end(const FrequencyModel& model, std::uint64_t context, double a, double top,
                  Monitor* monitor) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  FrequencyTable table;
  double x = a;
  for (;;) {
    model_table_into(model, x, table);
    const AdmissibleStep s = admissible_step(table, context, monitor);
    if (s.stopped) return std::numeric_limits<double>::quiet_NaN();
    if (!s.admissible) {
      throw std::logic_error("internal: the start of an admissible run is not admissible");
    }
    // x e^step, rounded down with room for exp's and the products' roundings.
    double next =
        s.step > 0.0 ? std::nextafter(x * std::exp(s.step) * (1.0 - 4.0 * kUnitRoundoff), 0.0) : x;
    if (next <= x) {
      // Steps below one ulp: the next double decides.
      next = std::nextafter(x, kInf);
      const FirstNegative f = first_negative(model_table(model, next), 0, context, true, monitor);
      if (f.stopped) return std::numeric_limits<double>::quiet_NaN();
      if (f.distance >= 0) return x;
    }
    x = next;
    if (x >= top) return x;
  }
}

}  // namespace

AdmissibleWindows admissible_windows(const PiecewiseModel& model, std::uint64_t context, double lo,
                                     double hi, Monitor* monitor) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  AdmissibleWindows out;
  auto& windows = out.windows;
  double b = lo;
  while (b <= hi) {
    const MinBaseResult r = min_base_search(model, context, b, false, monitor, hi);
    if (r.stopped) {
      out.stopped = true;
      return out;
    }
    if (r.exhausted || r.base > hi) break;
    const double a = r.base;
    // Steps are certified for one piece's model: a window is followed up to
    // its piece's last base, and continues (joined below) in the next piece.
    const PiecewiseModel::Piece& piece = model.pieces[model.piece_from(a)];
    const double top = std::min(hi, piece.last);
    const double end = window_end(piece.model, context, a, top, monitor);
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
  }
  return out;
}

}  // namespace ropebound
