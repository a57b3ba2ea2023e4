#include "ropebound/decay.hpp"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "py_monitor.hpp"
#include "ropebound/peak.hpp"

namespace py = pybind11;

namespace ropebound::bindings {

namespace {

using UIntArray = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>;
using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

// Distances per work item of decay_sum: about 0.5 ms of work at d = 128 and
// 5 ms at d = 1024, so that every thread gets items and the monitor is polled
// often, whatever the number of bases.
constexpr py::ssize_t kChunk = 1024;

std::int64_t chunks(py::ssize_t n) { return static_cast<std::int64_t>((n + kChunk - 1) / kChunk); }

// Evaluates B_m for a flat list of distances against one table, in parallel.
std::pair<py::array_t<double>, py::array_t<double>> decay_sum_table(const FrequencyTable& table,
                                                                    UIntArray m,
                                                                    py::object progress) {
  const auto n = m.size();
  const std::uint64_t* md = m.data();
  std::uint64_t largest = 0;
  for (py::ssize_t k = 0; k < n; ++k) largest = std::max(largest, md[k]);
  if (n > 0) check_phase_range(static_cast<double>(largest), table.max_theta());
  py::array_t<double> values(n), errors(n);
  double* vd = values.mutable_data();
  double* ed = errors.mutable_data();
  PyMonitor monitor(std::move(progress));
  bool finished;
  {
    // Safe without the GIL: the kernel only touches the buffers above, which
    // this frame keeps alive, and calls back into Python only via the monitor.
    py::gil_scoped_release release;
    finished = parallel_for(chunks(n), &monitor, [&](std::int64_t c, int) {
      const py::ssize_t end = std::min<py::ssize_t>(n, (c + 1) * kChunk);
      for (py::ssize_t k = c * kChunk; k < end; ++k) {
        const Bounded b = decay_sum(md[k], table);
        vd[k] = b.value;
        ed[k] = b.error;
      }
    });
  }
  if (!finished) monitor.raise();
  return {values, errors};
}

// B_m for one base, or for per-element bases (sorted by the caller so that
// equal bases are adjacent). Work items are fixed chunks of distances, not runs of equal
// bases: one base's many distances still spread over every thread, and each
// item builds the table of each base it holds, so memory beyond the output is
// one table per thread however many distinct bases there are (a chunk may
// rebuild a neighbour's table: the same deterministic table, same values).
std::pair<py::array_t<double>, py::array_t<double>> decay_sum_bases(UIntArray m, DoubleArray base,
                                                                    int dim, int rotary_dim,
                                                                    py::object progress) {
  // One base for every distance, or one base per distance.
  if (m.size() != base.size() && base.size() != 1) {
    throw std::invalid_argument("base must have one element or as many as m");
  }
  const auto n = m.size();
  const double* bd = base.data();
  const bool one_base = base.size() == 1 && n != 1;
  // Validate every base and the dimensions up front, so that the parallel
  // part cannot throw. Phases stay in range: m < 2^53 and theta <= 1.
  for (py::ssize_t k = 0; k < base.size(); ++k) {
    if (!(bd[k] > 1.0 && bd[k] <= kMaxBase)) {
      throw std::invalid_argument("base must be in (1, 1e250], got " + std::to_string(bd[k]));
    }
  }
  if (n > 0) (void)rope_frequencies(bd[0], dim, rotary_dim);
  py::array_t<double> values(n), errors(n);
  const std::uint64_t* md = m.data();
  double* vd = values.mutable_data();
  double* ed = errors.mutable_data();
  PyMonitor monitor(std::move(progress));
  FirstError error;
  bool finished;
  {
    py::gil_scoped_release release;  // see decay_sum_table
    finished = parallel_for(chunks(n), &monitor, [&](std::int64_t c, int) {
      try {
        const py::ssize_t end = std::min<py::ssize_t>(n, (c + 1) * kChunk);
        FrequencyTable table;
        for (py::ssize_t k = c * kChunk; k < end; ++k) {
          if (k == c * kChunk || (!one_base && bd[k] != bd[k - 1])) {
            table = rope_frequencies(bd[one_base ? 0 : k], dim, rotary_dim);
          }
          const Bounded b = decay_sum(md[k], table);
          vd[k] = b.value;
          ed[k] = b.error;
        }
      } catch (...) {
        error.capture(c);
      }
    });
  }
  error.rethrow();
  if (!finished) monitor.raise();
  return {values, errors};
}

py::array_t<double> decay_curve_py(const FrequencyTable& table, std::uint64_t start,
                                   std::uint64_t length, py::object progress) {
  if (start > kMaxDistance || length > kMaxDistance - start) {
    throw std::invalid_argument("start + length must be <= 2^53");
  }
  if (length > 0) check_phase_range(static_cast<double>(start + length - 1), table.max_theta());
  py::array_t<double> out(static_cast<py::ssize_t>(length));
  double* od = out.mutable_data();
  PyMonitor monitor(std::move(progress));
  bool finished;
  {
    py::gil_scoped_release release;  // see decay_sum_table
    finished = decay_curve(table, start, length, od, &monitor);
  }
  if (!finished) monitor.raise();
  return out;
}

}  // namespace

// B_m in double-double cos (the sign-settling evaluator), for tests.
py::tuple decay_sum_precise_py(const FrequencyTable& table, std::uint64_t m) {
  const Bounded b = decay_sum_precise(m, table);
  return py::make_tuple(b.value, b.error);
}

void register_decay(py::module_& m) {
  m.attr("MAX_DISTANCE") = kMaxDistance;
  m.def("decay_sum_table", &decay_sum_table, py::arg("table"), py::arg("m"),
        py::arg("progress") = py::none());
  m.def("decay_sum_bases", &decay_sum_bases, py::arg("m"), py::arg("base"), py::arg("dim"),
        py::arg("rotary_dim"), py::arg("progress") = py::none());
  m.def("decay_sum_precise", &decay_sum_precise_py, py::arg("table"), py::arg("m"));
  m.def("decay_curve", &decay_curve_py, py::arg("table"), py::arg("start"), py::arg("length"),
        py::arg("progress") = py::none());
  m.def(
      "measure_fma_peak",
      [](double seconds) {
        PeakResult r;
        {
          py::gil_scoped_release release;  // pure computation on locals
          r = measure_fma_peak(seconds);
        }
        return py::make_tuple(r.fma_per_second, r.threads);
      },
      py::arg("seconds") = 0.5,
      "Scalar FMA lanes per second of a trivial vector FMA loop on all threads, and the "
      "thread count (benchmark reference).");
  m.def("decay_curve_error_bound", &decay_curve_error_bound, py::arg("table"),
        py::arg("last_distance"));
}

}  // namespace ropebound::bindings
