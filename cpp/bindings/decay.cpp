#include "ropebound/decay.hpp"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <utility>
#include <vector>

#include "py_monitor.hpp"
#include "ropebound/peak.hpp"

namespace py = pybind11;

namespace ropebound::bindings {

namespace {

using UIntArray = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>;
using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

// Evaluates B_m for a flat list of distances against one table, in parallel.
std::pair<py::array_t<double>, py::array_t<double>> decay_sum_table(const FrequencyTable& table,
                                                                    UIntArray m,
                                                                    py::object progress) {
  const auto n = m.size();
  py::array_t<double> values(n), errors(n);
  const std::uint64_t* md = m.data();
  double* vd = values.mutable_data();
  double* ed = errors.mutable_data();
  PyMonitor monitor(std::move(progress));
  bool finished;
  {
    // Safe without the GIL: the kernel only touches the buffers above, which
    // this frame keeps alive, and calls back into Python only via the monitor.
    py::gil_scoped_release release;
    finished = parallel_for(n, &monitor, [&](std::int64_t k, int) {
      const Bounded b = decay_sum(md[k], table);
      vd[k] = b.value;
      ed[k] = b.error;
    });
  }
  if (!finished) monitor.raise();
  return {values, errors};
}

// B_m for per-element bases (sorted by the caller so that equal bases are
// adjacent); one frequency table per run of equal bases.
std::pair<py::array_t<double>, py::array_t<double>> decay_sum_bases(UIntArray m, DoubleArray base,
                                                                    int dim, int rotary_dim,
                                                                    py::object progress) {
  if (m.size() != base.size()) throw std::invalid_argument("m and base must have equal sizes");
  const auto n = m.size();
  // Validate every base once, up front, so the parallel part cannot throw.
  std::vector<std::pair<py::ssize_t, FrequencyTable>> runs;
  const double* bd = base.data();
  for (py::ssize_t k = 0; k < n; ++k) {
    if (k == 0 || bd[k] != bd[k - 1])
      runs.emplace_back(k, rope_frequencies(bd[k], dim, rotary_dim));
  }
  py::array_t<double> values(n), errors(n);
  const std::uint64_t* md = m.data();
  double* vd = values.mutable_data();
  double* ed = errors.mutable_data();
  PyMonitor monitor(std::move(progress));
  bool finished;
  {
    py::gil_scoped_release release;  // see decay_sum_table
    finished =
        parallel_for(static_cast<std::int64_t>(runs.size()), &monitor, [&](std::int64_t r, int) {
          const py::ssize_t lo = runs[r].first;
          const py::ssize_t hi =
              r + 1 < static_cast<std::int64_t>(runs.size()) ? runs[r + 1].first : n;
          for (py::ssize_t k = lo; k < hi; ++k) {
            const Bounded b = decay_sum(md[k], runs[r].second);
            vd[k] = b.value;
            ed[k] = b.error;
          }
        });
  }
  if (!finished) monitor.raise();
  return {values, errors};
}

py::array_t<double> decay_curve_py(const FrequencyTable& table, std::uint64_t start,
                                   std::uint64_t length, py::object progress) {
  if (start > kMaxDistance || length > kMaxDistance - start) {
    throw std::invalid_argument("start + length must be <= 2^53");
  }
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
