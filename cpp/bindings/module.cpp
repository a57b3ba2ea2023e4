// pybind11 entry point: one register_<topic> per topic, nothing numeric here.
#include <pybind11/pybind11.h>

namespace py = pybind11;

namespace ropebound::bindings {
void register_frequencies(py::module_& m);
void register_decay(py::module_& m);
void register_solver(py::module_& m);
void register_float32(py::module_& m);
void register_roformer(py::module_& m);
}  // namespace ropebound::bindings

// One module per core variant (_core_baseline, _core_avx2, ...): CMake passes
// its name and variant; ropebound/_core.py imports the one the CPU runs.
PYBIND11_MODULE(ROPEBOUND_MODULE, m) {
  m.doc() = "ropebound compiled core (private; use the ropebound package)";
  m.attr("variant") = ROPEBOUND_VARIANT;
#ifdef _OPENMP
  m.attr("openmp") = true;
#else
  m.attr("openmp") = false;
#endif
  ropebound::bindings::register_frequencies(m);
  ropebound::bindings::register_decay(m);
  ropebound::bindings::register_solver(m);
  ropebound::bindings::register_float32(m);
  ropebound::bindings::register_roformer(m);
}
