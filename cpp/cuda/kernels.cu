// CUDA kernels of the optional backend, their host emulation, and the host
// drivers (decay_curve, violator scan, max_context for many bases).
//
// Kernel geometry (see device_math.cuh): a CUDA block = one super-block of 4096
// consecutive distances of one frequency table; thread j covers distances
// S + 32j ... S + 32j + 31. Per group of 16 pairs, 16 threads compute the exact
// double-double seeds (cos, sin)(S*theta) into shared memory; every thread then
// jumps by R(32j*theta) (precomputed exactly per table) and takes up to 31 baby
// steps R(theta), adding the group's 16 cosines as a depth-4 tree into one
// accumulator per distance.
//
// Error bound (curve_error_bound). With the CPU's notation (decay_curve.cpp):
// a rotation with coefficients off by eta per component, computed as one
// product and one fma per component, adds at most sqrt2*eta + 2.83u(1+eta) to a
// pair's vector error. A pair's cosine is reached from an exact seed (error
// <= eta_seed, from sincos_error_upper) by one jump and at most kThreadSpan - 1 = 31 baby
// steps: per pair
//   sqrt2*eta_seed + (sqrt2*eta_jump + 2.83u*1.01) + 31 (sqrt2*eta_1 + 2.83u*1.01).
// The CPU allows 63 giant and 63 baby steps, with eta_giant ~ eta_jump ~ eta_1
// ~ kLibmErr: the GPU's per-pair term is about a quarter of the CPU's. The
// summation has the CPU's depth exactly: a depth-4 tree per group of 16, one
// accumulation per group, one addition of the constant: h = groups + 5.
// curve_error_bound computes this bound; decay_curve checks per call that it
// does not exceed the CPU's decay_curve_error_bound, so the CUDA path honours
// the very bound the CPU path states.
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "device_math.cuh"
#include "ropebound/decay.hpp"
#include "ropebound/solver.hpp"
#include "ropebound_cuda.hpp"

