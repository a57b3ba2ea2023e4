// Host-side API of the optional CUDA backend. Plain C++ (no CUDA types), so the
// pybind11 bindings compile with the ordinary C++ compiler.
//
// Every entry point takes `emulate`: false runs the kernels on the current CUDA
// device; true runs the very same per-thread code serially on the host (slow;
// it exists so that the kernels' arithmetic, geometry and drivers are tested on
// machines without a GPU).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "ropebound/frequencies.hpp"
#include "ropebound/monitor.hpp"

namespace ropebound::cuda {

// A failed CUDA call or launch; the message names the call and carries
// cudaGetErrorString.
class CudaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// How the drivers cut their work: blocks per kernel launch (Ctrl-C is honoured
// between launches), distances per decay_curve launch series and output buffer,
// and the first scan window of scan_violators and max_context (windows double up
// to curve_chunk). The defaults are the production sizes; tests pass small ones
// so that several launches, chunks and windows run in emulation (and, with the
// same code, on a device) at a small cost. Results do not depend on them.
struct Geometry {
  std::int64_t blocks_per_launch = std::int64_t{1} << 16;
  std::uint64_t curve_chunk = std::uint64_t{1} << 26;
  std::uint64_t scan_window = std::uint64_t{1} << 20;
  std::uint64_t max_context_window = std::uint64_t{1} << 15;
};

// Number of usable CUDA devices; 0 when there is no device or no (sufficient)
// driver, never an exception.
int device_count();
// "name (compute capability x.y, N MiB)" of the current device; throws
// CudaError without one.
std::string device_description();

// Rigorous bound on |B_m - value| for every value the CUDA decay-curve kernel
// produces for distances <= last_distance (derivation in kernels.cu). It is
// never larger than the CPU's decay_curve_error_bound for the same arguments.
double curve_error_bound(const FrequencyTable& table, std::uint64_t last_distance);

// out[k] = B_{start+k}, k < length, start + length <= 2^53; |error| <= the
// CPU's decay_curve_error_bound(table, start + length - 1) (checked per call:
// curve_error_bound never exceeds it). Returns false when the monitor stopped it.
bool decay_curve(const FrequencyTable& table, std::uint64_t start, std::uint64_t length,
                 double* out, Monitor* monitor, bool emulate, const Geometry& geometry = {});

struct ScanResult {
  std::int64_t first_negative = -1;      // smallest m with certified B_m < 0, or -1
  std::vector<std::uint64_t> uncertain;  // m < first_negative (all m if -1) with |B_m| <= bound
  double bound = 0.0;                    // the error bound used (curve_error_bound)
  bool finished = true;                  // false when the monitor stopped the scan
};

// Violator scan over [start, start + length): B_m is certified negative when
// value < -bound, certified non-negative when value > bound, else uncertain.
// Scans in increasing chunks and stops after the chunk holding the first
// certified negative.
ScanResult scan_violators(const FrequencyTable& table, std::uint64_t start, std::uint64_t length,
                          Monitor* monitor, bool emulate, const Geometry& geometry = {});

// For each base: the smallest m < limit with B_m(base, dim, rotary_dim) < 0,
// or -1 when there is none. Uncertain values found on the device are decided
// on the host as the CPU decides them (certified_sign: decay_sum, then
// decay_sum_precise); unknown[i] counts those of base i that stay unknown
// (the answer may then be late, as with the CPU's first_negative). Returns
// false when stopped.
bool max_context(const std::vector<double>& bases, int dim, int rotary_dim, std::uint64_t limit,
                 std::int64_t* out, std::uint64_t* unknown, Monitor* monitor, bool emulate,
                 const Geometry& geometry = {});

}  // namespace ropebound::cuda
