#include "ropebound/solver.hpp"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <vector>

#include "py_monitor.hpp"
#include "ropebound/decay.hpp"

namespace py = pybind11;

namespace ropebound::bindings {

namespace {

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

py::dict min_base_py(const FrequencyModel& model, std::uint64_t context, double start_base,
                     bool staircase, py::object progress, double max_base, int workers) {
  // Every table the search builds is at a base >= start_base, where no theta
  // exceeds the model's bound there.
  if (context > 0) {
    check_phase_range(static_cast<double>(context - 1), model_theta_bound(model, start_base));
  }
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
  if (end > start) check_phase_range(static_cast<double>(end - 1), table.max_theta());
  PyMonitor monitor(std::move(progress));
  FirstNegative r;
  {
    py::gil_scoped_release release;  // see min_base_py
    r = first_negative(table, start, end, true, &monitor);
  }
  if (r.stopped) monitor.raise();
  return py::make_tuple(r.distance, r.unknown);
}

// First negative distance below `limit` for many bases. With at least as many
// bases as threads, bases run in parallel, each scanned on one thread; with
// fewer, one base at a time with its scan's blocks in parallel waves (a lone
// base still uses every thread). Either way the scan gets a monitor, so Ctrl-C
// stops it mid-base, and the answer is the same (first_negative's result does
// not depend on how it is run). Tables are built inside the work item, so
// memory does not grow with the number of bases.
py::tuple max_context_bases(const FrequencyModel& model, DoubleArray bases, std::uint64_t limit,
                            py::object progress) {
  const auto n = bases.size();
  const double* bd = bases.data();
  // The model's frequencies only shrink as the base grows: the smallest base
  // has the largest phases.
  if (limit > 0 && n > 0) {
    check_phase_range(static_cast<double>(limit - 1),
                      model_theta_bound(model, *std::min_element(bd, bd + n)));
  }
  py::array_t<std::int64_t> out(n);
  py::array_t<std::uint64_t> unknown(n);
  std::int64_t* od = out.mutable_data();
  std::uint64_t* ud = unknown.mutable_data();
  PyMonitor monitor(std::move(progress));
  FirstError error;
  bool finished = true;
  {
    py::gil_scoped_release release;  // see min_base_py
    if (n >= static_cast<py::ssize_t>(max_threads())) {
      finished = parallel_for_monitored(n, &monitor, [&](std::int64_t k, int, LoopMonitor& loop) {
        try {
          const FirstNegative r = first_negative(model_table(model, bd[k]), 0, limit, false, &loop);
          od[k] = r.distance;
          ud[k] = r.unknown;
        } catch (...) {
          error.capture(k);
        }
      });
    } else {
      for (py::ssize_t k = 0; k < n && finished; ++k) {
        const FirstNegative r = first_negative(model_table(model, bd[k]), 0, limit, true, &monitor);
        od[k] = r.distance;
        ud[k] = r.unknown;
        finished = !r.stopped;
      }
    }
  }
  error.rethrow();
  if (!finished || monitor.stop_requested()) monitor.raise();
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
      [](const FrequencyTable& table, std::uint64_t context, py::object progress) {
        if (context > 0) check_phase_range(static_cast<double>(context - 1), table.max_theta());
        PyMonitor monitor(std::move(progress));
        AdmissibleStep r;
        {
          py::gil_scoped_release release;  // reads the table only
          r = admissible_step(table, context, &monitor);
        }
        if (r.stopped) monitor.raise();
        return py::make_tuple(r.step, r.admissible);
      },
      py::arg("table"), py::arg("context"), py::arg("progress") = py::none());
  m.def("max_context_bases", &max_context_bases, py::arg("model"), py::arg("bases"),
        py::arg("limit"), py::arg("progress") = py::none());
}

}  // namespace ropebound::bindings