namespace ropebound::cuda {

namespace cd = cuda_detail;

// Every CUDA runtime call goes through this: a failure becomes a CudaError
// (a std::runtime_error, hence a Python RuntimeError) naming the call.
#define RB_CUDA_CHECK(call)                                                                   \
  do {                                                                                        \
    const cudaError_t rb_err_ = (call);                                                       \
    if (rb_err_ != cudaSuccess) {                                                             \
      throw CudaError(std::string(#call) + " failed: " + cudaGetErrorString(rb_err_) + " (" + \
                      __FILE__ + ":" + std::to_string(__LINE__) + ")");                       \
    }                                                                                         \
  } while (0)

// A kernel launch is checked twice: the launch itself (bad configuration) and
// its completion (faults inside the kernel).
#define RB_CUDA_CHECK_LAUNCH()              \
  do {                                      \
    RB_CUDA_CHECK(cudaGetLastError());      \
    RB_CUDA_CHECK(cudaDeviceSynchronize()); \
  } while (0)

namespace {

constexpr std::uint64_t kNone = std::numeric_limits<std::uint64_t>::max();
constexpr int kJumps = cd::kThreadsPerBlock;
// Geometry's defaults: 2^16 blocks per launch are ~2^28 pair-distance rotations
// for d = 128, a few milliseconds on a large GPU; 2^26 distances per curve chunk
// bound the device output buffer (512 MiB).
// Capacity of the device list of uncertain distances per scan.
constexpr std::uint64_t kUncertainCapacity = std::uint64_t{1} << 20;
// Device memory for frequency tables and their jump coefficients per batch.
constexpr std::size_t kTableBudgetBytes = std::size_t{1} << 30;

// Pointers to T tables of `pairs` pairs each, padded to `padded` (a multiple of
// kGroupPairs) with zero entries; device or host memory alike.
struct Tables {
  const double* hi = nullptr;        // [T * padded]
  const double* lo = nullptr;        // [T * padded]
  const double* constant = nullptr;  // [T]
  const double* baby_c = nullptr;    // [T * padded]: cos(theta)
  const double* baby_s = nullptr;
  const double* jump_c = nullptr;  // [T * padded * kJumps]: cos(32 j theta)
  const double* jump_s = nullptr;
  int pairs = 0;
  int padded = 0;
};

struct CoefficientOut {
  double* baby_c;
  double* baby_s;
  double* jump_c;
  double* jump_s;
};

// Entry idx of the jump table (and, for j == 0, of the baby-step table).
RB_HD void coefficient_entry(const Tables& tb, const CoefficientOut& out, std::int64_t idx) {
  const std::int64_t tp = idx / kJumps;
  const int j = static_cast<int>(idx % kJumps);
  const int p = static_cast<int>(tp % tb.padded);
  double c = 0.0, s = 0.0;
  if (p < tb.pairs)
    cd::exact_sincos(static_cast<double>(j * cd::kThreadSpan), tb.hi[tp], tb.lo[tp], &c, &s);
  out.jump_c[idx] = c;
  out.jump_s[idx] = s;
  if (j == 0) {
    double bc = 0.0, bs = 0.0;
    if (p < tb.pairs) cd::exact_sincos(1.0, tb.hi[tp], tb.lo[tp], &bc, &bs);
    out.baby_c[tp] = bc;
    out.baby_s[tp] = bs;
  }
}

// Exact seed of pair p of table t at distance S; zero for padding pairs, which
// then stay zero through every rotation and add nothing.
RB_HD void seed_entry(const Tables& tb, int t, int p, double S, double* c, double* s) {
  if (p < tb.pairs) {
    const std::int64_t tp = static_cast<std::int64_t>(t) * tb.padded + p;
    cd::exact_sincos(S, tb.hi[tp], tb.lo[tp], c, s);
  } else {
    *c = 0.0;
    *s = 0.0;
  }
}

// Thread j's work on group g: jump from the shared seeds, then kThreadSpan
// distances of baby steps, accumulating the group's cosines per distance.
RB_HD void thread_group(const Tables& tb, int t, int g, int j, const double* seed_c,
                        const double* seed_s, double* acc) {
  double c[cd::kGroupPairs], s[cd::kGroupPairs], bc[cd::kGroupPairs], bs[cd::kGroupPairs];
#pragma unroll
  for (int q = 0; q < cd::kGroupPairs; ++q) {
    const std::int64_t tp = static_cast<std::int64_t>(t) * tb.padded + g * cd::kGroupPairs + q;
    c[q] = seed_c[q];
    s[q] = seed_s[q];
    cd::rotate(c[q], s[q], tb.jump_c[tp * kJumps + j], tb.jump_s[tp * kJumps + j]);
    bc[q] = tb.baby_c[tp];
    bs[q] = tb.baby_s[tp];
  }
#pragma unroll
  for (int k = 0; k < cd::kThreadSpan; ++k) {
    // Depth-4 tree, as the CPU's (c0 + c1) + (c2 + c3) over 4-wide vectors.
    double level[8];
#pragma unroll
    for (int q = 0; q < 8; ++q) level[q] = cd::add(c[2 * q], c[2 * q + 1]);
#pragma unroll
    for (int q = 0; q < 4; ++q) level[q] = cd::add(level[2 * q], level[2 * q + 1]);
    const double sum = cd::add(cd::add(level[0], level[1]), cd::add(level[2], level[3]));
    acc[k] = cd::add(acc[k], sum);
    if (k + 1 < cd::kThreadSpan) {
#pragma unroll
      for (int q = 0; q < cd::kGroupPairs; ++q) cd::rotate(c[q], s[q], bc[q], bs[q]);
    }
  }
}

template <class Sink>
RB_HD void finish_thread(const Tables& tb, std::int64_t task, int t, std::uint64_t S, int j,
                         std::uint64_t hi, const double* acc, const Sink& sink) {
  const std::uint64_t m0 = S + static_cast<std::uint64_t>(j) * cd::kThreadSpan;
  const double constant = tb.constant[t];
#pragma unroll
  for (int k = 0; k < cd::kThreadSpan; ++k) {
    const std::uint64_t m = m0 + static_cast<std::uint64_t>(k);
    if (m < hi) sink(task, m, cd::add(constant, acc[k]));
  }
}

struct WriteSink {
  double* out;  // out[m - lo]
  std::uint64_t lo;
  RB_HD void operator()(std::int64_t, std::uint64_t m, double v) const { out[m - lo] = v; }
};

// Classifies B_m against the task's bound: value < -bound is a certified
// negative (keep the smallest), |value| <= bound (or NaN) is uncertain and
// goes to the host, anything else is certified positive and dropped.
struct ScanSink {
  const double* bounds;       // [tasks]
  unsigned long long* first;  // [tasks], kNone when none
  unsigned long long* n_uncertain;
  std::int32_t* uncertain_task;
  std::uint64_t* uncertain_m;
  std::uint64_t capacity;
  RB_HD void operator()(std::int64_t task, std::uint64_t m, double v) const {
    const double bound = bounds[task];
    if (v < -bound) {
#ifdef __CUDA_ARCH__
      atomicMin(first + task, static_cast<unsigned long long>(m));
#else
      first[task] = std::min<unsigned long long>(first[task], m);
#endif
    } else if (!(v > bound)) {
#ifdef __CUDA_ARCH__
      const unsigned long long slot = atomicAdd(n_uncertain, 1ULL);
#else
      const unsigned long long slot = (*n_uncertain)++;
#endif
      if (slot < capacity) {
        uncertain_task[slot] = static_cast<std::int32_t>(task);
        uncertain_m[slot] = m;
      }
    }
  }
};

// --- device kernels -------------------------------------------------------------
__global__ void coefficient_kernel(Tables tb, CoefficientOut out, std::int64_t n) {
  const std::int64_t idx = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx < n) coefficient_entry(tb, out, idx);
}

// Block (block_offset + blockIdx.x) = super-block (block % per_task) of task
// (block / per_task); task_table maps tasks to tables (nullptr: table 0). The
// host emulation decodes its blocks with the same function.
struct BlockOrigin {
  std::int64_t task;
  std::uint64_t S;
};
__host__ __device__ inline BlockOrigin block_origin(std::int64_t block, std::int64_t per_task,
                                                    std::uint64_t lo) {
  return {block / per_task,
          lo + static_cast<std::uint64_t>(block % per_task) * cd::kSuperBlockSize};
}

template <class Sink>
__global__ void __launch_bounds__(cd::kThreadsPerBlock)
    curve_kernel(Tables tb, const std::int32_t* task_table, std::uint64_t lo, std::uint64_t hi,
                 std::int64_t per_task, std::int64_t block_offset, Sink sink) {
  __shared__ double seed_c[cd::kGroupPairs];
  __shared__ double seed_s[cd::kGroupPairs];
  const BlockOrigin origin = block_origin(block_offset + blockIdx.x, per_task, lo);
  const std::int64_t task = origin.task;
  const std::uint64_t S = origin.S;
  const int t = task_table != nullptr ? task_table[task] : 0;
  const int j = static_cast<int>(threadIdx.x);
  double acc[cd::kThreadSpan];
#pragma unroll
  for (int k = 0; k < cd::kThreadSpan; ++k) acc[k] = 0.0;
  const int groups = tb.padded / cd::kGroupPairs;
  for (int g = 0; g < groups; ++g) {
    if (j < cd::kGroupPairs) {
      seed_entry(tb, t, g * cd::kGroupPairs + j, static_cast<double>(S), &seed_c[j], &seed_s[j]);
    }
    __syncthreads();
    thread_group(tb, t, g, j, seed_c, seed_s, acc);
    __syncthreads();  // the seeds are overwritten by the next group
  }
  finish_thread(tb, task, t, S, j, hi, acc, sink);
}

// --- host emulation of the kernels ----------------------------------------------
template <class Sink>
void emulate_block(const Tables& tb, std::int64_t task, int t, std::uint64_t S, std::uint64_t hi,
                   const Sink& sink) {
  std::vector<double> acc(static_cast<std::size_t>(cd::kThreadsPerBlock) * cd::kThreadSpan, 0.0);
  double seed_c[cd::kGroupPairs], seed_s[cd::kGroupPairs];
  const int groups = tb.padded / cd::kGroupPairs;
  for (int g = 0; g < groups; ++g) {
    for (int j = 0; j < cd::kGroupPairs; ++j) {
      seed_entry(tb, t, g * cd::kGroupPairs + j, static_cast<double>(S), &seed_c[j], &seed_s[j]);
    }
    for (int j = 0; j < cd::kThreadsPerBlock; ++j) {
      thread_group(tb, t, g, j, seed_c, seed_s,
                   &acc[static_cast<std::size_t>(j) * cd::kThreadSpan]);
    }
  }
  for (int j = 0; j < cd::kThreadsPerBlock; ++j) {
    finish_thread(tb, task, t, S, j, hi, &acc[static_cast<std::size_t>(j) * cd::kThreadSpan], sink);
  }
}

// --- host-side packing ----------------------------------------------------------
struct PackedTables {
  int pairs = 0;
  int padded = 0;
  std::size_t count = 0;
  std::vector<double> hi, lo, constant;
};

PackedTables pack(const std::vector<const FrequencyTable*>& tables) {
  PackedTables pk;
  pk.count = tables.size();
  pk.pairs = static_cast<int>(tables.front()->pairs());
  pk.padded = std::max(cd::kGroupPairs,
                       (pk.pairs + cd::kGroupPairs - 1) / cd::kGroupPairs * cd::kGroupPairs);
  pk.hi.assign(pk.count * pk.padded, 0.0);
  pk.lo.assign(pk.count * pk.padded, 0.0);
  pk.constant.resize(pk.count);
  for (std::size_t t = 0; t < pk.count; ++t) {
    const FrequencyTable& tab = *tables[t];
    if (static_cast<int>(tab.pairs()) != pk.pairs) {
      throw std::logic_error("ropebound cuda: tables of one batch must have equal pair counts");
    }
    std::copy(tab.hi.begin(), tab.hi.end(), pk.hi.begin() + t * pk.padded);
    std::copy(tab.lo.begin(), tab.lo.end(), pk.lo.begin() + t * pk.padded);
    pk.constant[t] = tab.constant;
  }
  return pk;
}

std::size_t coefficient_count(const PackedTables& pk) {
  return pk.count * static_cast<std::size_t>(pk.padded) * kJumps;
}

using Poll = std::function<bool()>;

struct UncertainHit {
  std::int32_t task;
  std::uint64_t m;
};

// What the drivers need from "a place that runs the kernels".
class Engine {
 public:
  virtual ~Engine() = default;
  virtual void load(const std::vector<const FrequencyTable*>& tables) = 0;
  // B_m of table 0 for m in [lo, hi) into out[m - lo] (host memory).
  virtual bool curve(std::uint64_t lo, std::uint64_t hi, double* out, const Poll& poll) = 0;
  // Scan [lo, hi) for each task (a table index) against bounds[task]: the
  // smallest certified negative per task (kNone if none) and the uncertain hits.
  virtual bool scan(const std::vector<std::int32_t>& tasks, const std::vector<double>& bounds,
                    std::uint64_t lo, std::uint64_t hi, std::vector<std::uint64_t>& first,
                    std::vector<UncertainHit>& uncertain, const Poll& poll) = 0;
};

[[noreturn]] void throw_uncertain_overflow(unsigned long long n) {
  throw std::runtime_error(
      "ropebound cuda: " + std::to_string(n) +
      " distances in one scan have |B_m| within the error bound of 0, more than the device list "
      "holds (" +
      std::to_string(kUncertainCapacity) + "); use backend='cpu' for this input");
}

// --- the host emulation engine ------------------------------------------------
class HostEngine final : public Engine {
 public:
  explicit HostEngine(std::int64_t blocks_per_launch) : blocks_per_launch_(blocks_per_launch) {}

  void load(const std::vector<const FrequencyTable*>& tables) override {
    pk_ = pack(tables);
    const std::size_t n = coefficient_count(pk_);
    baby_c_.assign(pk_.count * pk_.padded, 0.0);
    baby_s_.assign(pk_.count * pk_.padded, 0.0);
    jump_c_.assign(n, 0.0);
    jump_s_.assign(n, 0.0);
    tb_ =
        Tables{pk_.hi.data(),  pk_.lo.data(),  pk_.constant.data(), baby_c_.data(), baby_s_.data(),
               jump_c_.data(), jump_s_.data(), pk_.pairs,           pk_.padded};
    const CoefficientOut out{baby_c_.data(), baby_s_.data(), jump_c_.data(), jump_s_.data()};
    for (std::size_t idx = 0; idx < n; ++idx) {
      coefficient_entry(tb_, out, static_cast<std::int64_t>(idx));
    }
  }

  // Blocks in the device engine's launches, decoded by the kernel's
  // block_origin, so that the emulation runs the launch geometry too.
  bool curve(std::uint64_t lo, std::uint64_t hi, double* out, const Poll& poll) override {
    const WriteSink sink{out, lo};
    const auto blocks =
        static_cast<std::int64_t>((hi - lo + cd::kSuperBlockSize - 1) / cd::kSuperBlockSize);
    for (std::int64_t offset = 0; offset < blocks; offset += blocks_per_launch_) {
      const std::int64_t grid = std::min(blocks_per_launch_, blocks - offset);
      for (std::int64_t b = 0; b < grid; ++b) {
        const BlockOrigin o = block_origin(offset + b, blocks, lo);
        emulate_block(tb_, 0, 0, o.S, hi, sink);
      }
      if (!poll()) return false;
    }
    return true;
  }

  bool scan(const std::vector<std::int32_t>& tasks, const std::vector<double>& bounds,
            std::uint64_t lo, std::uint64_t hi, std::vector<std::uint64_t>& first,
            std::vector<UncertainHit>& uncertain, const Poll& poll) override {
    std::vector<unsigned long long> first_ull(tasks.size(), kNone);
    unsigned long long n_uncertain = 0;
    std::vector<std::int32_t> u_task(kUncertainCapacity);
    std::vector<std::uint64_t> u_m(kUncertainCapacity);
    const ScanSink sink{bounds.data(), first_ull.data(), &n_uncertain,
                        u_task.data(), u_m.data(),       kUncertainCapacity};
    const auto per_task =
        static_cast<std::int64_t>((hi - lo + cd::kSuperBlockSize - 1) / cd::kSuperBlockSize);
    const std::int64_t blocks = per_task * static_cast<std::int64_t>(tasks.size());
    for (std::int64_t offset = 0; offset < blocks; offset += blocks_per_launch_) {
      const std::int64_t grid = std::min(blocks_per_launch_, blocks - offset);
      for (std::int64_t b = 0; b < grid; ++b) {
        const BlockOrigin o = block_origin(offset + b, per_task, lo);
        emulate_block(tb_, o.task, tasks[static_cast<std::size_t>(o.task)], o.S, hi, sink);
      }
      if (!poll()) return false;
    }
    if (n_uncertain > kUncertainCapacity) throw_uncertain_overflow(n_uncertain);
    first.assign(first_ull.begin(), first_ull.end());
    uncertain.clear();
    for (unsigned long long k = 0; k < n_uncertain; ++k) uncertain.push_back({u_task[k], u_m[k]});
    return true;
  }

 private:
  std::int64_t blocks_per_launch_;
  PackedTables pk_;
  std::vector<double> baby_c_, baby_s_, jump_c_, jump_s_;
  Tables tb_;
};

// --- the device engine -------------------------------------------------------------
// Plain cudaMalloc'd buffer (no managed memory), freed on scope exit.
template <class T>
class DeviceArray {
 public:
  DeviceArray() = default;
  explicit DeviceArray(std::size_t n) { resize(n); }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  ~DeviceArray() { release(); }

  void resize(std::size_t n) {
    if (n <= size_) return;
    release();
    RB_CUDA_CHECK(
        cudaMalloc(reinterpret_cast<void**>(&ptr_), std::max<std::size_t>(n, 1) * sizeof(T)));
    size_ = n;
  }
  void upload(const T* host, std::size_t n) {
    resize(n);
    if (n > 0) RB_CUDA_CHECK(cudaMemcpy(ptr_, host, n * sizeof(T), cudaMemcpyHostToDevice));
  }
  void download(T* host, std::size_t n) const {
    if (n > 0) RB_CUDA_CHECK(cudaMemcpy(host, ptr_, n * sizeof(T), cudaMemcpyDeviceToHost));
  }
  T* get() const { return ptr_; }

 private:
  void release() {
    if (ptr_ != nullptr) cudaFree(ptr_);  // never throws from a destructor
    ptr_ = nullptr;
    size_ = 0;
  }
  T* ptr_ = nullptr;
  std::size_t size_ = 0;
};

class DeviceEngine final : public Engine {
 public:
  explicit DeviceEngine(std::int64_t blocks_per_launch) : blocks_per_launch_(blocks_per_launch) {
    if (device_count() == 0) {
      throw CudaError("ropebound cuda: no CUDA device is available (cudaGetDeviceCount == 0)");
    }
  }

  void load(const std::vector<const FrequencyTable*>& tables) override {
    const PackedTables pk = pack(tables);
    const std::size_t per_table = pk.count * static_cast<std::size_t>(pk.padded);
    const std::size_t n = coefficient_count(pk);
    hi_.upload(pk.hi.data(), per_table);
    lo_.upload(pk.lo.data(), per_table);
    constant_.upload(pk.constant.data(), pk.count);
    baby_c_.resize(per_table);
    baby_s_.resize(per_table);
    jump_c_.resize(n);
    jump_s_.resize(n);
    tb_ = Tables{hi_.get(),     lo_.get(),     constant_.get(), baby_c_.get(), baby_s_.get(),
                 jump_c_.get(), jump_s_.get(), pk.pairs,        pk.padded};
    const CoefficientOut out{baby_c_.get(), baby_s_.get(), jump_c_.get(), jump_s_.get()};
    constexpr int kThreads = 256;
    const auto blocks = static_cast<unsigned>((n + kThreads - 1) / kThreads);
    coefficient_kernel<<<blocks, kThreads>>>(tb_, out, static_cast<std::int64_t>(n));
    RB_CUDA_CHECK_LAUNCH();
  }

  bool curve(std::uint64_t lo, std::uint64_t hi, double* out, const Poll& poll) override {
    const std::uint64_t n = hi - lo;
    out_.resize(n);
    const std::int64_t blocks =
        static_cast<std::int64_t>((n + cd::kSuperBlockSize - 1) / cd::kSuperBlockSize);
    const WriteSink sink{out_.get(), lo};
    for (std::int64_t offset = 0; offset < blocks; offset += blocks_per_launch_) {
      const auto grid = static_cast<unsigned>(std::min(blocks_per_launch_, blocks - offset));
      curve_kernel<<<grid, cd::kThreadsPerBlock>>>(tb_, nullptr, lo, hi, blocks, offset, sink);
      RB_CUDA_CHECK_LAUNCH();
      if (!poll()) return false;
    }
    out_.download(out, n);
    return true;
  }

  bool scan(const std::vector<std::int32_t>& tasks, const std::vector<double>& bounds,
            std::uint64_t lo, std::uint64_t hi, std::vector<std::uint64_t>& first,
            std::vector<UncertainHit>& uncertain, const Poll& poll) override {
    const std::size_t n_tasks = tasks.size();
    tasks_.upload(tasks.data(), n_tasks);
    bounds_.upload(bounds.data(), n_tasks);
    first_.resize(n_tasks);
    RB_CUDA_CHECK(cudaMemset(first_.get(), 0xFF, n_tasks * sizeof(unsigned long long)));  // kNone
    n_uncertain_.resize(1);
    RB_CUDA_CHECK(cudaMemset(n_uncertain_.get(), 0, sizeof(unsigned long long)));
    u_task_.resize(kUncertainCapacity);
    u_m_.resize(kUncertainCapacity);
    const ScanSink sink{bounds_.get(), first_.get(), n_uncertain_.get(),
                        u_task_.get(), u_m_.get(),   kUncertainCapacity};
    const std::int64_t per_task =
        static_cast<std::int64_t>((hi - lo + cd::kSuperBlockSize - 1) / cd::kSuperBlockSize);
    const std::int64_t blocks = per_task * static_cast<std::int64_t>(n_tasks);
    for (std::int64_t offset = 0; offset < blocks; offset += blocks_per_launch_) {
      const auto grid = static_cast<unsigned>(std::min(blocks_per_launch_, blocks - offset));
      curve_kernel<<<grid, cd::kThreadsPerBlock>>>(tb_, tasks_.get(), lo, hi, per_task, offset,
                                                   sink);
      RB_CUDA_CHECK_LAUNCH();
      if (!poll()) return false;
    }
    std::vector<unsigned long long> first_ull(n_tasks);
    first_.download(first_ull.data(), n_tasks);
    unsigned long long n_uncertain = 0;
    n_uncertain_.download(&n_uncertain, 1);
    if (n_uncertain > kUncertainCapacity) throw_uncertain_overflow(n_uncertain);
    std::vector<std::int32_t> u_task(n_uncertain);
    std::vector<std::uint64_t> u_m(n_uncertain);
    u_task_.download(u_task.data(), n_uncertain);
    u_m_.download(u_m.data(), n_uncertain);
    first.assign(first_ull.begin(), first_ull.end());
    uncertain.clear();
    for (unsigned long long k = 0; k < n_uncertain; ++k) uncertain.push_back({u_task[k], u_m[k]});
    return true;
  }

 private:
  std::int64_t blocks_per_launch_;
  DeviceArray<double> hi_, lo_, constant_, baby_c_, baby_s_, jump_c_, jump_s_, out_, bounds_;
  DeviceArray<std::int32_t> tasks_, u_task_;
  DeviceArray<unsigned long long> first_, n_uncertain_;
  DeviceArray<std::uint64_t> u_m_;
  Tables tb_;
};

std::unique_ptr<Engine> make_engine(bool emulate, const Geometry& geometry) {
  if (geometry.blocks_per_launch < 1 || geometry.blocks_per_launch > (std::int64_t{1} << 31) - 1 ||
      geometry.curve_chunk < 1 || geometry.scan_window < 1 || geometry.max_context_window < 1) {
    throw std::invalid_argument(
        "geometry: blocks_per_launch must be in [1, 2^31), chunk and windows >= 1");
  }
  if (emulate) return std::make_unique<HostEngine>(geometry.blocks_per_launch);
  return std::make_unique<DeviceEngine>(geometry.blocks_per_launch);
}

// Polls the monitor at most every kPollInterval (the monitor's own contract).
class Poller {
 public:
  explicit Poller(Monitor* monitor) : monitor_(monitor), last_(std::chrono::steady_clock::now()) {}
  void set_progress(std::uint64_t done, std::uint64_t total) {
    done_ = done;
    total_ = total;
  }
  bool operator()() {
    if (monitor_ == nullptr) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < kPollInterval) return true;
    last_ = now;
    return monitor_->keep_going(done_, total_);
  }
  bool finish() { return monitor_ == nullptr || monitor_->keep_going(total_, total_); }

 private:
  Monitor* monitor_;
  std::chrono::steady_clock::time_point last_;
  std::uint64_t done_ = 0, total_ = 1;
};

// Upper bound on the error of cd::exact_sincos(m, ...) for every m <= m_max: the
// error formula of the CPU's libm-based exact_sincos (commit e462b4c,
// decay_sum.cpp), which the device port follows operation by operation, with
// each m-dependent term at its largest: |tail| <= ulp(pi)/2 = 2^-52,
// k <= m_max*theta/(2pi) + 1.
double sincos_error_upper(double m_max, double theta_hi, double rel_err) {
  const double u = kUnitRoundoff;
  const double p = m_max * theta_hi * (1.0 + 4.0 * u);
  const double k = p * 0.16 + 1.0;  // 0.16 > 1/(2 pi)
  const double reduce =
      (p * rel_err + u * k * std::fabs(kTwoPiLo) * 1.01 + k * 0x1p-158 + 0x1p-95) * (1.0 + 8.0 * u);
  return (kLibmErr * (1.0 + 0x1p-52) + 0x1p-105 + u + reduce) * (1.0 + 8.0 * u) * (1.0 + 1e-6);
}

}  // namespace

