// Built with contraction on: a * x + y below must become one FMA instruction.
#include "ropebound/peak.hpp"

#include <chrono>

#include "ropebound/monitor.hpp"

namespace ropebound {

namespace {
typedef double v4 __attribute__((vector_size(32)));
constexpr int kChains = 12;  // enough independent chains to cover FMA latency x 2 pipes
constexpr std::int64_t kInner = 1 << 16;
}  // namespace

PeakResult measure_fma_peak(double seconds) {
  PeakResult result;
  double total_fma = 0.0;
  double elapsed = 0.0;
  volatile double sink = 0.0;
#pragma omp parallel reduction(+ : total_fma) reduction(max : elapsed)
  {
    v4 acc[kChains];
    for (int c = 0; c < kChains; ++c) acc[c] = v4{1.0, 1.0, 1.0, 1.0} * (1.0 + c * 1e-3);
    const v4 a = {0.999999, 0.999999, 0.999999, 0.999999};
    const v4 y = {1e-6, 1e-6, 1e-6, 1e-6};
    const auto t0 = std::chrono::steady_clock::now();
    double local = 0.0;
    double dt = 0.0;
    do {
      for (std::int64_t k = 0; k < kInner; ++k) {
        for (int c = 0; c < kChains; ++c) acc[c] = acc[c] * a + y;
      }
      local += static_cast<double>(kInner) * kChains * 4;
      dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } while (dt < seconds);
    double keep = 0.0;
    for (int c = 0; c < kChains; ++c) keep += acc[c][0] + acc[c][3];
    sink = sink + keep;
    total_fma += local;
    elapsed = dt;
  }
  (void)sink;
  result.threads = max_threads();
  result.fma_per_second = total_fma / elapsed;
  return result;
}

}  // namespace ropebound
