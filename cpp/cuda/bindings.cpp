// pybind11 module _core_cuda: the optional CUDA backend. Nothing numeric here;
// arrays are validated at the boundary and the GIL is released around kernels.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "py_monitor.hpp"
#include "ropebound/decay.hpp"
#include "ropebound_cuda.hpp"

namespace py = pybind11;

namespace {

using ropebound::FrequencyTable;
using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

// A frequency table from its arrays (the fields of _core.FrequencyTable), so
// that this module does not depend on _core's compiled types.
FrequencyTable table_from(const DoubleArray& hi, const DoubleArray& lo, const DoubleArray& rel_err,
                          double constant) {
  if (hi.ndim() != 1 || lo.ndim() != 1 || rel_err.ndim() != 1 || hi.size() != lo.size() ||
      hi.size() != rel_err.size()) {
    throw std::invalid_argument("hi, lo and rel_err must be 1-D arrays of equal length");
  }
  if (hi.size() > ropebound::kMaxDim / 2) {
    throw std::invalid_argument("at most " + std::to_string(ropebound::kMaxDim / 2) + " pairs");
  }
  FrequencyTable t;
  t.hi.assign(hi.data(), hi.data() + hi.size());
  t.lo.assign(lo.data(), lo.data() + lo.size());
  t.rel_err.assign(rel_err.data(), rel_err.data() + rel_err.size());
  for (py::ssize_t i = 0; i < hi.size(); ++i) {
    if (!std::isfinite(t.hi[i]) || t.hi[i] < 0.0 || !std::isfinite(t.lo[i]) ||
        !(t.rel_err[i] >= 0.0) || !std::isfinite(t.rel_err[i])) {
      throw std::invalid_argument("frequency table entries must be finite, hi and rel_err >= 0");
    }
  }
  if (!std::isfinite(constant) || constant < 0.0) {
    throw std::invalid_argument("constant must be finite and >= 0");
  }
  t.constant = constant;
  return t;
}

// (blocks_per_launch, curve_chunk, scan_window, max_context_window), or None for
// the production sizes; validated by the drivers.
ropebound::cuda::Geometry geometry_from(const py::object& geometry) {
  ropebound::cuda::Geometry g;
  if (geometry.is_none()) return g;
  const auto t =
      geometry.cast<std::tuple<std::int64_t, std::uint64_t, std::uint64_t, std::uint64_t>>();
  g.blocks_per_launch = std::get<0>(t);
  g.curve_chunk = std::get<1>(t);
  g.scan_window = std::get<2>(t);
  g.max_context_window = std::get<3>(t);
  return g;
}

void check_range(std::uint64_t start, std::uint64_t length) {
  if (start > ropebound::kMaxDistance || length > ropebound::kMaxDistance - start) {
    throw std::invalid_argument("start + length must be <= 2^53");
  }
}

py::array_t<double> decay_curve(const DoubleArray& hi, const DoubleArray& lo,
                                const DoubleArray& rel_err, double constant, std::uint64_t start,
                                std::uint64_t length, py::object progress, bool emulate,
                                const py::object& geometry) {
  const FrequencyTable table = table_from(hi, lo, rel_err, constant);
  check_range(start, length);
  const ropebound::cuda::Geometry g = geometry_from(geometry);
  py::array_t<double> out(static_cast<py::ssize_t>(length));
  double* od = out.mutable_data();
  ropebound::bindings::PyMonitor monitor(std::move(progress));
  bool finished;
  {
    // Safe without the GIL: the driver touches only `table` and `out`, which
    // this frame keeps alive, and Python only through the monitor (which
    // re-acquires the GIL on this same thread).
    py::gil_scoped_release release;
    finished = ropebound::cuda::decay_curve(table, start, length, od, &monitor, emulate, g);
  }
  if (!finished) monitor.raise();
  return out;
}

py::tuple scan_violators(const DoubleArray& hi, const DoubleArray& lo, const DoubleArray& rel_err,
                         double constant, std::uint64_t start, std::uint64_t length,
                         py::object progress, bool emulate, const py::object& geometry) {
  const FrequencyTable table = table_from(hi, lo, rel_err, constant);
  check_range(start, length);
  const ropebound::cuda::Geometry g = geometry_from(geometry);
  ropebound::bindings::PyMonitor monitor(std::move(progress));
  ropebound::cuda::ScanResult r;
  {
    py::gil_scoped_release release;  // see decay_curve
    r = ropebound::cuda::scan_violators(table, start, length, &monitor, emulate, g);
  }
  if (!r.finished) monitor.raise();
  py::array_t<std::uint64_t> uncertain(static_cast<py::ssize_t>(r.uncertain.size()));
  std::copy(r.uncertain.begin(), r.uncertain.end(), uncertain.mutable_data());
  return py::make_tuple(r.first_negative, uncertain, r.bound);
}

py::tuple max_context(const DoubleArray& bases, int dim, int rotary_dim, std::uint64_t limit,
                      py::object progress, bool emulate, const py::object& geometry) {
  if (bases.ndim() != 1) throw std::invalid_argument("bases must be a 1-D array");
  if (limit > ropebound::kMaxDistance) throw std::invalid_argument("limit must be <= 2^53");
  const ropebound::cuda::Geometry g = geometry_from(geometry);
  std::vector<double> b(bases.data(), bases.data() + bases.size());
  py::array_t<std::int64_t> out(static_cast<py::ssize_t>(b.size()));
  py::array_t<std::uint64_t> unknown(static_cast<py::ssize_t>(b.size()));
  std::int64_t* od = out.mutable_data();
  std::uint64_t* ud = unknown.mutable_data();
  ropebound::bindings::PyMonitor monitor(std::move(progress));
  bool finished;
  {
    py::gil_scoped_release release;  // see decay_curve
    finished =
        ropebound::cuda::max_context(b, dim, rotary_dim, limit, od, ud, &monitor, emulate, g);
  }
  if (!finished) monitor.raise();
  return py::make_tuple(out, unknown);
}

}  // namespace

PYBIND11_MODULE(_core_cuda, m) {
  m.doc() = "ropebound CUDA backend (private; use the ropebound package with backend='cuda')";
  m.def("device_count", &ropebound::cuda::device_count,
        "Number of usable CUDA devices (0 without a device or driver; never raises).");
  m.def("device_description", &ropebound::cuda::device_description);
  m.def(
      "curve_error_bound",
      [](const DoubleArray& hi, const DoubleArray& lo, const DoubleArray& rel_err, double constant,
         std::uint64_t last_distance) {
        return ropebound::cuda::curve_error_bound(table_from(hi, lo, rel_err, constant),
                                                  last_distance);
      },
      py::arg("hi"), py::arg("lo"), py::arg("rel_err"), py::arg("constant"),
      py::arg("last_distance"));
  m.def("decay_curve", &decay_curve, py::arg("hi"), py::arg("lo"), py::arg("rel_err"),
        py::arg("constant"), py::arg("start"), py::arg("length"), py::arg("progress") = py::none(),
        py::arg("emulate") = false, py::arg("geometry") = py::none());
  m.def("scan_violators", &scan_violators, py::arg("hi"), py::arg("lo"), py::arg("rel_err"),
        py::arg("constant"), py::arg("start"), py::arg("length"), py::arg("progress") = py::none(),
        py::arg("emulate") = false, py::arg("geometry") = py::none());
  m.def("max_context", &max_context, py::arg("bases"), py::arg("dim"), py::arg("rotary_dim"),
        py::arg("limit"), py::arg("progress") = py::none(), py::arg("emulate") = false,
        py::arg("geometry") = py::none());
}