int device_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky "no device / no driver" error
    return 0;
  }
  return n;
}

std::string device_description() {
  int device = 0;
  RB_CUDA_CHECK(cudaGetDevice(&device));
  cudaDeviceProp prop{};
  RB_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  return std::string(prop.name) + " (compute capability " + std::to_string(prop.major) + "." +
         std::to_string(prop.minor) + ", " + std::to_string(prop.totalGlobalMem >> 20) + " MiB)";
}

double curve_error_bound(const FrequencyTable& table, std::uint64_t last_distance) {
  const double u = kUnitRoundoff;
  const double sqrt2 = 1.4142135623730951;
  const double max_jump = static_cast<double>((kJumps - 1) * cd::kThreadSpan);
  // Every coefficient and seed comes from the device's exact_sincos (libm-style
  // sincos, kLibmErr), so its error is bounded here by this file's own formula,
  // not by the CPU's exact_sincos: the two may use different sin/cos kernels.
  double eta_baby = 0.0, eta_jump = 0.0;
  for (std::size_t i = 0; i < table.pairs(); ++i) {
    eta_baby = std::max(eta_baby, sincos_error_upper(1.0, table.hi[i], table.rel_err[i]));
    eta_jump = std::max(eta_jump, sincos_error_upper(max_jump, table.hi[i], table.rel_err[i]));
  }
  const double jump = sqrt2 * eta_jump + 2.83 * u * 1.01;
  const double baby = (cd::kThreadSpan - 1) * (sqrt2 * eta_baby + 2.83 * u * 1.01);
  double total = 0.0;
  for (std::size_t i = 0; i < table.pairs(); ++i) {
    // Seeds sit at distances <= last_distance; the bound is non-decreasing in m.
    const double seed =
        sincos_error_upper(static_cast<double>(last_distance), table.hi[i], table.rel_err[i]);
    total += (sqrt2 * seed + jump + baby) * 1.01;
  }
  const int pairs = static_cast<int>(table.pairs());
  // Same depth as the CPU's for every pair count (a table without pairs never
  // reaches a kernel: its values are the constant, exactly).
  const int groups = (pairs + cd::kGroupPairs - 1) / cd::kGroupPairs;
  const double depth = static_cast<double>(groups + 5);
  const double gamma = depth * u / (1.0 - depth * u);
  total += gamma * (static_cast<double>(pairs) * 1.01 + table.constant);
  return total * (1.0 + 1e-6);
}

