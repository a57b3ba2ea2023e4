#include "ropebound/frequencies.hpp"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

namespace py = pybind11;

namespace ropebound::bindings {

namespace {
py::array_t<double> to_array(const std::vector<double>& v) {
  return py::array_t<double>(static_cast<py::ssize_t>(v.size()), v.data());
}
}  // namespace

void register_frequencies(py::module_& m) {
  py::class_<FrequencyTable>(m, "FrequencyTable")
      .def_static("rope", &rope_frequencies, py::arg("base"), py::arg("dim"), py::arg("rotary_dim"))
      .def_static(
          "explicit",
          [](py::array_t<double, py::array::c_style | py::array::forcecast> theta) {
            return explicit_frequencies(theta.data(), static_cast<std::size_t>(theta.size()));
          },
          py::arg("theta"))
      .def_property_readonly("hi", [](const FrequencyTable& t) { return to_array(t.hi); })
      .def_property_readonly("lo", [](const FrequencyTable& t) { return to_array(t.lo); })
      .def_property_readonly("rel_err", [](const FrequencyTable& t) { return to_array(t.rel_err); })
      .def_readonly("constant", &FrequencyTable::constant)
      .def_property_readonly("pairs", &FrequencyTable::pairs);
}

}  // namespace ropebound::bindings
