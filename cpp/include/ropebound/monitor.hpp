// Progress reporting and cooperative cancellation for long kernels.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace ropebound {

// Polled by the calling thread only (OpenMP thread 0), every kPollInterval of
// work. Returning false asks the kernel to stop; it then returns early and
// reports that it did not finish.
class Monitor {
 public:
  virtual ~Monitor() = default;
  virtual bool keep_going(std::uint64_t done, std::uint64_t total) = 0;
};

inline constexpr std::chrono::milliseconds kPollInterval{50};

inline int thread_id() {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

// Whether the caller already runs inside an OpenMP parallel region (nested
// regions get one thread).
inline bool in_parallel() {
#ifdef _OPENMP
  return omp_in_parallel() != 0;
#else
  return false;
#endif
}

inline int max_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

// Runs body(item, worker) for item in [0, n_items) across OpenMP threads, worker
// being the thread number (for per-thread scratch). Each item must be
// independent of the others and of the thread that runs it: that is what makes
// results independent of the thread count. The body must not throw. Returns
// false when the monitor stopped the loop.
template <class Body>
bool parallel_for(std::int64_t n_items, Monitor* monitor, Body&& body) {
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> done{0};
#pragma omp parallel
  {
    const bool poller = thread_id() == 0 && monitor != nullptr;
    auto last_poll = std::chrono::steady_clock::now();
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t item = 0; item < n_items; ++item) {
      if (stop.load(std::memory_order_relaxed)) continue;
      body(item, thread_id());
      done.fetch_add(1, std::memory_order_relaxed);
      if (poller) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_poll >= kPollInterval) {
          last_poll = now;
          if (!monitor->keep_going(done.load(), n_items)) stop.store(true);
        }
      }
    }
  }
  if (stop.load()) return false;
  if (monitor != nullptr) return monitor->keep_going(n_items, n_items);
  return true;
}

}  // namespace ropebound
