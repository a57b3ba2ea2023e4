#include "ropebound/solver.hpp"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <vector>

#include "py_monitor.hpp"

namespace py = pybind11;

namespace ropebound::bindings {

namespace {

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

py::dict min_base_py(const FrequencyModel& model, std::uint64_t context, double start_base,
                     bool staircase, py::object progress, double max_base, int workers) {
  PyMonitor monitor(std::move(progress));
  MinBaseResult r;
  {
    py::gil_scoped_release release;  // the search owns all its data
    r = min_base_search(model, context, start_base, staircase, &monitor, max_base, workers);
  }
  // A Ctrl-C during the parallel search's last moments may come after the
  // search finished: it still interrupts.
  if (r.stopped || monitor.stop_requested()) monitor.raise();
  py::dict out;
  out["base"] = r.base;
  out["critical_distance"] = r.critical_distance;
  out["certified"] = r.certified;
  out["exhausted"] = r.exhausted;
  out["jumps"] = r.jumps;
  out["jump_evaluations"] = r.jump_evaluations;
  out["walk_evaluations"] = r.walk_evaluations;
  out["block_evaluations"] = r.block_evaluations;
  out["full_passes"] = r.full_passes;
  const auto n = static_cast<py::ssize_t>(r.staircase.size());
  py::array_t<std::uint64_t> contexts(n);
  py::array_t<double> bases(n);
  py::array_t<std::int64_t> critical(n);
  for (py::ssize_t k = 0; k < n; ++k) {
    contexts.mutable_at(k) = r.staircase[k].context;
    bases.mutable_at(k) = r.staircase[k].base;
    critical.mutable_at(k) = r.staircase[k].critical_distance;
  }
  out["step_contexts"] = contexts;
  out["step_bases"] = bases;
  out["step_critical"] = critical;
  return out;
}

py::tuple first_negative_py(const FrequencyTable& table, std::uint64_t start, std::uint64_t end,
                            py::object progress) {
  PyMonitor monitor(std::move(progress));
  FirstNegative r;
  {
    py::gil_scoped_release release;  // see min_base_py
    r = first_negative(table, start, end, true, &monitor);
  }
  if (r.stopped) monitor.raise();
  return py::make_tuple(r.distance, r.unknown);
}

// First negative distance below `limit` for many bases: parallel over bases,
// each scanned serially on one thread.
py::tuple max_context_bases(const FrequencyModel& model, DoubleArray bases, std::uint64_t limit,
                            py::object progress) {
  const auto n = bases.size();
  std::vector<FrequencyTable> tables;
  tables.reserve(static_cast<std::size_t>(n));
  for (py::ssize_t k = 0; k < n; ++k) tables.push_back(model_table(model, bases.data()[k]));
  py::array_t<std::int64_t> out(n);
  py::array_t<std::uint64_t> unknown(n);
  std::int64_t* od = out.mutable_data();
  std::uint64_t* ud = unknown.mutable_data();
  PyMonitor monitor(std::move(progress));
  bool finished;
  {
    py::gil_scoped_release release;  // see min_base_py
    finished = parallel_for(n, &monitor, [&](std::int64_t k, int) {
      const FirstNegative r = first_negative(tables[k], 0, limit, false, nullptr);
      od[k] = r.distance;
      ud[k] = r.unknown;
    });
  }
  if (!finished) monitor.raise();
  return py::make_tuple(out, unknown);
}

}  // namespace

void register_solver(py::module_& m) {
  py::class_<FrequencyModel>(m, "FrequencyModel")
      .def(py::init([](int q, const std::vector<std::vector<std::pair<double, int>>>& pairs,
                       double constant) {
             if (q < 1) throw std::invalid_argument("q must be >= 1");
             FrequencyModel model;
             model.q = q;
             model.constant = constant;
             for (const auto& terms : pairs) {
               std::vector<FrequencyModel::Term> row;
               for (const auto& [c, p] : terms) {
                 if (p < 0) throw std::invalid_argument("exponents p must be >= 0");
                 row.push_back({c, p});
               }
               model.pairs.push_back(std::move(row));
             }
             return model;
           }),
           py::arg("q"), py::arg("pairs"), py::arg("constant"))
      .def_static("rope", &FrequencyModel::rope, py::arg("dim"), py::arg("rotary_dim"))
      .def("table", &model_table, py::arg("base"))
      .def_readonly("q", &FrequencyModel::q)
      .def_readonly("constant", &FrequencyModel::constant);
  m.def("min_base_search", &min_base_py, py::arg("model"), py::arg("context"),
        py::arg("start_base"), py::arg("staircase") = false, py::arg("progress") = py::none(),
        py::arg("max_base") = kMaxBase, py::arg("workers") = 0);
  m.def("first_negative", &first_negative_py, py::arg("table"), py::arg("start"), py::arg("end"),
        py::arg("progress") = py::none());
  m.def(
      "admissible_step",
      [](const FrequencyTable& table, std::uint64_t context) {
        AdmissibleStep r;
        {
          py::gil_scoped_release release;  // reads the table only
          r = admissible_step(table, context);
        }
        return py::make_tuple(r.step, r.admissible);
      },
      py::arg("table"), py::arg("context"));
  m.def("max_context_bases", &max_context_bases, py::arg("model"), py::arg("bases"),
        py::arg("limit"), py::arg("progress") = py::none());
}

}  // namespace ropebound::bindings