bool decay_curve(const FrequencyTable& table, std::uint64_t start, std::uint64_t length,
                 double* out, Monitor* monitor, bool emulate, const Geometry& geometry) {
  if (length == 0) return true;
  const std::uint64_t last = start + length - 1;
  const double gpu = curve_error_bound(table, last);
  const double cpu = decay_curve_error_bound(table, last);
  if (!(gpu <= cpu)) {
    throw std::logic_error("ropebound cuda: the CUDA curve bound " + std::to_string(gpu) +
                           " exceeds the CPU's " + std::to_string(cpu) + "; please report");
  }
  if (table.pairs() == 0) {  // nothing to rotate: every value is the constant
    std::fill(out, out + length, table.constant);
    return true;
  }
  auto engine = make_engine(emulate, geometry);
  engine->load({&table});
  Poller poller(monitor);
  for (std::uint64_t lo = start; lo < start + length; lo += geometry.curve_chunk) {
    const std::uint64_t hi = std::min(start + length - lo, geometry.curve_chunk) + lo;
    // Progress in super-blocks of 4096 distances, the CPU path's unit.
    poller.set_progress((lo - start) / kSuperBlock, (length + kSuperBlock - 1) / kSuperBlock);
    if (!engine->curve(lo, hi, out + (lo - start), [&] { return poller(); })) return false;
  }
  return poller.finish();
}

