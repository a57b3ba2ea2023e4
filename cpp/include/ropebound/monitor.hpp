// Progress reporting and cooperative cancellation for long kernels.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>

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

// The monitor of one parallel loop, handed to its items: a long item (one
// base's scan, say) passes it to its inner loop and so stops with the rest.
// The calling thread (OpenMP thread 0) polls the caller's monitor at most every
// kPollInterval, from between items or from inside its own item; every thread
// reads the shared stop flag. Progress reported is the loop's (items done).
class LoopMonitor final : public Monitor {
 public:
  LoopMonitor(Monitor* outer, std::int64_t total) : outer_(outer), total_(total) {}
  bool keep_going(std::uint64_t, std::uint64_t) override {
    poll();
    return !stopped();
  }
  void poll() {
    if (outer_ == nullptr || thread_id() != 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_poll_ < kPollInterval) return;
    last_poll_ = now;  // only thread 0 touches it
    const auto done = static_cast<std::uint64_t>(done_.load(std::memory_order_relaxed));
    if (!outer_->keep_going(done, static_cast<std::uint64_t>(total_))) stop();
  }
  void item_done() { done_.fetch_add(1, std::memory_order_relaxed); }
  std::int64_t items_done() const { return done_.load(std::memory_order_relaxed); }
  void stop() { stop_.store(true, std::memory_order_relaxed); }
  bool stopped() const { return stop_.load(std::memory_order_relaxed); }

 private:
  Monitor* outer_;
  std::int64_t total_;
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> done_{0};
  std::chrono::steady_clock::time_point last_poll_ = std::chrono::steady_clock::now();
};

// Runs body(item, worker, loop_monitor) for item in [0, n_items) across OpenMP
// threads, worker being the thread number (for per-thread scratch). Each item
// must be independent of the others and of the thread that runs it: that is
// what makes results independent of the thread count. The body must not
// throw (see FirstError). Returns false when the monitor stopped the loop.
template <class Body>
bool parallel_for_monitored(std::int64_t n_items, Monitor* monitor, Body&& body) {
  LoopMonitor loop(monitor, n_items);
#pragma omp parallel
  {
#pragma omp for schedule(dynamic, 1) nowait
    for (std::int64_t item = 0; item < n_items; ++item) {
      if (loop.stopped()) continue;
      body(item, thread_id(), loop);
      loop.item_done();
      loop.poll();
    }
    // The calling thread, out of items, keeps polling while others still run
    // theirs (long ones included), so Ctrl-C is never left unanswered.
    if (thread_id() == 0 && monitor != nullptr) {
      while (!loop.stopped() && loop.items_done() < n_items) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        loop.poll();
      }
    }
  }
  if (loop.stopped()) return false;
  if (monitor != nullptr) return monitor->keep_going(n_items, n_items);
  return true;
}

// The same for items short enough not to need the monitor: body(item, worker).
template <class Body>
bool parallel_for(std::int64_t n_items, Monitor* monitor, Body&& body) {
  return parallel_for_monitored(
      n_items, monitor, [&](std::int64_t item, int worker, LoopMonitor&) { body(item, worker); });
}

// The exception of the lowest-numbered failing item of a parallel loop, kept
// to be rethrown once the loop is over (an exception must not leave an OpenMP
// region). The lowest item, not the first in time: the same error whatever the
// thread count.
class FirstError {
 public:
  void capture(std::int64_t item) noexcept {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (item < item_) {
      item_ = item;
      error_ = std::current_exception();
    }
  }
  void rethrow() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::mutex mutex_;
  std::int64_t item_ = INT64_MAX;
  std::exception_ptr error_;
};

}  // namespace ropebound
