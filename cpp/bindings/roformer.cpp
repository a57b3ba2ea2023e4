#include "ropebound/roformer.hpp"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <stdexcept>
#include <utility>

#include "py_monitor.hpp"

namespace py = pybind11;

namespace ropebound::bindings {

namespace {

std::pair<py::array_t<double>, py::array_t<double>> roformer_curve_py(const FrequencyTable& table,
                                                                      std::uint64_t start,
                                                                      std::uint64_t length,
                                                                      py::object progress) {
  if (start > kMaxDistance || length > kMaxDistance - start) {
    throw std::invalid_argument("start + length must be <= 2^53");
  }
  py::array_t<double> values(static_cast<py::ssize_t>(length));
  py::array_t<double> errors(static_cast<py::ssize_t>(length));
  double* vd = values.mutable_data();
  double* ed = errors.mutable_data();
  PyMonitor monitor(std::move(progress));
  bool finished;
  {
    // Safe without the GIL: the kernel only writes the two buffers above,
    // which this frame keeps alive, and calls Python only via the monitor.
    py::gil_scoped_release release;
    finished = roformer_curve(table, start, length, vd, ed, &monitor);
  }
  if (!finished) monitor.raise();
  return {values, errors};
}

}  // namespace

void register_roformer(py::module_& m) {
  m.def("roformer_curve", &roformer_curve_py, py::arg("table"), py::arg("start"), py::arg("length"),
        py::arg("progress") = py::none(),
        "RoFormer's relative upper bound (1/(d/2)) sum_n |S_n(m)| and a rigorous error "
        "bound, for m = start ... start+length-1.");
}

}  // namespace ropebound::bindings