ScanResult scan_violators(const FrequencyTable& table, std::uint64_t start, std::uint64_t length,
                          Monitor* monitor, bool emulate, const Geometry& geometry) {
  ScanResult result;
  if (length == 0) return result;
  const std::uint64_t end = start + length;
  result.bound = curve_error_bound(table, end - 1);
  if (table.pairs() == 0) {  // B_m = constant >= 0 everywhere: nothing negative
    return result;
  }
  auto engine = make_engine(emulate, geometry);
  engine->load({&table});
  Poller poller(monitor);
  // Violators cluster near the first dip below 0: small chunks first, growing
  // geometrically, so that a near violator costs little and a full pass few launches.
  std::uint64_t width = geometry.scan_window;
  std::vector<std::uint64_t> first;
  std::vector<UncertainHit> hits;
  for (std::uint64_t lo = start; lo < end;) {
    const std::uint64_t hi = std::min(end, lo + width);
    poller.set_progress(lo - start, length);
    if (!engine->scan({0}, {result.bound}, lo, hi, first, hits, [&] { return poller(); })) {
      result.finished = false;
      return result;
    }
    for (const UncertainHit& h : hits) {
      if (h.m < first[0]) result.uncertain.push_back(h.m);
    }
    if (first[0] != kNone) {
      result.first_negative = static_cast<std::int64_t>(first[0]);
      break;
    }
    lo = hi;
    width = std::max(width, std::min<std::uint64_t>(width * 2, geometry.curve_chunk));
  }
  std::sort(result.uncertain.begin(), result.uncertain.end());
  result.finished = poller.finish();
  return result;
}

