#include "ropebound/float32.hpp"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <vector>

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
        const std::uint64_t* md = ms.data();
        if (n > 0) check_float32_phase_range(*std::max_element(md, md + n), table);
        py::array_t<double> values(n), errors(n);
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
        if (end > start) check_float32_phase_range(end - 1, table);
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
  m.def(
      "decay_curve_float32",
      [](const Float32Table& table, std::uint64_t start, std::uint64_t length,
         py::object progress) {
        if (start > kMaxDistance || length > kMaxDistance - start) {
          throw std::invalid_argument("start + length must be <= 2^53");
        }
        if (length > 0) check_float32_phase_range(start + length - 1, table);
        // The output is the only allocation that grows with the length: each
        // block keeps its largest bound, and the blocks' maxima are reduced
        // once the loop is over.
        constexpr std::uint64_t kBlock = 4096;
        const std::uint64_t n_blocks = (length + kBlock - 1) / kBlock;
        py::array_t<double> values(static_cast<py::ssize_t>(length));
        std::vector<double> block_error(n_blocks, 0.0);
        double* vd = values.mutable_data();
        PyMonitor monitor(std::move(progress));
        bool finished;
        {
          py::gil_scoped_release release;  // touches only the buffers above
          finished =
              parallel_for(static_cast<std::int64_t>(n_blocks), &monitor, [&](std::int64_t b, int) {
                const std::uint64_t lo = static_cast<std::uint64_t>(b) * kBlock;
                const std::uint64_t hi = std::min(length, lo + kBlock);
                double worst = 0.0;
                for (std::uint64_t k = lo; k < hi; ++k) {
                  const Bounded v = decay_sum_float32(start + k, table);
                  vd[k] = v.value;
                  worst = std::max(worst, v.error);
                }
                block_error[static_cast<std::size_t>(b)] = worst;
              });
        }
        if (!finished) monitor.raise();
        double worst = 0.0;
        for (double e : block_error) worst = std::max(worst, e);
        return py::make_tuple(values, worst);
      },
      py::arg("table"), py::arg("start"), py::arg("length"), py::arg("progress") = py::none(),
      "B^_m for m = start ... start+length-1 under float32 arithmetic, and the largest "
      "per-element bound (no per-element arrays beyond the output).");
}

}  // namespace ropebound::bindings
