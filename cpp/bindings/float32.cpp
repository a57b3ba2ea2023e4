#include "ropebound/float32.hpp"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "py_monitor.hpp"

namespace py = pybind11;

namespace ropebound::bindings {

namespace {

using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;
using UIntArray = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>;

Float32Table make_table(FloatArray theta, double constant, bool bf16_cos) {
  Float32Table t;
  t.theta.assign(theta.data(), theta.data() + theta.size());
  t.constant = constant;
  t.bf16_cos = bf16_cos;
  return t;
}

}  // namespace

void register_float32(py::module_& m) {
  py::class_<Float32Table>(m, "Float32Table")
      .def(py::init(&make_table), py::arg("theta"), py::arg("constant"),
           py::arg("bf16_cos") = false);
  m.def(
      "decay_sum_float32",
      [](const Float32Table& table, UIntArray ms, py::object progress) {
        const auto n = ms.size();
        py::array_t<double> values(n), errors(n);
        const std::uint64_t* md = ms.data();
        double* vd = values.mutable_data();
        double* ed = errors.mutable_data();
        PyMonitor monitor(std::move(progress));
        bool finished;
        {
          py::gil_scoped_release release;  // touches only the buffers above
          finished = parallel_for(n, &monitor, [&](std::int64_t k, int) {
            const Bounded b = decay_sum_float32(md[k], table);
            vd[k] = b.value;
            ed[k] = b.error;
          });
        }
        if (!finished) monitor.raise();
        return py::make_tuple(values, errors);
      },
      py::arg("table"), py::arg("m"), py::arg("progress") = py::none());
  m.def(
      "first_negative_float32",
      [](const Float32Table& table, std::uint64_t start, std::uint64_t end, py::object progress) {
        PyMonitor monitor(std::move(progress));
        FirstNegative32 r;
        {
          py::gil_scoped_release release;  // reads the table only
          r = first_negative_float32(table, start, end, &monitor);
        }
        if (r.stopped) monitor.raise();
        return py::make_tuple(r.distance, r.unknown);
      },
      py::arg("table"), py::arg("start"), py::arg("end"), py::arg("progress") = py::none());
}

}  // namespace ropebound::bindings