bool max_context(const std::vector<double>& bases, int dim, int rotary_dim, std::uint64_t limit,
                 std::int64_t* out, std::uint64_t* unknown, Monitor* monitor, bool emulate,
                 const Geometry& geometry) {
  const std::size_t n = bases.size();
  std::fill(out, out + n, std::int64_t{-1});
  std::fill(unknown, unknown + n, std::uint64_t{0});
  if (n == 0 || limit == 0) return true;
  // Validate everything here, serially, so that the parallel part cannot throw.
  for (double b : bases) (void)rope_frequencies(b, dim, rotary_dim);
  std::vector<FrequencyTable> tables(n);
  std::vector<double> bounds(n);
  parallel_for(static_cast<std::int64_t>(n), nullptr, [&](std::int64_t i, int) {
    tables[i] = rope_frequencies(bases[i], dim, rotary_dim);
    bounds[i] = curve_error_bound(tables[i], limit - 1);
  });
  if (tables.front().pairs() == 0) return true;  // unreachable: rotary_dim >= 2

  auto engine = make_engine(emulate, geometry);
  Poller poller(monitor);
  std::uint64_t done = 0;
  const std::size_t per_table_bytes =
      static_cast<std::size_t>(tables.front().pairs() + cd::kGroupPairs) * (4 + 2 * kJumps) * 8;
  const std::size_t batch = std::max<std::size_t>(1, kTableBudgetBytes / per_table_bytes);
  for (std::size_t b0 = 0; b0 < n; b0 += batch) {
    const std::size_t b1 = std::min(n, b0 + batch);
    std::vector<const FrequencyTable*> ptrs;
    for (std::size_t i = b0; i < b1; ++i) ptrs.push_back(&tables[i]);
    engine->load(ptrs);
    // Active tasks are table indices within the batch, scanned window by
    // window; each window starts where the previous one ended, so a base's
    // answer is the smallest negative of the first window that has one.
    std::vector<std::int32_t> active;
    for (std::size_t i = b0; i < b1; ++i) active.push_back(static_cast<std::int32_t>(i - b0));
    std::uint64_t width = geometry.max_context_window;
    std::vector<std::uint64_t> first;
    std::vector<UncertainHit> hits;
    for (std::uint64_t lo = 0; lo < limit && !active.empty();) {
      const std::uint64_t hi = std::min(limit, lo + width);
      std::vector<double> active_bounds;
      for (std::int32_t t : active) active_bounds.push_back(bounds[b0 + t]);
      poller.set_progress(done, n);
      if (!engine->scan(active, active_bounds, lo, hi, first, hits, [&] { return poller(); })) {
        return false;
      }
      // Decide the uncertain distances that could change an answer as the CPU
      // does (certified_sign: decay_sum, then the double-double evaluator), in
      // increasing m per task so that nothing above an answer is evaluated. A
      // sign that stays unknown is counted, as the CPU's scan counts it, and
      // the scan goes on.
      std::sort(hits.begin(), hits.end(), [](const UncertainHit& a, const UncertainHit& b) {
        return a.task != b.task ? a.task < b.task : a.m < b.m;
      });
      for (const UncertainHit& h : hits) {
        if (h.m >= first[h.task]) continue;
        const std::size_t base_index = b0 + static_cast<std::size_t>(active[h.task]);
        const Sign sign =
            certified_sign(h.m, tables[base_index], 0.0, std::numeric_limits<double>::infinity());
        if (sign == Sign::kNegative) {
          first[h.task] = h.m;
        } else if (sign == Sign::kUnknown) {
          ++unknown[base_index];
        }
      }
      std::vector<std::int32_t> still;
      for (std::size_t k = 0; k < active.size(); ++k) {
        if (first[k] != kNone) {
          out[b0 + active[k]] = static_cast<std::int64_t>(first[k]);
          ++done;
        } else {
          still.push_back(active[k]);
        }
      }
      active.swap(still);
      lo = hi;
      width = std::max(width, std::min<std::uint64_t>(width * 2, geometry.curve_chunk));
    }
    done += active.size();  // none below limit
  }
  poller.set_progress(n, n);
  return poller.finish();
}

}  // namespace ropebound::cuda
