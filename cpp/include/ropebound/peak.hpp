// A trivial fused-multiply-add loop, to put kernel throughput in proportion.
#pragma once

#include <cstdint>

namespace ropebound {

struct PeakResult {
  double fma_per_second = 0.0;  // scalar FMA lanes per second, all threads together
  int threads = 1;
};

// Runs independent vector FMA chains on every OpenMP thread for about `seconds`.
PeakResult measure_fma_peak(double seconds);

}  // namespace ropebound
